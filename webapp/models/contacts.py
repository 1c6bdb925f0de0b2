"""A household's contacts: email addresses, phone numbers and mailing addresses, each linked to a guardian or none."""
import peewee as pw

from .base import BaseModel, utcnow
from .people import Account, Guardian


class ContactEmail(BaseModel):
    """An email address of the household besides its guardians' login emails; its blast opt-out is EmailOptOut."""

    account = pw.ForeignKeyField(Account, backref="emails", on_delete="CASCADE")
    guardian = pw.ForeignKeyField(Guardian, null=True, backref="emails", on_delete="SET NULL")  # None: Unassigned
    address = pw.CharField(max_length=254)
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("account", "address"), True),)


class ContactPhone(BaseModel):
    """A phone number of the household, normalised, with its SMS opt-out."""

    account = pw.ForeignKeyField(Account, backref="phones", on_delete="CASCADE")
    guardian = pw.ForeignKeyField(Guardian, null=True, backref="phones", on_delete="SET NULL")
    number = pw.CharField(max_length=32)
    sms_opted_out = pw.BooleanField(default=False)
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("account", "number"), True),)


class MailingAddress(BaseModel):
    """A postal address of the household: free text, only the first line required."""

    account = pw.ForeignKeyField(Account, backref="addresses", on_delete="CASCADE")
    guardian = pw.ForeignKeyField(Guardian, null=True, backref="addresses", on_delete="SET NULL")
    street = pw.CharField(max_length=200)
    street_2 = pw.CharField(max_length=200, default="")
    city = pw.CharField(max_length=100, default="")
    region = pw.CharField(max_length=100, default="")
    postal_code = pw.CharField(max_length=20, default="")
    created_at = pw.DateTimeField(default=utcnow)

    @property
    def one_line(self):
        return ", ".join(part for part in (self.street, self.street_2, self.city, self.region, self.postal_code) if part)
