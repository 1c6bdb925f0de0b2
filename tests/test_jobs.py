"""Background jobs: each called directly and through the queue in immediate mode, each safe to run again; the
queue's storage from JOBS_URL; a queue that is down loses no mail."""
import datetime
from zoneinfo import ZoneInfo

import pytest
from huey import MemoryHuey, RedisHuey, SqliteHuey

from billing_helpers import SUCCESS_CARD, TIMEOUT_CARD, balances, dana, on_the_card_page, pay_with_card  # noqa: F401
from conftest import page_text, school_today
from webapp import jobs
from webapp.models import CheckoutLock, Company, MakeupToken, OutboxMessage, Payment, Student, utcnow


def test_jobs_url_picks_the_queue(tmp_path):
    assert isinstance(jobs.make_huey("memory://"), MemoryHuey) and jobs.make_huey("memory://").immediate
    sqlite = jobs.make_huey(f"sqlite:///{tmp_path}/q/jobs.sqlite3")
    assert isinstance(sqlite, SqliteHuey) and (tmp_path / "q").is_dir()
    assert isinstance(jobs.make_huey("redis://127.0.0.1:6379/0"), RedisHuey)
    with pytest.raises(ValueError):
        jobs.make_huey("amqp://elsewhere")


def test_the_periodic_jobs_are_registered():
    names = {task.__name__ for task in jobs.huey._registry._periodic_tasks}
    assert names == {"sweep_outbox", "reconcile_payments", "cancel_abandoned_checkouts", "expire_makeup_tokens",
                     "expire_waitlist_offers", "send_reminders", "redeliver_sandbox_events"}


def test_reconciliation_job_settles_a_timed_out_payment_directly_and_via_the_queue(app, dana, monkeypatch):
    from webapp.billing import checkout
    from webapp.gateway import sandbox
    from webapp.models import Company

    monkeypatch.setattr(sandbox, "notify", lambda: None)  # the sandbox's notification is lost
    payment, token = on_the_card_page(dana)
    key = payment.key
    sandbox.SandboxToken.update(outcome=sandbox.TIMES_OUT).where(sandbox.SandboxToken.token == token).execute()
    with app.app_context(), pytest.raises(checkout.PaymentUnsettled):
        checkout.pay(Company.current(), payment, token)
    with app.app_context():
        assert jobs.reconcile_payments.call_local()["settled"] == 0  # too young: its charge may still be on its way
    Payment.update(processing_at=utcnow() - datetime.timedelta(minutes=6)).where(Payment.key == key).execute()
    jobs.reconcile_payments()  # through the queue (immediate mode)
    assert Payment.get(Payment.key == key).state == Payment.SUCCEEDED and balances(1001, 1002) == {1001: 0, 1002: 0}
    with app.app_context():
        assert jobs.reconcile_payments.call_local() == {"settled": 0, "failed": 0, "refunded": 0,
                                                        "refunds finished": 0}  # again: nothing to do


def test_a_late_sandbox_notification_is_delivered_by_the_minutes_job(app, dana, outbox):
    from webapp.gateway.sandbox import SandboxEvent

    _, key, _ = pay_with_card(dana, TIMEOUT_CARD)  # charged; the notification is due in two minutes
    with app.app_context():
        assert jobs.redeliver_sandbox_events.call_local() == 0
    SandboxEvent.update(due_at=utcnow()).execute()
    jobs.redeliver_sandbox_events()  # through the queue (immediate mode)
    assert Payment.get(Payment.key == key).state == Payment.SUCCEEDED and len(outbox) == 1
    assert SandboxEvent.get().delivered_at is not None
    with app.app_context():
        assert jobs.redeliver_sandbox_events.call_local() == 0  # accepted once, never posted again


