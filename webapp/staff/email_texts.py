"""Email Management: staff's own text for each kind of email, whom the billing emails go to, and each switch."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from ..account.values import NotAnEmail, normal_email
from ..database import write_transaction
from ..emails.catalogue import KINDS, RECIPIENT_LABELS, is_on, preview_values, stored_text
from ..emails.rendering import TemplateProblem, html_paragraphs, render_subject, render_text
from ..models import EmailTemplate, ReminderSetting, utcnow
from ..numbers import stripped
from ..reminders import save_setting
from ..audit import record

LONGEST_BODY = 10_000


class EmailTextForm(FlaskForm):
    """Subject and body with placeholders, each checked by filling it in with the preview's demo values; and for
    the billing emails whom it goes to."""

    subject = StringField("Subject", filters=[stripped], validators=[
        DataRequired("Enter a subject."), Length(max=200, message="Use at most 200 characters.")])
    body = TextAreaField("Body", validators=[
        DataRequired("Enter the email's text."),
        Length(max=LONGEST_BODY, message=f"Use at most {LONGEST_BODY:,} characters.")])
    to_user = BooleanField(RECIPIENT_LABELS["user"])
    to_purchaser = BooleanField(RECIPIENT_LABELS["purchaser"])
    to_adjuster = BooleanField(RECIPIENT_LABELS["adjuster"])
    fixed_address = StringField("A specific address (also gets it)", filters=[stripped])

    def __init__(self, kind, **kwargs):
        super().__init__(**kwargs)
        self.kind = kind
        self.rendered = {}

    def recipient_fields(self):
        """The recipient boxes this kind offers (none but for the billing emails the seed names them for)."""
        return [getattr(self, f"to_{choice}") for choice in self.kind.recipients]

    def validate_subject(self, field):
        self._fill_in(field, render_subject)

    def validate_body(self, field):
        self._fill_in(field, render_text)

    def _fill_in(self, field, render):
        try:
            self.rendered[field.name] = render(field.data or "", preview_values(self.kind))
        except TemplateProblem as problem:
            raise ValidationError(str(problem)) from None

    def fill_in(self):
        """Fill the preview in from the form's data as it stands (the edit page's first view)."""
        for field, render in ((self.subject, render_subject), (self.body, render_text)):
            try:
                self._fill_in(field, render)
            except ValidationError as problem:
                field.errors = [str(problem)]

    def validate_fixed_address(self, field):
        if field.data and self.kind.recipients:
            try:
                field.data = normal_email(field.data)
            except NotAnEmail as error:
                raise ValidationError(str(error)) from None

    def validate_to_user(self, field):
        if self.kind.recipients and not self.chosen() and not self.fixed_address.data:
            raise ValidationError("Choose at least one recipient, or give an address.")

    def chosen(self):
        """The recipient choices ticked, in the catalogue's order."""
        return [choice for choice in self.kind.recipients if getattr(self, f"to_{choice}").data]


def text_form(kind, stored, switch, formdata=None):
    """The edit form: what is posted, else staff's stored text, else Cubby's text; the recipients as stored."""
    chosen = (switch.recipients.split(",") if switch and switch.recipients is not None else kind.recipients)
    data = {"subject": stored.subject if stored else kind.subject, "body": stored.body if stored else kind.body,
            "fixed_address": switch.fixed_address if switch else "",
            **{f"to_{choice}": choice in chosen for choice in kind.recipients}}
    return EmailTextForm(kind, formdata=formdata, data=data)


def preview(form):
    """(subject, text, [html paragraphs]) of the form filled with the demo values; None when it does not fill in."""
    if set(form.rendered) != {"subject", "body"}:
        return None
    return form.rendered["subject"], form.rendered["body"], html_paragraphs(form.rendered["body"])


def overview():
    """[(kind, on, has staff's text)] of every kind, in two queries."""
    switches = {s.kind: s for s in ReminderSetting.select()}
    own = {t.kind for t in EmailTemplate.select(EmailTemplate.kind)}
    return [(kind, is_on(kind, switches), kind.key in own) for kind in KINDS.values()]


def save_text(staff, kind, form):
    """Store staff's subject and body for the kind (replacing earlier ones) and, for a billing email, its
    recipients; the outbox uses them from the next email of that kind."""
    with write_transaction():
        was = stored_text(kind)
        record("email", kind.key, {name: [getattr(was, name, None), form[name].data] for name in ("subject", "body")
                                   if getattr(was, name, None) != form[name].data})
        EmailTemplate.insert(kind=kind.key, subject=form.subject.data, body=form.body.data, updated_by=staff.id,
                             updated_at=utcnow()).on_conflict(
            conflict_target=[EmailTemplate.kind],
            update={EmailTemplate.subject: form.subject.data, EmailTemplate.body: form.body.data,
                    EmailTemplate.updated_by: staff.id, EmailTemplate.updated_at: utcnow()}).execute()
        if kind.recipients:
            recipients, fixed = ",".join(form.chosen()), form.fixed_address.data or ""
            ReminderSetting.insert(kind=kind.key, enabled=is_on(kind), recipients=recipients,
                                   fixed_address=fixed).on_conflict(
                conflict_target=[ReminderSetting.kind],
                update={ReminderSetting.recipients: recipients, ReminderSetting.fixed_address: fixed}).execute()


def reset_text(kind):
    """Back to Cubby's built-in text: staff's row goes (recipients and the switch stay as they are)."""
    with write_transaction():
        removed = EmailTemplate.delete().where(EmailTemplate.kind == kind.key).execute()
        if removed:
            record("email", kind.key, {"text": ["the school's own", "Cubby's"]})
        return removed


def switch(kind, enabled, days_before=None):
    """Turn a kind on or off; security mail has no switch."""
    if kind.always_on:
        raise ValueError(f"{kind.label} is always sent.")
    with write_transaction():
        if is_on(kind) != enabled:
            record("email", kind.key, {"sent": [not enabled, enabled]})
        save_setting(kind.key, enabled, days_before)
