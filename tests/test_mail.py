"""Mail that looks like mail: a plain-text and an HTML part from templates in one layout; a message is claimed
before it is sent, so it is never sent twice; failures back off; opt-outs stop all but receipts and security mail;
reminders carry List-Unsubscribe, and its link works with one click or one button."""
import datetime
import threading
import time

from flask_mailman import EmailMessage

from billing_helpers import SUCCESS_CARD, dana, pay_with_card  # noqa: F401 (dana is a fixture)
from conftest import page_text
from webapp import jobs, outbox as outbox_module
from webapp.database import write_transaction
from webapp.emails.opt_outs import opt_out_of_email, unsubscribe_url
from webapp.models import Company, EmailOptOut, OutboxMessage, utcnow


def queue(app, to="parent@example.com", category=OutboxMessage.NOTICE, template="emails/status_adjusted"):
    """One message written as a service would write it; returns its id."""
    from webapp.models import Order

    with app.app_context(), write_transaction():
        ids = outbox_module.queue_mail([to], "Order Status Adjusted: order #1001", template, category=category,
                                       order=Order.get(Order.number == 1001), from_label="On Account",
                                       to_label="Complete", note="")
    return ids[0] if ids else None


def test_a_receipt_has_a_plain_and_an_html_part_in_the_schools_layout(dana, outbox):
    Company.update(brand_colour="#7a1f5c").execute()
    response, key, _ = pay_with_card(dana, SUCCESS_CARD)
    (email,) = outbox
    assert "Total paid: $320.00" in email.body and f"/billing/payments/{key}" in email.body
    ((html, mimetype),) = email.alternatives
    assert mimetype == "text/html"
    assert "<table" in html and "Riverside Arts Academy" in html and "background:#7a1f5c" in html
    assert "Total paid: $320.00" in html and f'href="http://localhost/billing/payments/{key}"' in html
    assert "<style" not in html  # every style is inline: mail clients drop style blocks
    assert "List-Unsubscribe" not in email.extra_headers  # a receipt is not a reminder


def test_the_receipt_link_in_the_mail_opens_the_receipt(dana, outbox):
    pay_with_card(dana, SUCCESS_CARD)
    link = outbox[0].body.split("See it in Cubby: ")[1].strip()
    assert "Total paid $320.00" in page_text(dana.get(link.replace("http://localhost", ""), follow_redirects=True))


def test_two_senders_at_once_send_a_message_once(app, outbox, monkeypatch):
    message_id = queue(app)
    sent, original = [], EmailMessage.send

    def slow_send(self, *args, **kwargs):
        time.sleep(0.2)  # both senders have read the message as unsent by now
        sent.append(self.subject)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", slow_send)
    barrier = threading.Barrier(2)

    def sender():
        with app.app_context():
            barrier.wait()
            outbox_module.send_unsent()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(sent) == 1 and len(outbox) == 1
    assert OutboxMessage.get_by_id(message_id).status == OutboxMessage.SENT


