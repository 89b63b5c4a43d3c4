"""The rules of a coupon, in one place for the scanner (``services.coupon_redeem``), the API
check and checkout (``checkout``): its code, finding and locking it, whether it may be used
here and today, and what it is worth on an order."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.money import CENT, format_cny
from huike.core.timeutils import in_zone, local_today
from huike.org.models import Store

from .models import Coupon, CouponTemplate

# Crockford's base-32 letters without the look-alikes 0/O, 1/I/L and U: 30 symbols; twelve of
# them carry 12 × log2(30) ≈ 58.9 bits (decision 0015).
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12
Kind = CouponTemplate.Kind
Status = Coupon.Status


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw, *, field: str = "code") -> str:
    """The code as stored: upper-case, without spaces or dashes; a scanned link to the public
    coupon page gives its code too. A text that cannot be a code is ``coupon_not_found``."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        raise errors.InvalidInput(fields={field: [_("Enter the coupon code.")]})
    if "/c/" in text:
        text = text.split("/c/", 1)[1].split("/", 1)[0]
    code = text.upper().replace("-", "").replace(" ", "")
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        raise not_found(field)
    return code


def not_found(field: str) -> errors.InvalidInput:
    message = _("No coupon has this code.")
    return errors.InvalidInput(message, fields={field: [message]}, code="coupon_not_found")


def refuse(code: str, message, field: str) -> errors.InvalidInput:
    return errors.InvalidInput(message, fields={field: [message]}, code=code)


def lock_coupon(code: str, *, field: str = "code") -> Coupon:
    """The coupon of the active brand group with this (normalised) code, its row locked until
    the end of the transaction (on SQLite the transaction holds the write lock: decision
    0003); another group's code is not found."""
    try:
        # Not joined with the store it was used at: on PostgreSQL a row that changed while
        # this waited for its lock would come back with that outer join empty.
        return (
            Coupon.objects.select_for_update(of=("self",))
            .select_related("template", "template__dish")
            .get(code=code)
        )
    except Coupon.DoesNotExist as exc:
        raise not_found(field) from exc


def find_coupon(code: str, *, field: str = "code") -> Coupon:
    """Like ``lock_coupon`` without the lock (for a check that writes nothing)."""
    try:
        return Coupon.objects.select_related("template", "template__dish", "redeemed_store").get(
            code=code
        )
    except Coupon.DoesNotExist as exc:
        raise not_found(field) from exc


def _date(value: dt.date) -> str:
    return value.strftime("%Y-%m-%d")


def already_used(coupon: Coupon, *, field: str) -> errors.Conflict:
    store = Store.objects.filter(pk=coupon.redeemed_store_id).first()
    when = in_zone(coupon.redeemed_at, store.time_zone if store else None)
    message = _("This coupon was already used on %(when)s at %(store)s.") % {
        "when": when.strftime("%Y-%m-%d %H:%M"),
        "store": store.name if store else "—",
    }
    return errors.Conflict(message, code="coupon_already_used", fields={field: [message]})


def template_store_ids(template: CouponTemplate) -> set[int]:
    return set(template.stores.values_list("pk", flat=True))


def check_usable(coupon: Coupon, *, store, today: dt.date | None = None, field: str = "code"):
    """Refuse a coupon that is used, voided, expired, not yet valid or not for ``store``."""
    today = today or local_today(store.time_zone)
    if coupon.status == Status.REDEEMED:
        raise already_used(coupon, field=field)
    if coupon.status == Status.VOIDED:
        raise refuse("coupon_voided", _("This coupon was voided."), field)
    if coupon.status == Status.EXPIRED or coupon.valid_until < today:
        raise refuse(
            "coupon_expired",
            _("This coupon expired on %(date)s.") % {"date": _date(coupon.valid_until)},
            field,
        )
    if coupon.valid_from > today:
        raise refuse(
            "coupon_not_yet_valid",
            _("This coupon can be used from %(date)s.") % {"date": _date(coupon.valid_from)},
            field,
        )
    stores = template_store_ids(coupon.template)
    if stores and store.pk not in stores:
        raise refuse("coupon_wrong_store", _("This coupon cannot be used at this store."), field)


def check_min_spend(template: CouponTemplate, amount: Decimal, *, field: str) -> None:
    if amount < template.min_spend:
        raise refuse(
            "coupon_min_spend",
            _("This coupon needs a spend of at least %(amount)s.")
            % {"amount": format_cny(template.min_spend)},
            field,
        )


def percent_of(base: Decimal, template: CouponTemplate) -> Decimal:
    """``percent_off`` of ``base``, to the cent half-up, at most ``max_discount``."""
    value = (base * Decimal(template.percent_off) / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    if template.max_discount is not None:
        value = min(value, template.max_discount)
    return value


def scan_value(coupon: Coupon, amount: Decimal | None) -> Decimal | None:
    """What a coupon scanned at the till is worth when only the bill's amount is known: cash
    and referral coupons their face value (at most the amount), a percent coupon its share of
    the amount; a dish coupon's value is known only with the order's lines (None)."""
    template = coupon.template
    if template.kind in (Kind.CASH, Kind.REFERRAL):
        return template.face_value if amount is None else min(template.face_value, amount)
    if template.kind == Kind.PERCENT and amount is not None:
        return percent_of(amount, template)
    return None


def value_text(template: CouponTemplate) -> str:
    """The coupon's value in words for people: ¥50, 12% off, a free dish."""
    if template.kind in (Kind.CASH, Kind.REFERRAL):
        return format_cny(template.face_value)
    if template.kind == Kind.PERCENT:
        text = _("%(n)s%% off") % {"n": template.percent_off}
        if template.max_discount is not None:
            text += " " + _("(at most %(amount)s)") % {"amount": format_cny(template.max_discount)}
        return text
    return _("one %(dish)s") % {"dish": template.dish.name if template.dish_id else "—"}
