"""Refunds of card payments (the sandbox gateway here; Stripe in test_stripe.py): what is left to refund is decided
under one lock, two refunds at once never give back more than was paid, and the ledger records each refund once."""
from billing_helpers import SUCCESS_CARD, balances, dana, in_threads, pay_with_card  # noqa: F401 (dana is a fixture)
from webapp.billing.refunds import RefundRefused, record_refund, refundable_cents, request_refund
from webapp.gateway.sandbox import SandboxCharge, SandboxRefund
from webapp.models import CardRefund, LedgerEntry, Payment, User


def paid(dana):
    _, key, _ = pay_with_card(dana, SUCCESS_CARD)
    return Payment.get(Payment.key == key)


def test_a_sandbox_card_payment_is_refunded_to_the_card(app, dana, outbox):
    payment = paid(dana)
    with app.app_context():
        refund = request_refund(User.get(User.email == "staff@example.com"), payment, 5000, "Class cancelled")
    assert refund.state == CardRefund.SUCCEEDED and refund.reference.startswith("re_")
    assert SandboxCharge.get().refunded_cents == 5000 and SandboxRefund.get().key == refund.key
    assert balances(1001, 1002) == {1001: 0, 1002: 5000} and refundable_cents(payment) == 27000
    assert outbox[-1].subject == "Your refund from Riverside Arts Academy" and outbox[-1].to == ["parent@example.com"]


def test_two_refunds_at_once_never_give_back_more_than_was_paid(app, dana):
    payment, sam = paid(dana), User.get(User.email == "staff@example.com")
    results = in_threads(app, *[lambda: request_refund(sam, payment, 20000)] * 2)
    assert sorted(type(error).__name__ for _, error in results) == ["NoneType", "RefundRefused"]
    assert SandboxCharge.get().refunded_cents == 20000
    assert sum(e.amount_cents for e in LedgerEntry.select().where((LedgerEntry.kind == LedgerEntry.REFUND) & LedgerEntry.payment.is_null(False))) == 20000


def test_a_refund_is_posted_once_however_often_its_answer_arrives(app, dana):
    payment = paid(dana)
    with app.app_context():
        refund = request_refund(User.get(User.email == "staff@example.com"), payment, 3000)
        assert record_refund(refund, refund.reference) is False  # the webhook, or reconciliation, after the request
    assert LedgerEntry.select().where((LedgerEntry.kind == LedgerEntry.REFUND) & LedgerEntry.payment.is_null(False)).count() == 1


def test_only_a_settled_card_payment_is_refunded(app, dana):
    from webapp.billing.charges import record_offline_payment
    from webapp.models import Account, Order

    sam = User.get(User.email == "staff@example.com")
    with app.app_context():
        cash = record_offline_payment(sam, Order.get(Order.number == 1003), Account.get(Account.name == "Smith household"),
                                      1000, "cash")
        for payment, cents in ((cash, 500), (paid(dana), 0), (Payment.get(Payment.method == Payment.CARD), 32001)):
            try:
                request_refund(sam, payment, cents)
            except RefundRefused:
                continue
            raise AssertionError(f"refunded {cents} of {payment.method}")
    assert not CardRefund.select().exists() and SandboxCharge.get().refunded_cents == 0


def test_a_card_refund_by_staff_shows_in_the_familys_refunds_tab_with_an_email(app, dana, signed_in, outbox):
    from conftest import page_text

    payment = paid(dana)
    sam = signed_in("staff@example.com")
    answer = sam.post(f"/staff/billing/card-payments/{payment.key}/refund", data={"amount": "10.00", "reason": "Shorter class"})
    assert answer.status_code == 303, page_text(answer)
    refunds = page_text(dana.get("/account/history", query_string={"tab": "refunds"}))
    assert "$10.00" in refunds and "$320.00" not in refunds  # the refund only, not the payment it came from
    assert outbox[-1].subject == "Your refund from Riverside Arts Academy"
