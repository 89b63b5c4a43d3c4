"""Phone numbers by libphonenumber's numbering-plan rules (default region: mainland China).

Stored in E.164 (+8613812341234); shown masked (138****1234) unless the viewer may see them.
"""

from __future__ import annotations

import phonenumbers
from django.utils.translation import gettext as _

from .errors import InvalidInput

DEFAULT_REGION = "CN"


def normalise_phone(raw: str, *, region: str = DEFAULT_REGION, field: str = "phone") -> str:
    """The E.164 form of ``raw``; InvalidInput (on ``field``) when it is no valid number."""
    text = (raw or "").strip()
    if not text:
        raise InvalidInput(fields={field: [_("Enter a phone number.")]})
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput(
            fields={field: [_("“%(raw)s” is not a phone number.") % {"raw": text}]}
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(
            fields={field: [_("“%(raw)s” is not a valid phone number.") % {"raw": text}]}
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(e164: str) -> bool:
    number = phonenumbers.parse(e164, None)
    return phonenumbers.number_type(number) in {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }


def national_digits(e164: str) -> str:
    """The number as dialled at home: 13812341234, 02162881234."""
    number = phonenumbers.parse(e164, None)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return "".join(c for c in national if c.isdigit())


def mask_phone(e164: str | None) -> str:
    """138****1234: the first three and last four digits of the national number."""
    if not e164:
        return ""
    digits = national_digits(e164) if e164.startswith("+") else e164
    if len(digits) <= 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def display_phone(e164: str | None) -> str:
    """Readable form: 138 1234 1234 for China, international format for others."""
    if not e164:
        return ""
    number = phonenumbers.parse(e164, None)
    if number.country_code == 86:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
