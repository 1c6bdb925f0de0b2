"""The outbox: mail is kept with the change that caused it, sent after the commit, and a failure loses nothing."""
from flask_mailman import EmailMessage

from webapp.models import Order, OutboxMessage


def fail_sending(monkeypatch):
    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", refuse)


def complete_1007(client):
    """Sam marks the demo's pending order #1007 Complete, with the PO payment received."""
    return client.post("/staff/pending/orders/1007/complete", data={"method": "po", "reference": "ACME-7731",
                                                                   "amount": "400.00"})


def test_messages_are_sent_after_the_commit_and_marked_sent(signed_in, outbox):
    sam = signed_in("staff@example.com")
    assert complete_1007(sam).status_code == 303
    messages = list(OutboxMessage.select())
    assert {m.to for m in messages} == {"staff@example.com"}  # Riley has no login and no primary guardian
    assert all(m.status == OutboxMessage.SENT and m.sent_at for m in messages)
    assert [m.subject for m in outbox] == ["Order Status Adjusted: order #1007"]
    assert "changed from Pending Payment to Complete" in outbox[0].body


def test_a_mail_server_failure_never_rolls_back_the_status_change(signed_in, outbox, monkeypatch):
    fail_sending(monkeypatch)
    sam = signed_in("staff@example.com")
    assert complete_1007(sam).status_code == 303
    assert Order.get(Order.number == 1007).state == Order.COMPLETE
    message = OutboxMessage.get()
    assert message.status == OutboxMessage.UNSENT and "mail server down" in message.last_error and not outbox


def test_the_cli_sends_what_is_unsent(app, signed_in, outbox, monkeypatch):
    fail_sending(monkeypatch)
    complete_1007(signed_in("staff@example.com"))
    monkeypatch.undo()
    result = app.test_cli_runner().invoke(args=["mail", "send-unsent"])
    assert result.exit_code == 0 and "sent 1, still unsent 0" in result.output
    assert OutboxMessage.get().status == OutboxMessage.SENT and len(outbox) == 1
    result = app.test_cli_runner().invoke(args=["mail", "send-unsent"])
    assert "sent 0, still unsent 0" in result.output and len(outbox) == 1  # sending again sends nothing twice
