"""Every kind of email Cubby sends, as Email Management shows it: its switch, its placeholders, the demo values of
its preview, Cubby's text written with those placeholders (where staff start editing), and whom it may go to.

A kind is named by its switch (ReminderSetting.kind) and known to queue_mail by its template pair. `values` turns what
the service hands queue_mail (model objects) into plain strings, the only thing a staff template ever sees.
"""
from dataclasses import dataclass, field

from ..models import EmailTemplate, ReminderSetting
from ..templating import clock, current_company, day, money

BILLING, ACCOUNT, CLASSES, REMINDERS = "Billing", "Account and security", "Classes", "Reminders"
USER, PURCHASER, ADJUSTER = "user", "purchaser", "adjuster"
RECIPIENT_LABELS = {USER: "The user (the students' own logins, else the household's primary guardians)",
                    PURCHASER: "Purchaser", ADJUSTER: "Order Status Adjuster"}
WHEN = "EEEE d MMMM"


@dataclass(frozen=True)
class EmailKind:
    """One kind of email and what staff may change about it."""

    key: str
    label: str
    group: str
    sent_when: str
    placeholders: dict  # name: what it holds
    preview: dict  # name: the demo value
    subject: str
    body: str
    values: callable = field(repr=False)
    template: str = ""  # its template pair's name, when not the key (the reminders' keys are their switches')
    always_on: str = ""  # why it cannot be turned off (security mail)
    recipients: tuple = ()  # the seed's recipient choices, where it names them

    @property
    def all_placeholders(self):
        return {**self.placeholders, **COMMON}

    @property
    def template_name(self):
        return f"emails/{self.template or self.key}"


def _when(moment):
    return f"{day(moment, WHEN)}, {clock(moment)}"


def _pending_payment(order, items, po_number, **_):
    return {"order_number": str(order.number), "po_number": po_number,
            "lines": "\n".join(f"- {i.course.name} for {i.student.name}: {money(i.course.price_cents)}" for i in items)}


def _status_adjusted(order, from_label, to_label, note="", **_):
    return {"order_number": str(order.number), "from_status": from_label, "to_status": to_label, "note": note}


def _receipt(payment, lines, kept, paid_with, **_):
    return {"reference": payment.key[:8], "paid_with": paid_with, "total_paid": money(payment.amount_cents),
            "lines": "\n".join(f"Order #{o.number}: {money(applied)} applied, new balance {money(balance)}"
                               for o, applied, balance in lines),
            "credit_kept": money(kept) if kept else ""}


def _refund(payment, refund, **_):
    to = (f"your {payment.card_brand} ending {payment.card_last4}" if payment.method == "card"
          else f"your {payment.method_label.lower()} payment")
    return {"amount": money(refund.amount_cents), "refunded_to": to, "reference": payment.key[:8],
            "paid": money(payment.amount_cents), "reason": refund.reason or ""}


def _void(order, cents, owed, reason="", **_):
    return {"order_number": str(order.number), "amount": money(cents), "still_owes": money(owed), "reason": reason}


def _invitation(sent_by, household, days, **_):
    return {"sent_by_name": sent_by.name, "household_name": household.name, "days": str(days)}


def _password_reset(user, minutes, asked_by=None, **_):
    return {"email": user.email, "has_password": bool(user.has_password), "minutes": str(minutes),
            "asked_by_name": asked_by.name if asked_by else ""}


def _asked_again(invitee, by_staff, **_):
    where = ("the household's page in the staff console (\"Send the invitation again\")" if by_staff
             else "My Account, Guardians (\"Re-Send Invite Email\")")
    return {"invitee_name": invitee.name, "invitee_email": invitee.email, "where": where}


def _makeup_requested(student, meeting, note="", **_):
    return {"student_name": student.name, "course_name": meeting.course.name, "when": _when(meeting.starts_at),
            "note": note}


def _makeup_decided(request, **_):
    return {"decision": request.status, "student_first_name": request.student.first_name,
            "course_name": request.meeting.course.name, "when": _when(request.meeting.starts_at),
            "reason": request.reason or ""}


