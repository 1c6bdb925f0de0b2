"""Checkout and staff billing forms."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, StopValidation, ValidationError

from ..numbers import to_cents, whole_number

NEW_CARD = "new"


class MoneyField(StringField):
    """An amount typed as dollars and cents, kept as integer cents in `cents`."""

    cents = None

    def pre_validate(self, form):
        self.cents = to_cents(self.data) if self.data else None
        if self.data and self.cents is None:  # said once: the field's own checks would only repeat it
            raise StopValidation("Enter an amount like 25.00.")


class PaymentMethodForm(FlaskForm):
    """View/Edit of a saved payment method: the seed's two switches."""

    set_default = BooleanField("Set to Default?")
    recurring = BooleanField("This payment method is authorized for recurring billing")


class AddPaymentMethodForm(FlaskForm):
    """Add Payment Method: the seed's Payment Method Type, a bank account only when the company takes eChecks."""

    kind = RadioField("Payment Method Type", default="card", validate_choice=False)

    def set_kinds(self, bank_accounts):
        self.kind.choices = [("card", "Credit Card (or Debit card)")] + ([("bank", "Bank Account")] if bank_accounts else [])

    def validate_kind(self, field):
        if field.data not in dict(field.choices):
            raise ValidationError("Only a card can be added here: this school does not take bank accounts online.")


class CheckoutForm(FlaskForm):
    amount = MoneyField("Amount to pay", validators=[Optional(), Length(max=20)])
    method = RadioField("Pay with", default=NEW_CARD, validate_choice=True)
    save_card = BooleanField("Save this card for next time")

    def set_methods(self, saved, fresh=False):
        """The saved cards and A new card; a fresh form (not the one posted) starts on the default card."""
        self.method.choices = [(str(m.id), m.label + (f", expires {m.expires}" if m.expires else ""))
                               for m in saved] + [(NEW_CARD, "A new card")]
        if saved and (fresh or not self.is_submitted()):
            self.method.data = str(next((m.id for m in saved if m.is_default), saved[0].id))


def _chosen_id(value):
    """A choice's id as posted; what is no whole number becomes -1, which no choice holds (refused as not offered)."""
    try:
        return whole_number(value) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        return -1


class OrderLineForm(Form):
    """One line of a staff order; an empty line is left out."""

    description = StringField("What it is for", validators=[Length(max=200)])
    amount = MoneyField("Amount", validators=[Length(max=20)])
    student = SelectField("Student", coerce=int, validate_choice=False)
    # A box-office line names no course, so nothing says it is tuition: it starts under no category.
    category = SelectField("Category", coerce=_chosen_id, validate_choice=False, default=0)

    def validate_category(self, field):
        if field.data and field.data not in dict(field.choices):
            raise ValidationError("Choose a category from the list.")

    def validate_amount(self, field):
        if self.description.data and field.cents is None:
            raise ValidationError("Enter the amount.")
        if field.cents is not None and field.cents <= 0:
            raise ValidationError("Enter an amount above zero.")


class OrderForm(FlaskForm):
    """Staff: an order for a household with a line per student, put on account."""

    account = SelectField("Household", coerce=int, validate_choice=False)
    lines = FieldList(FormField(OrderLineForm), min_entries=3, max_entries=3)
    on_account = BooleanField("Put on account", default=True)
    payable_online = BooleanField("Balance may be paid online")
    external_note = TextAreaField("Note the family sees", validators=[Length(max=500)])

    def set_choices(self, accounts, students, categories):
        """The households, students and active line categories to choose from."""
        self.account.choices = [(0, "Choose a household")] + [(a.id, a.name) for a in accounts]
        for line in self.lines:
            line.form.student.choices = [(0, "No particular student")] + [
                (s.id, f"{s.name} ({s.billing_account.name})") for s in students]
            line.form.category.choices = [(0, "No category")] + [(c.id, c.name) for c in categories]

    def filled_lines(self):
        return [line.form for line in self.lines if line.form.description.data]

    def validate_account(self, field):
        if not field.data or field.data not in dict(field.choices):
            raise ValidationError("Choose the household the order is for.")

    def validate_lines(self, field):
        if not self.filled_lines():
            raise ValidationError("Fill in at least one line.")


class OfflinePaymentForm(FlaskForm):
    """Staff: cash or a check toward an order, from any household."""

    order_number = StringField("Order number", validators=[DataRequired("Enter the order number."), Length(max=10)])
    payer = SelectField("Paid by household", coerce=int, validate_choice=False)
    amount = MoneyField("Amount", validators=[DataRequired("Enter the amount.")])
    method = RadioField("Method", choices=[("cash", "Cash"), ("check", "Check")], default="cash")
    note = StringField("Check number or note", validators=[Length(max=100)])

    def validate_order_number(self, field):
        if self.number() is None:
            raise ValidationError("Enter an order number like 1003.")

    def validate_payer(self, field):
        if field.data not in dict(field.choices) or not field.data:
            raise ValidationError("Choose the household that paid.")

    def number(self):
        """The order number typed, without its "#"; None when it is not one."""
        try:
            return whole_number((self.order_number.data or "").strip().lstrip("#"))
        except ValueError:
            return None


class VoidForm(FlaskForm):
    """Staff: write off part or all of what an order still owes."""

    amount = MoneyField("Amount to void", validators=[DataRequired("Enter the amount.")])
    reason = StringField("Reason (on the family's ledger)", validators=[Length(max=150)])


class CardRefundForm(FlaskForm):
    """Staff: give part or all of a card payment back to the card."""

    amount = MoneyField("Amount to refund", validators=[DataRequired("Enter the amount.")])
    reason = StringField("Reason (the family sees it)", validators=[Length(max=200)])
