"""The sandbox's notifications to Cubby, as a real provider's webhooks: each charge or refusal is an event the
sandbox signs and posts to Cubby's webhook (/sandbox-gateway/webhook) until Cubby accepts it.

The sandbox lives in Cubby's process, so it posts through the app's own WSGI stack (httpx's WSGI transport):
the same request, signature check and handler as over the network, with no public address needed. Cubby takes
an event only as a hint: it asks the sandbox what it holds for the payment and settles through the services
reconciliation and the Stripe webhook use, so an event applied twice, late, or beside the payer's own request
changes things once.
"""
import hashlib
import hmac
import json
import logging
import time

import httpx
from flask import current_app, has_request_context, request

from ..database import write_transaction
from ..models import Payment, utcnow
from .sandbox import SandboxEvent, SandboxProvider

log = logging.getLogger(__name__)
SIGNATURE_HEADER, WEBHOOK = "Sandbox-Signature", "/sandbox-gateway/webhook"
TOLERANCE = 300  # seconds: an older signature is a replay


def _secret():
    return hmac.new(current_app.config["SECRET_KEY"].encode(), b"sandbox-webhook", hashlib.sha256).digest()


def signature(body, timestamp):
    """The header value for this body: Stripe's scheme, t=<unix time>,v1=<HMAC-SHA256 of "t.body">."""
    mac = hmac.new(_secret(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verified(body, header):
    """The event a correctly signed, recent body holds, or None."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    timestamp = parts.get("t", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TOLERANCE:
        return None
    if not hmac.compare_digest(signature(body, int(timestamp)), f"t={timestamp},v1={parts.get('v1', '')}"):
        return None
    try:
        event = json.loads(body)
    except ValueError:
        return None
    return event if isinstance(event, dict) else None


def apply_event(event):
    """Apply one verified event by what the sandbox holds now; a word saying what it did."""
    from ..billing.reconcile import charged_on_card_page, learned_failure

    if event.get("type") == SandboxEvent.SETUP_SUCCEEDED:
        return _card_added(str(event.get("setup_session", "")))
    payment = Payment.get_or_none((Payment.key == str(event.get("payment_key", ""))) & (Payment.gateway == "sandbox"))
    if payment is None:
        return "not a Cubby payment"
    provider = SandboxProvider()
    charge = provider.charge_for(payment.key)
    if charge:
        return charged_on_card_page(provider, payment, charge) or "already known"
    if event.get("type") == SandboxEvent.CHARGE_FAILED:
        return learned_failure(payment, str(event.get("message") or "Your card was declined.")) or "already known"
    return "waiting"


def deliver_due():
    """Post every due event Cubby has not accepted yet; how many it accepted now."""
    due = list(SandboxEvent.select().where(SandboxEvent.delivered_at.is_null() & (SandboxEvent.due_at <= utcnow()))
               .order_by(SandboxEvent.created_at))  # read first: SQLite writes under an open select fail at once
    if not due:
        return 0
    accepted = 0
    app = current_app._get_current_object()
    # The address Cubby is known by: its links in the receipt this may send are built from it.
    site = app.config.get("SITE_URL") or (request.host_url if has_request_context() else "http://localhost")
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url=site) as client:
        for event in due:
            body = json.dumps({"id": event.id, "type": event.type, "payment_key": event.payment_key,
                               "setup_session": event.setup_session, "message": event.message}).encode()
            answer = client.post(WEBHOOK, content=body, headers={
                SIGNATURE_HEADER: signature(body, int(time.time())), "Content-Type": "application/json"})
            if answer.status_code < 300:
                accepted += SandboxEvent.update(delivered_at=utcnow()).where(
                    (SandboxEvent.id == event.id) & SandboxEvent.delivered_at.is_null()).execute()
            else:  # Cubby could not take it now: the minute's redelivery tries again
                log.warning("sandbox event %s: Cubby's webhook answered %s", event.id, answer.status_code)
                SandboxEvent.update(attempts=SandboxEvent.attempts + 1).where(SandboxEvent.id == event.id).execute()
    return accepted


def _card_added(session_id):
    """Add a card on the sandbox's page saved one: it joins the guardian's saved cards (three at most)."""
    from ..billing.checkout import save_payment_method

    saved = SandboxProvider().card_saved_on(session_id)
    if saved is None:
        return "not a Cubby card"
    user_id, card = saved
    with write_transaction():
        return "saved" if save_payment_method(user_id, "sandbox", card) else "already known or three kept"