def _balance_due(order, balance, first_class, **_):
    return {"order_number": str(order.number), "balance": money(balance), "first_class": _when(first_class),
            "note": order.external_note or "", "payable_online": bool(order.payable_online)}


def _payment_failed(payment, **_):
    return {"amount": money(payment.amount_cents), "failure": payment.failure or ""}


def _absence_confirmed(absence, **_):
    dates = (f"on {day(absence.first_day, WHEN)}" if absence.first_day == absence.last_day
             else f"from {day(absence.first_day, WHEN)} to {day(absence.last_day, WHEN)}")
    return {"student_first_name": absence.student.first_name,
            "course_name": absence.course.name if absence.course_id else "", "dates": dates,
            "reason": absence.reason.name}


def _meeting_changed(meeting, was, cancelled, **_):
    now = "" if cancelled else f"{_when(meeting.starts_at)} to {clock(meeting.ends_at)}"
    return {"course_name": meeting.course.name, "location_name": meeting.course.location.name, "was": _when(was),
            "now": now, "cancelled": bool(cancelled)}


def _waitlist_offered(course, student, until, **_):
    return {"course_name": course.name, "student_first_name": student.first_name, "until": _when(until)}


COMMON = {"company_name": "The school's name", "link": "The web address the email points to"}
DEMO = {"company_name": "Riverside Arts Academy", "link": "https://cubby.example/"}
SECURITY = ("It carries a link that sets a password or opens an account: turned off, nobody could sign in or "
            "accept an invitation, so it is always sent (an unsubscribed address gets it too).")

