"""The outbox: mail is written inside the transaction that causes it and sent after the commit."""
import logging

import click
from flask import render_template
from flask.cli import AppGroup
from flask_mailman import EmailMessage

from .extensions import db
from .models import OutboxMessage, utcnow

log = logging.getLogger(__name__)
mail_cli = AppGroup("mail", help="The outbox.")


def queue_mail(recipients, subject, template, **context):
    """Inside a transaction: one outbox message per distinct address; returns their ids."""
    body = render_template(template, **context)
    addresses = list(dict.fromkeys(r for r in recipients if r))
    return [OutboxMessage.create(to=address, subject=subject, body=body).id for address in addresses]


def send_unsent(ids=None):
    """Send unsent messages (these ids, or all); a failure leaves the message unsent for a later try."""
    query = OutboxMessage.select().where(OutboxMessage.status == OutboxMessage.UNSENT).order_by(OutboxMessage.id)
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(list(ids) or [0]))
    sent = 0
    for message in query:
        try:
            EmailMessage(subject=message.subject, body=message.body, to=[message.to]).send()
        except Exception as error:  # noqa: BLE001 (the change that wrote the message stands whatever the mailer does)
            log.exception("outbox message %s was not sent", message.id)
            OutboxMessage.update(last_error=str(error)[:300]).where(OutboxMessage.id == message.id).execute()
            continue
        sent += OutboxMessage.update(status=OutboxMessage.SENT, sent_at=utcnow(), last_error="").where(
            (OutboxMessage.id == message.id) & (OutboxMessage.status == OutboxMessage.UNSENT)).execute()
    return sent


@mail_cli.command("send-unsent")
def send_unsent_command():
    """Send every message still waiting in the outbox."""
    with db.connection_context():
        sent = send_unsent()
        waiting = OutboxMessage.select().where(OutboxMessage.status == OutboxMessage.UNSENT).count()
    click.echo(f"sent {sent}, still unsent {waiting}")