def test_a_failure_backs_off_then_sends_and_too_many_failures_give_up(app, outbox, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    message_id = queue(app)
    with app.app_context():
        outbox_module.send_unsent()
    message = OutboxMessage.get_by_id(message_id)
    assert (message.status, message.attempts) == (OutboxMessage.UNSENT, 1)
    assert 4 <= (message.next_attempt_at - utcnow()).total_seconds() <= 5  # the first retry after 5 seconds
    with app.app_context():
        assert outbox_module.send_unsent() == 0 and OutboxMessage.get_by_id(message_id).attempts == 1  # not yet due
        assert 1 <= outbox_module.next_retry_in() <= 5
    for attempt in range(2, outbox_module.MAX_ATTEMPTS + 1):
        OutboxMessage.update(next_attempt_at=utcnow()).where(OutboxMessage.id == message_id).execute()
        with app.app_context():
            outbox_module.send_unsent()
        gap = OutboxMessage.get_by_id(message_id).next_attempt_at - utcnow()
        assert gap.total_seconds() <= min(5 * 2 ** (attempt - 1), 3600)
    message = OutboxMessage.get_by_id(message_id)
    assert message.status == OutboxMessage.FAILED and message.attempts == outbox_module.MAX_ATTEMPTS and not outbox
    monkeypatch.undo()
    with app.app_context():
        assert outbox_module.send_unsent(due_only=False) == 0  # given up: never sent late by surprise


def test_a_message_whose_sender_stopped_mid_send_is_never_sent_again(app, outbox):
    message_id = queue(app)
    OutboxMessage.update(status=OutboxMessage.SENDING, claimed_at=utcnow() - datetime.timedelta(minutes=11)).where(
        OutboxMessage.id == message_id).execute()
    with app.app_context():
        assert jobs.sweep_outbox.call_local() == 0
    message = OutboxMessage.get_by_id(message_id)
    assert message.status == OutboxMessage.FAILED and "never twice" in message.last_error and not outbox


def test_the_outbox_job_runs_directly_and_through_the_queue(app, outbox):
    assert jobs.huey.immediate
    first, second = queue(app), queue(app, to="partner@example.com")
    assert jobs.send_outbox.call_local([first]) == 1  # directly
    assert jobs.send_outbox([first, second]).get() == 1  # through the queue, in immediate mode: only the unsent one
    assert jobs.send_outbox([first, second]).get() == 0 and len(outbox) == 2  # idempotent: nothing is sent twice


def test_an_opt_out_stops_notices_and_reminders_but_never_receipts(app):
    with app.app_context():
        opt_out_of_email("Parent@Example.com ")
        opt_out_of_email("parent@example.com")  # twice changes nothing
    assert EmailOptOut.select().where(EmailOptOut.address == "parent@example.com").count() == 1
    assert queue(app, category=OutboxMessage.NOTICE) is None
    assert queue(app, category=OutboxMessage.REMINDER) is None
    assert queue(app, category=OutboxMessage.RECEIPT) is not None
    assert queue(app, category=OutboxMessage.SECURITY) is not None


def test_reminders_carry_list_unsubscribe_and_its_link_works(app, client, outbox):
    queue(app, category=OutboxMessage.REMINDER)
    with app.app_context():
        outbox_module.send_unsent()
    (email,) = outbox
    link = email.extra_headers["List-Unsubscribe"].strip("<>")
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link.startswith("http://127.0.0.1:5000/email/unsubscribe/") and link in email.alternatives[0][0]
    path = link.replace("http://127.0.0.1:5000", "")
    page = client.get(path)
    assert page.status_code == 200 and "Stop reminders and notices" in page_text(page)
    dana_out = EmailOptOut.select().where(EmailOptOut.address == "parent@example.com")
    assert not dana_out.exists()  # following the link (a mail scanner does) changes nothing
    done = client.post(path)
    assert done.status_code == 200 and "gets no more reminders" in page_text(done)
    assert dana_out.exists()


def test_one_click_unsubscribe_needs_no_form_token_but_a_good_signature(app, client):
    with app.test_request_context():
        link = unsubscribe_url("partner@example.com")
    path = link.split("5000", 1)[1] if "5000" in link else link.replace("http://localhost", "")
    one_click = client.post(path, data={"List-Unsubscribe": "One-Click"}, csrf=False)
    chris_out = EmailOptOut.select().where(EmailOptOut.address == "partner@example.com")
    assert one_click.status_code == 204 and chris_out.exists()
    forged = path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb")
    assert client.post(forged, data={"List-Unsubscribe": "One-Click"}, csrf=False).status_code == 404
    assert client.get("/email/unsubscribe/not-a-token").status_code == 404
    assert EmailOptOut.select().count() == 2  # Chris's, and the demo's dana.smith@work.example