KINDS = {k.key: k for k in [
    EmailKind(
        "pending_payment", "Pending Payment Notification", BILLING,
        "A user subject to Pending Payment checks out with Send Bill.",
        {"order_number": "The order's number", "po_number": "The purchase order number",
         "lines": "One line per course bought: course, student, price"},
        {"order_number": "1001", "po_number": "ACME-1", "lines": "- Ballet I for Amy Smith: $320.00"},
        "Pending Payment Notification: order #{{ order_number }}",
        "{{ company_name }}: Pending Payment Notification\n\n"
        "Order #{{ order_number }} was billed to purchase order {{ po_number }} and is in Pending Payment.\n"
        "{{ lines }}\n\nYour seat is reserved. The course material opens when the payment is received.\n\n"
        "Open Cubby: {{ link }}",
        _pending_payment, recipients=(USER, PURCHASER)),
    EmailKind(
        "status_adjusted", "Order Status Adjusted", BILLING,
        "An order's status changes (staff mark it Complete, Denied or Cancelled).",
        {"order_number": "The order's number", "from_status": "Its status before", "to_status": "Its status now",
         "note": "What staff recorded with the change (may be empty)"},
        {"order_number": "1001", "from_status": "Pending Payment", "to_status": "Complete",
         "note": "Check CHK 552: $320.00 received"},
        "Order Status Adjusted: order #{{ order_number }}",
        "{{ company_name }}: Order Status Adjusted\n\n"
        "The status of order #{{ order_number }} changed from {{ from_status }} to {{ to_status }}.\n"
        "{% if note %}{{ note }}\n{% endif %}\nOpen Cubby: {{ link }}",
        _status_adjusted, recipients=(USER, PURCHASER, ADJUSTER)),
    EmailKind(
        "receipt", "Payment receipt", BILLING, "A payment is made online or recorded by staff.",
        {"reference": "The payment's reference", "paid_with": "How it was paid",
         "lines": "One line per order it paid", "credit_kept": "What was kept as credit (may be empty)",
         "total_paid": "The amount paid"},
        {"reference": "3f9a2c1d", "paid_with": "Visa ending 4242", "total_paid": "$320.00", "credit_kept": "",
         "lines": "Order #1001: $320.00 applied, new balance $0.00"},
        "Your receipt from {{ company_name }}",
        "Thank you for your payment to {{ company_name }}.\n\nReference: {{ reference }}\nPaid with: {{ paid_with }}"
        "\n\n{{ lines }}\n{% if credit_kept %}Kept as credit on your account: {{ credit_kept }}\n{% endif %}\n"
        "Total paid: {{ total_paid }}\n\nSee it in Cubby: {{ link }}",
        _receipt),
    EmailKind(
        "refund", "Refund", BILLING, "Staff refund a payment, or the card provider reports a refund.",
        {"amount": "The amount refunded", "refunded_to": "Where it went back to", "reference": "The payment's reference",
         "paid": "What the payment was", "reason": "The reason given (may be empty)"},
        {"amount": "$50.00", "refunded_to": "your Visa ending 4242", "reference": "3f9a2c1d", "paid": "$320.00",
         "reason": "Class cancelled"},
        "Your refund from {{ company_name }}",
        "{{ company_name }} has refunded {{ amount }} to {{ refunded_to }}.\n\n"
        "Payment reference: {{ reference }} (paid {{ paid }})\n{% if reason %}Reason: {{ reason }}\n{% endif %}\n"
        "See your account: {{ link }}",
        _refund),
    EmailKind(
        "void", "Order adjusted (a void)", BILLING, "Staff void part or all of what an order owes.",
        {"order_number": "The order's number", "amount": "The amount taken off", "still_owes": "What it owes now",
         "reason": "The reason given (may be empty)"},
        {"order_number": "1001", "amount": "$40.00", "still_owes": "$280.00", "reason": "Sibling discount"},
        "Order #{{ order_number }} adjusted by {{ company_name }}",
        "{{ company_name }} has taken {{ amount }} off order #{{ order_number }}{% if reason %}: {{ reason }}"
        "{% endif %}.\n\nOrder #{{ order_number }} now owes {{ still_owes }}. See your account: {{ link }}",
        _void),
    EmailKind(
        "invitation", "Guardian invitation", ACCOUNT, "A guardian is invited to log in to a household.",
        {"sent_by_name": "Who invites them", "household_name": "The household", "days": "How long the link works"},
        {"sent_by_name": "Dana Smith", "household_name": "Smith household", "days": "7"},
        "{{ sent_by_name }} invites you to {{ company_name }}'s family portal",
        "{{ sent_by_name }} invites you to log in to {{ household_name }} at {{ company_name }}'s family portal.\n\n"
        "Accept the invitation and choose your password (the link works once, for {{ days }} days):\n{{ link }}\n\n"
        "If you do not know {{ sent_by_name }}, ignore this email.",
        _invitation, always_on=SECURITY),
    EmailKind(
        "password_reset", "Password reset", ACCOUNT, "Someone asks for Forgot password, or a guardian's Reset Password.",
        {"email": "The login's email", "has_password": "True when the login has a password already",
         "minutes": "How long the link works", "asked_by_name": "Who asked for it for them (may be empty)"},
        {"email": "parent@example.com", "has_password": True, "minutes": "60", "asked_by_name": ""},
        "{% if has_password %}Set your {{ company_name }} password{% else %}Start using {{ company_name }}'s family "
        "portal{% endif %}",
        "{% if has_password %}Someone (we hope you) asked to set a new password for {{ email }} at {{ company_name }}."
        "{% else %}Start using {{ company_name }}'s family portal: set a password for {{ email }}.{% endif %}\n"
        "{% if asked_by_name %}{{ asked_by_name }} asked for this email to be sent to you.\n{% endif %}\n"
        "Set your password (the link works once, for {{ minutes }} minutes):\n{{ link }}\n\n"
        "If you did not ask for it, ignore this email: your password stays as it is.",
        _password_reset, always_on=SECURITY),
    EmailKind(
        "invitation_asked_again", "A new invitation asked for", ACCOUNT,
        "An invited guardian's link expired or was replaced and they ask whoever invited them for a new one.",
        {"invitee_name": "The invited guardian", "invitee_email": "Their email", "where": "Where to send a new one"},
        {"invitee_name": "Chris Smith", "invitee_email": "partner@example.com",
         "where": "My Account, Guardians (\"Re-Send Invite Email\")"},
        "{{ invitee_name }} asks for a new invitation",
        "{{ invitee_name }} ({{ invitee_email }}) could not use their invitation: it expired or was replaced.\n\n"
        "Send a new one from {{ where }}:\n{{ link }}",
        _asked_again),
    EmailKind(
        "makeup_requested", "Makeup requested (to staff)", CLASSES, "A family requests a makeup class.",
        {"student_name": "The student", "course_name": "The class asked for", "when": "Its date and time",
         "note": "The family's note (may be empty)"},
        {"student_name": "Amy Smith", "course_name": "Ballet I", "when": "Tuesday 8 December, 4:00 PM", "note": ""},
        "Makeup requested",
        "{{ student_name }} asks for a makeup at {{ course_name }} on {{ when }}.\n"
        "{% if note %}\nTheir note: {{ note }}\n{% endif %}\nApprove or decline it: {{ link }}",
        _makeup_requested),
    EmailKind(
        "makeup_decided", "Makeup approved or declined", CLASSES, "Staff approve or decline a makeup request.",
        {"decision": "approved or declined", "student_first_name": "The student's first name",
         "course_name": "The class", "when": "Its date and time", "reason": "Why it was declined (may be empty)"},
        {"decision": "approved", "student_first_name": "Amy", "course_name": "Ballet I",
         "when": "Tuesday 8 December, 4:00 PM", "reason": ""},
        "Makeup {{ decision }}: {{ student_first_name }}, {{ course_name }}",
        "{{ company_name }} {{ decision }} the makeup requested for {{ student_first_name }} at {{ course_name }} "
        "on {{ when }}.\n{% if reason %}\nReason: {{ reason }}\n{% endif %}\n"
        "See {{ student_first_name }}'s makeups: {{ link }}",
        _makeup_decided),
    EmailKind(
        "balance_due", ReminderSetting.LABELS["balance_due"], REMINDERS,
        "The daily reminders job: an order still owes and its first class is near.",
        {"order_number": "The order's number", "balance": "What it still owes", "first_class": "The first class",
         "note": "The order's note to the family (may be empty)", "payable_online": "True when it can be paid online"},
        {"order_number": "1001", "balance": "$320.00", "first_class": "Tuesday 8 December, 4:00 PM", "note": "",
         "payable_online": True},
        "Balance due before the first class: order #{{ order_number }}",
        "Order #{{ order_number }} still owes {{ balance }}, and the first class is on {{ first_class }}.\n"
        "{% if note %}\nA note from {{ company_name }}: {{ note }}\n{% endif %}\n"
        "{% if payable_online %}Pay it online: {{ link }}{% else %}Please pay at the front desk, or see your account: "
        "{{ link }}{% endif %}\n\nYou get this reminder because you are on the order.",
        _balance_due, template="reminder_balance_due"),
    EmailKind(
        "payment_failed", ReminderSetting.LABELS["payment_failed"], REMINDERS,
        "The reminders job: a card payment failed lately.",
        {"amount": "The amount tried", "failure": "What the card network said (may be empty)"},
        {"amount": "$320.00", "failure": "Your card was declined."},
        "Your payment to {{ company_name }} did not go through",
        "Your card payment of {{ amount }} to {{ company_name }} did not go through, so nothing was charged.\n"
        "{% if failure %}\nWhat the card network said: {{ failure }}\n{% endif %}\n"
        "Your orders are still in your cart. Try again, or with another card: {{ link }}",
        _payment_failed, template="reminder_payment_failed"),
    EmailKind(
        "absence_confirmed", ReminderSetting.LABELS["absence_confirmed"], REMINDERS,
        "The reminders job: a family reported a future absence.",
        {"student_first_name": "The student's first name", "course_name": "The class (may be empty: every class)",
         "dates": "The day or days", "reason": "The absence reason"},
        {"student_first_name": "Amy", "course_name": "Ballet I", "dates": "on Tuesday 8 December", "reason": "Sick"},
        "Absence confirmed: {{ student_first_name }}",
        "{{ company_name }} knows that {{ student_first_name }} will be away{% if course_name %} from "
        "{{ course_name }}{% endif %}:\n{{ dates }} ({{ reason }}).\n\nSee or change it in Upcoming Courses: {{ link }}",
        _absence_confirmed, template="reminder_absence_confirmed"),
    EmailKind(
        "meeting_changed", ReminderSetting.LABELS["meeting_changed"], REMINDERS,
        "Staff move or cancel a class; its families hear at once.",
        {"course_name": "The course", "location_name": "Its location", "was": "When it was",
         "now": "When it is now (empty when cancelled)", "cancelled": "True when it is cancelled"},
        {"course_name": "Ballet I", "location_name": "Downtown", "was": "Tuesday 8 December, 4:00 PM",
         "now": "Wednesday 9 December, 4:00 PM to 5:00 PM", "cancelled": False},
        "{{ course_name }} {% if cancelled %}is cancelled{% else %}has moved{% endif %}",
        "{% if cancelled %}{{ company_name }} has cancelled {{ course_name }} at {{ location_name }} on {{ was }}.\n"
        "Any absence you had reported for it is dropped.{% else %}{{ company_name }} has moved {{ course_name }} at "
        "{{ location_name }}:\nit was {{ was }}; it is now {{ now }}.{% endif %}\n\n"
        "See it in Upcoming Courses: {{ link }}",
        _meeting_changed, template="reminder_meeting_changed"),
    EmailKind(
        "waitlist_offered", ReminderSetting.LABELS["waitlist_offered"], REMINDERS,
        "A seat frees up and is held for the first student on the waitlist.",
        {"course_name": "The course", "student_first_name": "The student's first name",
         "until": "When the hold ends"},
        {"course_name": "Ballet I", "student_first_name": "Amy", "until": "Thursday 10 December, 9:00 AM"},
        "A seat in {{ course_name }} is held for {{ student_first_name }}",
        "A seat in {{ course_name }} is free, and {{ company_name }} is holding it for {{ student_first_name }}\n"
        "until {{ until }}.\n\nRegister in My registrations before then: {{ link }}\n"
        "After that the seat goes to the next student on the waitlist.",
        _waitlist_offered, template="reminder_waitlist_offered"),
]}