def test_a_queue_that_is_down_when_the_card_page_charges_loses_no_payment(app, dana, outbox, monkeypatch):
    def down():
        raise ConnectionError("redis is down")

    monkeypatch.setattr(jobs, "deliver_sandbox_events", down)
    response, key, _ = pay_with_card(dana, SUCCESS_CARD)
    assert "Confirming your payment" in page_text(response) and Payment.get(Payment.key == key).state == Payment.PENDING
    monkeypatch.undo()
    jobs.redeliver_sandbox_events()
    assert Payment.get(Payment.key == key).state == Payment.SUCCEEDED and balances(1001, 1002) == {1001: 0, 1002: 0}


def test_abandoned_checkouts_are_cancelled_by_the_job(app, dana):
    key = on_the_card_page(dana)[0].key
    with app.app_context():
        assert jobs.cancel_abandoned_checkouts.call_local() == 0  # only 0 minutes old
    Payment.update(created_at=utcnow() - datetime.timedelta(minutes=31)).where(Payment.key == key).execute()
    jobs.cancel_abandoned_checkouts()
    assert Payment.get(Payment.key == key).state == Payment.CANCELLED and CheckoutLock.select().count() == 0
    with app.app_context():
        assert jobs.cancel_abandoned_checkouts.call_local() == 0


def test_makeup_tokens_past_their_date_expire_and_pending_ones_stay(app):
    amy = Student.get(Student.first_name == "Amy")
    available = MakeupToken.get((MakeupToken.student == amy) & (MakeupToken.status == MakeupToken.AVAILABLE))
    yesterday = school_today() - datetime.timedelta(days=1)
    MakeupToken.update(expires_on=yesterday).where(MakeupToken.id == available.id).execute()
    pending = MakeupToken.create(student=amy, location=available.location, earned_for=_another_meeting(available),
                                 status=MakeupToken.PENDING, expires_on=yesterday)
    with app.app_context():
        assert jobs.expire_makeup_tokens.call_local() == 1
        assert jobs.expire_makeup_tokens.call_local() == 0
    assert MakeupToken.get_by_id(available.id).status == MakeupToken.EXPIRED
    assert MakeupToken.get_by_id(pending.id).status == MakeupToken.PENDING


def test_a_token_lasts_to_the_end_of_its_last_day_in_the_schools_time_zone(app):
    """The job runs in UTC; a school whose date differs from UTC's keeps a token valid through its own last day."""
    utc_today = datetime.datetime.now(datetime.timezone.utc).date()
    zone = next(z for z in ("Pacific/Kiritimati", "Etc/GMT+12") if datetime.datetime.now(ZoneInfo(z)).date() != utc_today)
    Company.update(timezone=zone).execute()
    their_today = datetime.datetime.now(ZoneInfo(zone)).date()
    token = MakeupToken.get((MakeupToken.student == Student.get(Student.first_name == "Amy"))
                            & (MakeupToken.status == MakeupToken.AVAILABLE))
    MakeupToken.update(expires_on=their_today).where(MakeupToken.id == token.id).execute()
    with app.app_context():
        assert jobs.expire_makeup_tokens.call_local() == 0
    MakeupToken.update(expires_on=their_today - datetime.timedelta(days=1)).where(MakeupToken.id == token.id).execute()
    with app.app_context():
        assert jobs.expire_makeup_tokens.call_local() == 1


def _another_meeting(token):
    from webapp.models import Meeting

    return Meeting.select().where(Meeting.id != token.earned_for_id).order_by(Meeting.id).first()


def test_a_queue_that_is_down_loses_no_mail(dana, outbox, monkeypatch):
    def down(ids):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(jobs, "enqueue_outbox", down)
    response, _, _ = pay_with_card(dana, SUCCESS_CARD)
    assert "Receipt" in page_text(response) and balances(1001, 1002) == {1001: 0, 1002: 0} and not outbox
    assert OutboxMessage.get().status == OutboxMessage.UNSENT
    monkeypatch.undo()
    jobs.sweep_outbox()
    assert OutboxMessage.get().status == OutboxMessage.SENT and len(outbox) == 1
