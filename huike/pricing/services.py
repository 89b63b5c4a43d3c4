"""Every write of the pricing app: member prices (会员价) and the discount rules (折扣, 满减,
满返). One function per business action, one transaction each, permission-checked, audited;
bad input is a field error and writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.money import ZERO
from huike.core.permissions import check_perm
from huike.core.services import delete_audited, only_known_fields, save_changes, save_new
from huike.loyalty.ledger import money_amount
from huike.loyalty.models import Tier
from huike.menu.models import Dish
from huike.org.models import Brand

from . import permissions as perms
from .models import MemberPrice, PricingRule

RULE_FIELDS = {
    "name",
    "brand",
    "tier",
    "percent_off",
    "threshold",
    "save_amount",
    "repeat",
    "return_template",
    "active",
    "valid_from",
    "valid_until",
}


# --- Input -----------------------------------------------------------------------------------
def _related(model, value, field: str, *, required: bool = True):
    if value is None or value == "":
        if required:
            raise errors.InvalidInput(fields={field: [_("This field is required.")]})
        return None
    pk = value.pk if isinstance(value, model) else value
    try:
        return model.objects.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.InvalidInput(fields={field: [_("Not found.")]}) from exc


def _coupon_template(value):
    from huike.coupons.models import CouponTemplate

    return _related(CouponTemplate, value, "return_template", required=False)


def price_amount(value, field: str = "price") -> Decimal:
    """A price of zero or more, at most two decimal places."""
    if isinstance(value, str | int | Decimal) and not isinstance(value, bool):
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            number = None
        if number is not None and number.is_finite():
            if number == 0:
                return ZERO
            if number < 0:
                raise errors.InvalidInput(fields={field: [_("Must not be negative.")]})
    return money_amount(value, field=field)


def _optional_amount(value, field: str) -> Decimal | None:
    return None if value is None or value == "" else money_amount(value, field=field)


def _percent(value) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise errors.InvalidInput(fields={"percent_off": [_("Enter a whole number.")]})
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise errors.InvalidInput(fields={"percent_off": [_("Enter a whole number.")]}) from exc
    if not number.is_finite() or number != number.to_integral_value():
        raise errors.InvalidInput(fields={"percent_off": [_("Enter a whole number.")]})
    if not 1 <= number <= 99:
        raise errors.InvalidInput(fields={"percent_off": [_("Between 1 and 99.")]})
    return int(number)


def _date(value, field: str) -> dt.date | None:
    if value is None or value == "" or isinstance(value, dt.date):
        return value or None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise errors.InvalidInput(fields={field: [_("Enter a date, e.g. 2026-05-01.")]}) from exc


def _rule_values(data: dict) -> dict:
    """Parse the rule fields present in ``data``."""
    parsers = {
        "name": lambda v: (v or "").strip(),
        "brand": lambda v: _related(Brand, v, "brand", required=False),
        "tier": lambda v: _related(Tier, v, "tier", required=False),
        "percent_off": _percent,
        "threshold": lambda v: _optional_amount(v, "threshold"),
        "save_amount": lambda v: _optional_amount(v, "save_amount"),
        "repeat": bool,
        "return_template": _coupon_template,
        "active": bool,
        "valid_from": lambda v: _date(v, "valid_from"),
        "valid_until": lambda v: _date(v, "valid_until"),
    }
    return {name: parsers[name](value) for name, value in data.items()}


# --- Member prices ---------------------------------------------------------------------------
@transaction.atomic
def member_price_create(*, acting_user, dish, price, tier=None) -> MemberPrice:
    """Set a dish's member price for a tier (no tier: every member)."""
    check_perm(acting_user, perms.CONFIGURE)
    dish = _related(Dish, dish, "dish")
    tier = _related(Tier, tier, "tier", required=False)
    price = price_amount(price)
    if MemberPrice.objects.filter(dish=dish, tier=tier).exists():
        raise errors.InvalidInput(
            fields={"tier": [_("This dish already has a member price for this tier.")]},
            code="member_price_exists",
        )
    return save_new(MemberPrice(dish=dish, tier=tier, price=price), actor=acting_user)


@transaction.atomic
def member_price_update(*, acting_user, member_price: MemberPrice, price) -> MemberPrice:
    check_perm(acting_user, perms.CONFIGURE)
    return save_changes(member_price, actor=acting_user, changes={"price": price_amount(price)})


@transaction.atomic
def member_price_delete(*, acting_user, member_price: MemberPrice) -> None:
    check_perm(acting_user, perms.CONFIGURE)
    delete_audited(member_price, actor=acting_user)


# --- Rules -----------------------------------------------------------------------------------
@transaction.atomic
def pricing_rule_create(*, acting_user, kind: str, name: str, **fields) -> PricingRule:
    """Create a discount rule: ``percent_off`` (折扣), ``spend_save`` (满减: ``threshold``,
    ``save_amount``, ``repeat``) or ``spend_return`` (满返: ``threshold``, ``return_template``,
    ``repeat``); optional ``brand``, ``tier``, ``valid_from``, ``valid_until``, ``active``."""
    check_perm(acting_user, perms.CONFIGURE)
    values = _rule_values(only_known_fields({"name": name, **fields}, RULE_FIELDS))
    if kind not in PricingRule.Kind.values:
        raise errors.InvalidInput(fields={"kind": [_("Not a valid choice.")]})
    return save_new(PricingRule(kind=kind, **values), actor=acting_user)


@transaction.atomic
def pricing_rule_update(*, acting_user, rule: PricingRule, **changes) -> PricingRule:
    """Change a rule's fields (its kind stays)."""
    check_perm(acting_user, perms.CONFIGURE)
    values = _rule_values(only_known_fields(changes, RULE_FIELDS))
    return save_changes(rule, actor=acting_user, changes=values)


@transaction.atomic
def pricing_rule_deactivate(*, acting_user, rule: PricingRule) -> PricingRule:
    """Switch a rule off (it stays, for the record; it can be switched on again)."""
    check_perm(acting_user, perms.CONFIGURE)
    return save_changes(rule, actor=acting_user, changes={"active": False})