_BY_TEMPLATE = {kind.template_name: kind for kind in KINDS.values()}


def kind_of_template(template):
    """The kind an outbox template pair belongs to, or None for mail Email Management does not manage."""
    return _BY_TEMPLATE.get(template)


def plain_values(kind, context):
    """What a staff template of this kind may use, from what the service handed queue_mail."""
    return {"company_name": current_company().name, "link": context["link"], **kind.values(**context)}


def preview_values(kind):
    """The demo values the edit page previews with, and saving validates against."""
    return {**DEMO, **kind.preview}


def switch_row(kind):
    """The kind's stored switch, or None (on, sent to Cubby's recipients)."""
    return ReminderSetting.get_or_none(ReminderSetting.kind == kind.key)


def is_on(kind, switches=None):
    """Whether the kind is sent: security mail always; otherwise its stored switch (from `switches`, the rows
    read already, when given), else its default: on."""
    if kind.always_on:
        return True
    row = switches.get(kind.key) if switches is not None else switch_row(kind)
    return row.enabled if row else ReminderSetting.DEFAULTS.get(kind.key, (True, None))[0]


def chosen_recipients(key):
    """({the kind's recipient choices staff ticked}, [a fixed address, if any]); Cubby's choice is all of them."""
    kind = KINDS[key]
    row = switch_row(kind)
    if row is None or row.recipients is None:
        chosen = set(kind.recipients)
    else:
        chosen = {r for r in row.recipients.split(",") if r in kind.recipients}
    return chosen, [row.fixed_address] if row and row.fixed_address else []


def stored_text(kind):
    """Staff's own subject and body for the kind, or None when Cubby's built-in text is sent."""
    return EmailTemplate.get_or_none(EmailTemplate.kind == kind.key)
