"""Forms for packages and punch passes; amounts are typed as dollars and held as integer cents."""
from flask_wtf import FlaskForm
from wtforms import DateField, FieldList, Form, FormField, SelectField, StringField
from wtforms.validators import (
    DataRequired, InputRequired, Length, NumberRange, Optional, StopValidation, ValidationError,
)

from ..models import PackageAllotment, Payment
from ..numbers import WholeNumberField, stripped, to_cents

MAX_CENTS = 100_000_00
METHODS = [(Payment.CASH, "Cash"), (Payment.CHECK, "Check")]


class MoneyField(StringField):
    """An amount typed as 45, 45.00 or $1,045.50; `data` is integer cents, None when left empty."""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = to_cents(text) if text else None
        if text and self.data is None:
            raise ValueError("Enter an amount in dollars, such as 45.00.")

    def pre_validate(self, form):
        if self.process_errors:  # "not an amount" says it all; the range check would only repeat it
            raise StopValidation()

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data / 100:.2f}" if isinstance(self.data, int) else ""


def money_field(label, required=True, minimum=1):
    """A MoneyField between `minimum` cents and the largest amount the portal takes."""
    first = InputRequired("Enter an amount.") if required else Optional()
    message = f"Enter an amount from ${minimum / 100:.2f} to $100,000.00."
    return MoneyField(label, validators=[first, NumberRange(minimum, MAX_CENTS, message)])


def count_field(label, maximum, required=True):
    """A whole number from 1 to `maximum`."""
    message = f"Enter a whole number from 1 to {maximum}."
    return WholeNumberField(label, validators=[InputRequired(message) if required else Optional(),
                                               NumberRange(1, maximum, message)])


def text_field(label, longest, required=None):
    """Stripped text of at most `longest` characters; `required` is the message when it is left empty."""
    first = DataRequired(required) if required else Optional()
    return StringField(label, default="", filters=[stripped],
                       validators=[first, Length(max=longest, message=f"Use at most {longest} characters.")])


class _OnPageForm(FlaskForm):
    # Several of these share a page under prefixes; the app-wide CSRFProtect checks the page's one token.
    class Meta:
        csrf = False


class AllotmentForm(Form):
    """One hour type or item of a package being defined; a row left without a name is ignored."""

    kind = SelectField("Kind", default=PackageAllotment.HOURS,
                       choices=[(PackageAllotment.HOURS, "Hours"), (PackageAllotment.ITEM, "Item")])
    name = text_field("Name", 80)
    quantity = count_field("Included (whole hours or items)", 9999, required=False)
    unit_price = money_field("Hourly rate or unit price", required=False, minimum=0)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        # Optional() ends a field's checks when it is empty, so a named row's missing numbers are caught here.
        missing = ((self.quantity, "Enter how many are included."), (self.unit_price, "Enter the rate or price."))
        for field, message in missing:
            if self.name.data and field.data is None and not field.errors:
                field.errors.append(message)
                valid = False
        return valid


class DefinePackageForm(FlaskForm):
    """A new package: name, price, and up to six hour types or items."""

    name = text_field("Package name", 120, required="Enter a name.")
    price = money_field("Price")
    allotments = FieldList(FormField(AllotmentForm), min_entries=6, max_entries=6)

    def validate_allotments(self, field):
        rows = [entry.form for entry in field]  # entry.name is the FormField's own name, so go through .form
        named = [(row.kind.data, row.name.data.casefold()) for row in rows if row.name.data]
        if not named:
            raise ValidationError("Add at least one hour type or item.")
        if len(set(named)) < len(named):
            raise ValidationError("Give each hour type or item its own name.")

    def lines(self):
        """[(kind, name, quantity, unit price cents)] of the rows filled in."""
        rows = [entry.form for entry in self.allotments]
        return [(r.kind.data, r.name.data, r.quantity.data, r.unit_price.data) for r in rows if r.name.data]


def _paid_now_field():
    return money_field("Paid now (optional)", required=False, minimum=0)


class SellPackageForm(FlaskForm):
    """Sell a package to a household, optionally for one of its students."""

    package = SelectField("Package", coerce=int, validate_choice=True)
    account = SelectField("Household", coerce=int, validate_choice=True)
    student = SelectField("For student", coerce=int, validate_choice=True)
    paid_now = _paid_now_field()
    method = SelectField("Paid by", choices=METHODS)


class SellPassForm(FlaskForm):
    """Sell a punch pass to a student."""

    name = text_field("Pass name", 120, required="Enter a name.")
    course = SelectField("Good for drop-ins at", coerce=int, validate_choice=True)
    punches = count_field("Punches", 100)
    price = money_field("Price")
    expires_on = DateField("Expires on (optional)", validators=[Optional()])
    paid_now = _paid_now_field()
    method = SelectField("Paid by", choices=METHODS)


class InvoiceForm(_OnPageForm):
    """Invoice N hours or items against a package."""

    allotment = SelectField("Hour type or item", coerce=int, validate_choice=True)
    quantity = count_field("Quantity", 999)
    memo = text_field("Note (optional)", 200)


class PaymentForm(_OnPageForm):
    amount = money_field("Amount")
    method = SelectField("Paid by", choices=METHODS)
    note = text_field("Note (optional)", 100)


class RefundForm(_OnPageForm):
    amount = money_field("Amount")
    reason = text_field("Reason", 150, required="Say why.")


class TransferForm(_OnPageForm):
    target = SelectField("To package", coerce=int, validate_choice=True)
    amount = money_field("Amount")


class RedeemForm(_OnPageForm):
    meeting = SelectField("Meeting", coerce=int, validate_choice=True)


def add_refusal(form, refused, default):
    """Put a service's refusal next to the field it names, or next to `default`; returns the form."""
    target = getattr(form, refused.field or default, None) or getattr(form, default)
    target.errors = [*target.errors, str(refused)]
    return form
