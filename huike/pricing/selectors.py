"""Reads of the pricing app: the lists of the console and API, and the quote (试算) of an order
from plain input — a store, a card number, dishes by code or id — through ``price_order``."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.money import ZERO
from huike.core.permissions import check_perm, restrict
from huike.loyalty.models import MembershipCard
from huike.menu.models import Dish
from huike.org.models import Store

from . import permissions as perms
from .models import MemberPrice, PricingRule
from .pricing import STACKING_RULES, LineIn, Quote, price_order
from .services import price_amount

MAX_LINES = 200


def member_price_list(*, user, dish=None, tier=None):
    check_perm(user, perms.VIEW)
    prices = MemberPrice.objects.select_related("dish", "tier")
    if dish is not None:
        prices = prices.filter(dish_id=dish)
    if tier is not None:
        prices = prices.filter(tier_id=tier)
    return prices


def pricing_rule_list(*, user, kind: str | None = None, active: bool | None = None):
    check_perm(user, perms.VIEW)
    rules = PricingRule.objects.select_related("brand", "tier", "return_template")
    if kind:
        rules = rules.filter(kind=kind)
    if active is not None:
        rules = rules.filter(active=active)
    return rules


def member_price_get(*, user, pk) -> MemberPrice:
    check_perm(user, perms.VIEW)
    try:
        return MemberPrice.objects.select_related("dish", "tier").get(pk=pk)
    except (MemberPrice.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.NotFound() from exc


def pricing_rule_get(*, user, pk) -> PricingRule:
    check_perm(user, perms.VIEW)
    try:
        return PricingRule.objects.select_related("brand", "tier").get(pk=pk)
    except (PricingRule.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.NotFound() from exc


def stacking_rules(*, user) -> list[str]:
    check_perm(user, perms.VIEW)
    return [str(rule) for rule in STACKING_RULES]


# --- The quote (试算) -------------------------------------------------------------------------
def _store(user, value) -> Store:
    try:
        return restrict(Store.objects.select_related("brand"), user).get(pk=value)
    except (Store.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.InvalidInput(fields={"store": [_("Not found.")]}) from exc


def card_by_number(number) -> MembershipCard | None:
    """The card with this number (``None`` for none given); an unknown number is a field
    error of ``member_card`` (code ``card_not_found``, as at checkout)."""
    number = (number or "").strip()
    if not number:
        return None
    card = (
        MembershipCard.objects.select_related("tier", "store", "guest")
        .filter(number=number)
        .first()
    )
    if card is None:
        raise errors.InvalidInput(
            fields={"member_card": [_("No membership card has this number.")]},
            code="card_not_found",
        )
    return card


def _dish(index: int, line: dict) -> Dish:
    code, pk = (line.get("dish_code") or "").strip(), line.get("dish")
    if not code and pk is None:
        raise errors.InvalidInput(fields={f"lines.{index}.dish": [_("This field is required.")]})
    found = Dish.objects.filter(code=code) if code else Dish.objects.filter(pk=pk)
    dish = found.first()
    if dish is None:
        name = "dish_code" if code else "dish"
        raise errors.InvalidInput(fields={f"lines.{index}.{name}": [_("Not found.")]})
    return dish


def _qty(index: int, value) -> Decimal:
    try:
        qty = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise errors.InvalidInput(fields={f"lines.{index}.qty": [_("Enter a number.")]}) from exc
    if not qty.is_finite() or qty <= 0 or qty > 9999 or qty != qty.quantize(Decimal("0.001")):
        raise errors.InvalidInput(
            fields={f"lines.{index}.qty": [_("More than 0, at most 9999, 3 decimal places.")]}
        )
    return qty


def quote_lines(lines: list[dict]) -> list[LineIn]:
    """Order lines from ``[{dish_code or dish, qty, price_tier}]``, at the dish's listed
    price of the price tier."""
    if not lines:
        raise errors.InvalidInput(fields={"lines": [_("Add at least one dish.")]})
    if len(lines) > MAX_LINES:
        raise errors.InvalidInput(fields={"lines": [_("At most %(n)s lines.") % {"n": MAX_LINES}]})
    result = []
    for index, line in enumerate(lines):
        dish = _dish(index, line)
        tier = line.get("price_tier") or Dish.PriceTier.REGULAR
        if tier not in Dish.PriceTier.values:
            raise errors.InvalidInput(
                fields={f"lines.{index}.price_tier": [_("Not a valid choice.")]}
            )
        result.append(
            LineIn(
                dish=dish,
                qty=_qty(index, line.get("qty")),
                unit_price=dish.price_for(tier),
                price_tier=tier,
            )
        )
    return result


def _service_charge(value) -> Decimal:
    if value is None or value == "":
        return ZERO
    return price_amount(value, "service_charge")


def _coupons(codes, *, card, store):
    codes = [str(c).strip() for c in codes or () if str(c).strip()]
    if not codes:
        return []
    if card is None:
        raise errors.InvalidInput(
            fields={"coupons": [_("Give the member card the coupons belong to.")]}
        )
    from huike.coupons.checkout import coupons_lock_for_checkout

    return coupons_lock_for_checkout(codes, guest=card.guest, store=store)


@transaction.atomic
def order_quote(
    *, user, store, lines: list[dict], member_card="", service_charge=None, coupons=()
) -> Quote:
    """Price an order from plain input without writing anything (试算)."""
    check_perm(user, perms.VIEW)
    store = _store(user, store)
    card = card_by_number(member_card)
    priced_lines = quote_lines(lines)
    charge = _service_charge(service_charge)
    found = _coupons(coupons, card=card, store=store)
    return price_order(
        store=store, card=card, lines=priced_lines, service_charge=charge, coupons=found
    )


def quote_data(quote: Quote) -> dict:
    """The quote as plain data (for the API and the page)."""
    return {
        "lines": [
            {
                "dish": line.dish_id,
                "dish_code": line.dish.code if line.dish else "",
                "dish_name": line.dish.name if line.dish else "",
                "qty": line.qty,
                "list_price": line.list_price,
                "unit_price": line.unit_price,
                "line_total": line.line_total,
                "discount": line.discount,
                "discountable": line.discountable,
                "rule": line.rule,
            }
            for line in quote.lines
        ],
        "subtotal": quote.subtotal,
        "member_discount": quote.member_discount,
        "threshold_discount": quote.threshold_discount,
        "discount": quote.discount,
        "service_charge": quote.service_charge,
        "total": quote.total,
        "coupons": [
            {"code": getattr(coupon, "code", str(coupon)), "value": value}
            for coupon, value in quote.coupon_uses
        ],
        "coupon_total": quote.coupon_total,
        "due": quote.due,
        "returns": [{"id": t.pk, "name": str(t)} for t in quote.returns],
        "steps": quote.steps,
    }
