"""The one gate for email addresses and phone numbers typed by people: a maintained library checks and normalises."""
import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email

# Digits and the punctuation people write numbers with; letters (vanity numbers, "ext") are refused, not guessed at.
PHONE_CHARACTERS = re.compile(r"[0-9 +().\-]{3,32}")


class NotAnEmail(ValueError):
    """Text that is not an email address."""


class NotAPhone(ValueError):
    """Text that is not a phone number."""


def normal_email(text):
    """The address as stored: syntax checked by email-validator, domain lower-cased (no DNS look-up)."""
    try:
        address = validate_email((text or "").strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise NotAnEmail("Enter an email address like name@example.com.") from error
    if len(address) > 254:
        raise NotAnEmail("Use at most 254 characters.")
    return address.lower()


def company_region(locale):
    """The phone region numbers without a country code belong to: the company locale's country (en_US → US)."""
    return locale.rpartition("_")[2].upper() or "US"


def normal_phone(text, region="US"):
    """The number as stored and shown: national format at home, international abroad, a local-only number as typed
    digits (555-0101: possible without an area code); anything else refused."""
    text = (text or "").strip()
    if not PHONE_CHARACTERS.fullmatch(text):
        raise NotAPhone("Enter a phone number with digits only, like (212) 555-0101.")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise NotAPhone("Enter a phone number with digits only, like (212) 555-0101.") from error
    if phonenumbers.is_valid_number(number):
        home = phonenumbers.region_code_for_number(number) == region
        style = phonenumbers.PhoneNumberFormat.NATIONAL if home else phonenumbers.PhoneNumberFormat.INTERNATIONAL
        return phonenumbers.format_number(number, style)
    if phonenumbers.is_possible_number_with_reason(number) == phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    raise NotAPhone("That is not a phone number we can call: check the digits and the area code.")
