"""Stripe's pages in Cubby: the card page of a checkout, Add a card (a SetupIntent, no payment), and the webhook."""
import logging

import stripe
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from peewee import IntegrityError

from ..access import family, role_required
from ..database import write_transaction
from ..extensions import csrf
from ..models import Payment, User
from ..templating import current_company
from . import NOT_CONFIGURED, GatewayError, provider_for
from .stripe_gateway import StripeCardPage, StripeEvent, api_origins, card_entered, open_card_page
from .stripe_webhooks import apply_event

log = logging.getLogger(__name__)
bp = Blueprint("stripe_gateway", __name__, url_prefix="/stripe-gateway")
NOT_ACCEPTED = "The card was not accepted. Nothing was charged; please check the details or try another card."


def _page_or_404(page_id, for_payment=True):
    """A card page of the signed-in guardian's own."""
    page = StripeCardPage.get_or_none((StripeCardPage.id == page_id) & (StripeCardPage.user == current_user.id))
    if page is None or (page.payment_key is not None) != for_payment:
        abort(404)
    return page


def _card_page(page, status=200, error=None):
    """The page with Stripe's card Element; its policy lets in Stripe's script, API and frames, and nothing else."""
    script, api = api_origins()
    body = render_template("gateway/stripe_card.html", page=page, error=error, js_url=current_app.config["STRIPE_JS_URL"],
                           publishable_key=current_app.config["STRIPE_PUBLISHABLE_KEY"])
    policy = "; ".join([
        "default-src 'self'", f"script-src 'self' {script}", "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: https://*.stripe.com", f"connect-src 'self' {api} {script}",
        f"frame-src {script} https://hooks.stripe.com", "form-action 'self'", "object-src 'none'",
        "base-uri 'none'", "frame-ancestors 'none'",
    ])  # style-src: Stripe's Element styles its own mount point
    return body, status, {"Content-Security-Policy": policy}


def _card_from(page):
    """(the page with the card Stripe saved, None), or (page, the card page again saying why there is no card)."""
    try:
        entered = card_entered(page)
    except GatewayError as error:
        return page, _card_page(page, 503, str(error))
    if entered is None:
        return page, _card_page(page, 422, NOT_ACCEPTED)
    return entered, None


@bp.route("/pay/<page_id>")
@role_required(User.PATRON)
def card_page(page_id):
    """Enter the card for a checkout; its Pay is the one tap that pays."""
    return _card_page(_page_or_404(page_id))


@bp.route("/pay/<page_id>", methods=["POST"])
@role_required(User.PATRON)
def card_saved(page_id):
    """Stripe saved the card entered on this page: it is charged now, and the payer sees how it went."""
    from ..billing.routes import pay_now

    page, refused = _card_from(_page_or_404(page_id))
    if refused:
        return refused
    payment = Payment.get_or_none((Payment.key == page.payment_key) & (Payment.user == current_user.id))
    if payment is None:
        abort(404)
    return pay_now(payment, page.payment_method)  # this page's own card, never one named by the browser


@bp.route("/cards", methods=["POST"])
@role_required(User.PATRON)
def add_card():
    """Add a card without paying: a SetupIntent for the guardian's Stripe customer, then the card page."""
    if not family().may_save_methods:
        abort(403)
    provider = provider_for(current_company())
    if provider is None:
        flash(f"{NOT_CONFIGURED} Payment methods cannot be added.", "error")
        return redirect(url_for("account.payments"), 303)
    if provider.name != "stripe":
        abort(404)
    try:
        page = open_card_page(current_user)
    except GatewayError as error:
        flash(str(error), "error")
        return redirect(url_for("account.payments"), 303)
    return redirect(url_for("stripe_gateway.new_card", page_id=page.id), 303)


@bp.route("/cards/<page_id>")
@role_required(User.PATRON)
def new_card(page_id):
    """The card page of Add a card."""
    return _card_page(_page_or_404(page_id, for_payment=False))


@bp.route("/cards/<page_id>", methods=["POST"])
@role_required(User.PATRON)
def card_added(page_id):
    """Stripe saved the card: Cubby keeps it among the guardian's saved cards (three at most)."""
    from ..billing.checkout import save_payment_method

    page, refused = _card_from(_page_or_404(page_id, for_payment=False))
    if refused:
        return refused
    with write_transaction():
        saved = save_payment_method(current_user.id, "stripe", page.card())
    if saved:
        flash(f"{page.brand} ending {page.last4} is saved.", "success")
    else:
        flash("You already keep three cards (or this one): delete one to add another.", "warning")
    return redirect(url_for("account.payments"), 303)


@bp.route("/webhook", methods=["POST"])
@csrf.exempt  # Stripe signs the request instead; the signature is checked below
def webhook():
    """Stripe's events, verified by signature and applied once: a payment settles even if the family left."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        abort(404)
    try:
        event = stripe.Webhook.construct_event(request.get_data(), request.headers.get("Stripe-Signature", ""), secret)
    except (ValueError, stripe.SignatureVerificationError):
        return "bad signature\n", 400, {"Content-Type": "text/plain"}
    if StripeEvent.select().where(StripeEvent.event_id == event.id).exists():
        return "already applied\n", 200, {"Content-Type": "text/plain"}
    try:
        outcome = apply_event(event)
    except GatewayError:  # Stripe sends it again later
        log.warning("stripe event %s: Stripe did not answer while applying it", event.id)
        return "try again\n", 503, {"Content-Type": "text/plain", "Retry-After": "60"}
    try:
        with write_transaction():
            StripeEvent.create(event_id=event.id, type=event.type[:64])
    except IntegrityError:  # the same event applied at the same moment: both changes were conditional
        pass
    return f"{outcome}\n", 200, {"Content-Type": "text/plain"}
