"""The outbox: mail is written inside the transaction that causes it and sent after the commit, by the job queue.

Each message has a plain-text and an HTML part from two templates of one name (`emails/receipt.txt` and
`emails/receipt.html`, the HTML one extending `emails/layout.html`). A sender claims a message (Unsent → Sending)
before handing it to the mail server, so two senders at once never send it twice; a failure puts it back with
a backoff, and after MAX_ATTEMPTS it is given up.
"""
import datetime
import json
import logging

import click
from flask import render_template
from flask.cli import AppGroup
from flask_mailman import EmailMultiAlternatives

from .emails.catalogue import is_on, kind_of_template
from .emails.links import site_url
from .emails.opt_outs import email_opted_out, unsubscribe_url
from .extensions import db
from .models import OutboxMessage, utcnow

log = logging.getLogger(__name__)
mail_cli = AppGroup("mail", help="The outbox.")
MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS, LONGEST_RETRY_SECONDS = 5, 3600
STUCK_AFTER = datetime.timedelta(minutes=10)  # a send takes seconds: longer means its sender was stopped mid-send


def queue_mail(recipients, subject, template, category=OutboxMessage.NOTICE, **context):
    """Inside a transaction: one outbox message per distinct address; returns their ids.

    `template` names the pair without its extension. Addresses that opted out get no reminders or notices
    (receipts and security mail still go); reminders carry a List-Unsubscribe header and link. A kind turned off in
    Email Management is not written; one with staff's own text is written with it, filled in now.
    """
    ids = []
    context.setdefault("link", site_url("home.index"))
    managed = kind_of_template(template)
    if managed and not is_on(managed):
        return ids  # turned off in Email Management
    own = managed and staff_text(managed, context)
    if own:
        subject = own[0]
    for address in dict.fromkeys(r for r in recipients if r):
        if category not in OutboxMessage.ALWAYS_SENT and email_opted_out(address):
            continue
        headers, unsubscribe = {}, None
        if category == OutboxMessage.REMINDER:
            unsubscribe = unsubscribe_url(address)
            headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        if own:
            parts = staff_parts(own, unsubscribe)
        else:
            parts = {kind: render_template(f"{template}.{kind}", subject=subject, unsubscribe_url=unsubscribe,
                                           **context) for kind in ("txt", "html")}
        ids.append(OutboxMessage.create(to=address, subject=subject, body=parts["txt"], html=parts["html"],
                                        headers=json.dumps(headers) if headers else "", category=category).id)
    return ids


def staff_text(kind, context):
    """(subject, text body) of staff's own text for the kind, filled in with its plain values; None without one.

    It was checked against the demo values when saved; a value that still breaks it (none should) falls back to
    Cubby's text rather than losing the email.
    """
    from .emails.catalogue import plain_values, stored_text
    from .emails.rendering import TemplateProblem, render_subject, render_text

    stored = stored_text(kind)
    if stored is None:
        return None
    values = plain_values(kind, context)
    try:
        return render_subject(stored.subject, values), render_text(stored.body, values)
    except TemplateProblem:
        log.exception("staff's text for %s did not fill in; Cubby's text is sent", kind.key)
        return None


def staff_parts(own, unsubscribe=None):
    """The text and HTML parts of staff's own text, in the emails' layout; a reminder keeps its unsubscribe line."""
    from .emails.rendering import html_paragraphs

    subject, text = own
    if unsubscribe:
        text = f"{text}\n\nStop reminders: {unsubscribe}"
    return {"txt": text, "html": render_template("emails/staff_text.html", subject=subject, unsubscribe_url=unsubscribe,
                                                 paragraphs=html_paragraphs(own[1]))}


def deliver(ids):
    """After the commit that wrote them: have the messages sent by the job queue (at once in immediate mode).

    A queue that is down loses nothing: the messages wait in the outbox for the sweep.
    """
    from .jobs import enqueue_outbox

    try:
        enqueue_outbox(ids)
    except Exception:  # noqa: BLE001 (the change that wrote the mail stands; the minute's sweep sends it)
        log.exception("the job queue did not take outbox messages %s; the sweep will send them", ids)


def _backoff(attempts):
    return datetime.timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** (attempts - 1), LONGEST_RETRY_SECONDS))


def _claim(message):
    """Unsent → Sending for this sender alone; False when another sender has it."""
    return OutboxMessage.update(status=OutboxMessage.SENDING, claimed_at=utcnow()).where(
        (OutboxMessage.id == message.id) & (OutboxMessage.status == OutboxMessage.UNSENT)).execute() == 1


def _email(message):
    email = EmailMultiAlternatives(subject=message.subject, body=message.body, to=[message.to],
                                   headers=json.loads(message.headers) if message.headers else None)
    if message.html:
        email.attach_alternative(message.html, "text/html")
    return email


def send_unsent(ids=None, due_only=True):
    """Send unsent messages (these ids, or all), each claimed first; a failure is retried later with a backoff."""
    query = OutboxMessage.select().where(OutboxMessage.status == OutboxMessage.UNSENT).order_by(OutboxMessage.id)
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(list(ids) or [0]))
    if due_only:
        query = query.where(OutboxMessage.next_attempt_at.is_null() | (OutboxMessage.next_attempt_at <= utcnow()))
    sent = 0
    for message in list(query):  # read first: a write under a select still being read fails at once on SQLite
        if not _claim(message):
            continue
        try:
            _email(message).send()
        except Exception as error:  # noqa: BLE001 (the change that wrote the message stands whatever the mailer does)
            log.exception("outbox message %s was not sent", message.id)
            attempts = message.attempts + 1
            status = OutboxMessage.FAILED if attempts >= MAX_ATTEMPTS else OutboxMessage.UNSENT
            OutboxMessage.update(status=status, attempts=attempts, last_error=str(error)[:300],
                                 next_attempt_at=utcnow() + _backoff(attempts)).where(
                (OutboxMessage.id == message.id) & (OutboxMessage.status == OutboxMessage.SENDING)).execute()
            continue
        sent += OutboxMessage.update(status=OutboxMessage.SENT, sent_at=utcnow(), last_error="").where(
            (OutboxMessage.id == message.id) & (OutboxMessage.status == OutboxMessage.SENDING)).execute()
    return sent


def next_retry_in():
    """Seconds until the next message waiting for a retry is due, or None when none waits."""
    waiting = (OutboxMessage.select(OutboxMessage.next_attempt_at)
               .where((OutboxMessage.status == OutboxMessage.UNSENT) & OutboxMessage.next_attempt_at.is_null(False))
               .order_by(OutboxMessage.next_attempt_at).first())
    if waiting is None:
        return None
    return max((waiting.next_attempt_at - utcnow()).total_seconds(), 1)


def give_up_stuck_sends():
    """Messages whose sender stopped mid-send: the mail server may have them, so they are never sent again."""
    return OutboxMessage.update(
        status=OutboxMessage.FAILED, last_error="its sender stopped while sending; not sent again, so never twice",
    ).where((OutboxMessage.status == OutboxMessage.SENDING) & (OutboxMessage.claimed_at < utcnow() - STUCK_AFTER)
            ).execute()


@mail_cli.command("send-unsent")
def send_unsent_command():
    """Send every message still waiting in the outbox, retries included, now."""
    with db.connection_context():
        sent = send_unsent(due_only=False)
        waiting = OutboxMessage.select().where(OutboxMessage.status == OutboxMessage.UNSENT).count()
    click.echo(f"sent {sent}, still unsent {waiting}")
