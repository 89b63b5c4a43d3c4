"""The one pricing function used at checkout (SPEC L4): ``price_order`` turns an order's lines,
the member card and the coupons into a ``Quote`` with every amount and, for staff, the steps
that led to it. It reads only; checkout writes.

The stacking rules are fixed here and shown to staff as ``STACKING_RULES`` (decision 0018):

1. On each line the lower of the member price and the percent-off price applies, never both;
   dishes that are not discountable get no percent off (their member price still applies).
   A member price never raises a listed price.
2. 满减: only the single best rule, on the dishes' amount after the line discounts.
3. Coupons then, in the order given, each valued on the amount still due; whether a coupon may
   join member pricing is its template's own flag.
4. 满返: only the rule with the highest threshold reached, judged on the amount paid for
   dishes after coupons; its coupons are issued after payment.
5. The service charge is never discounted and never counts toward a threshold.

Only rules in force apply: active, within their dates in the store's local today, of the
card's tier or of every member, and of the store's brand when that brand has rules of the kind
in force, else the brand group's (no brand). Amounts are exact: ``Decimal``, half-up to the
cent, and nothing goes below zero.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huike.core import errors
from huike.core.money import CENT, ZERO, format_cny
from huike.core.timeutils import local_today
from huike.loyalty.services import check_usable
from huike.menu.models import Dish

from .models import MemberPrice, PricingRule

Kind = PricingRule.Kind
HUNDRED = Decimal(100)

STACKING_RULES = [
    gettext_lazy(
        "On each dish the lower of the member price and the percent-off price applies, never "
        "both. Dishes that are not discountable get no percent off; their member price still "
        "applies. A member price never raises a listed price."
    ),
    gettext_lazy(
        "Spend-and-save (满减): only the single best rule applies, on the dishes' amount after "
        "member prices and percent off."
    ),
    gettext_lazy(
        "Coupons come next, in the order presented, each valued on the amount still due. "
        "Whether a coupon may be used together with member prices is set on the coupon."
    ),
    gettext_lazy(
        "Spend-and-get-a-coupon (满返): only the rule with the highest threshold reached, "
        "judged on what is paid for the dishes after coupons; the coupons are sent after "
        "payment."
    ),
    gettext_lazy(
        "The service charge is never discounted and never counts toward a threshold. No "
        "amount ever goes below zero; amounts are rounded half-up to the cent."
    ),
    gettext_lazy(
        "Only rules in force apply: active, within their dates, for the card's tier or every "
        "member, and the brand's own rules of a kind when it has any, else the group's."
    ),
]


@dataclass
class LineIn:
    dish: Dish | None
    qty: Decimal
    unit_price: Decimal  # the listed price of the line's price tier
    price_tier: str = "regular"


@dataclass
class PricedLine:
    dish: Dish | None
    dish_id: int | None
    category_id: int | None
    qty: Decimal
    list_price: Decimal  # listed unit price
    unit_price: Decimal  # unit price charged after member pricing
    line_total: Decimal  # qty × unit_price, half-up to the cent
    discount: Decimal  # qty × list_price − line_total (rounded)
    discountable: bool
    rule: str  # what priced it ("会员价", "9.5折", "")


@dataclass
class Quote:
    lines: list[PricedLine]
    subtotal: Decimal  # at list prices
    member_discount: Decimal  # line-level (member price / percent off)
    threshold_discount: Decimal  # 满减
    discount: Decimal  # member_discount + threshold_discount
    service_charge: Decimal
    total: Decimal  # subtotal − discount + service_charge
    coupon_uses: list[tuple] = field(default_factory=list)  # (coupon, value)
    coupon_total: Decimal = ZERO
    due: Decimal = ZERO  # total − coupon_total
    returns: list = field(default_factory=list)  # CouponTemplates of 满返 reached
    steps: list[str] = field(default_factory=list)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# --- Rules in force --------------------------------------------------------------------------
def rules_in_force(*, store, card, today: dt.date) -> dict[str, list[PricingRule]]:
    """The rules that apply to ``card`` at ``store`` on ``today``, by kind (brand logic as the
    top-up rules: the store's brand's own rules of a kind when it has any, else the group's)."""
    if card is None:
        return {}
    tier = Q(tier__isnull=True) | Q(tier_id=card.tier_id) if card.tier_id else Q(tier__isnull=True)
    rules = (
        PricingRule.objects.filter(active=True)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .filter(tier)
        .filter(Q(brand__isnull=True) | Q(brand_id=store.brand_id))
        .select_related("return_template")
        .order_by("pk")
    )
    by_kind: dict[str, list[PricingRule]] = {}
    for rule in rules:
        by_kind.setdefault(rule.kind, []).append(rule)
    for kind, found in by_kind.items():
        own = [r for r in found if r.brand_id is not None]
        by_kind[kind] = own or found
    return by_kind


def member_prices(*, card, dish_ids: set[int]) -> dict[int, Decimal]:
    """The lowest member price of each dish for the card's tier (tier-specific or all-member)."""
    if card is None or not dish_ids:
        return {}
    tier = Q(tier__isnull=True) | Q(tier_id=card.tier_id) if card.tier_id else Q(tier__isnull=True)
    found: dict[int, Decimal] = {}
    for dish_id, price in MemberPrice.objects.filter(tier, dish_id__in=dish_ids).values_list(
        "dish_id", "price"
    ):
        found[dish_id] = min(price, found.get(dish_id, price))
    return found


def percent_label(percent: int) -> str:
    """9.5折 for 5 % off (the Chinese way of naming a discount by what is paid)."""
    paid = (HUNDRED - percent) / 10
    zhe = f"{paid.normalize():f}"
    return _("%(percent)s%% off") % {"percent": percent, "zhe": zhe}


def threshold_value(rule: PricingRule, amount: Decimal) -> tuple[Decimal, int]:
    """What a 满减 rule saves (or how many coupons a 满返 rule returns) on ``amount``."""
    if amount < rule.threshold:
        return ZERO, 0
    times = int((amount / rule.threshold).to_integral_value(rounding=ROUND_FLOOR))
    times = times if rule.repeat else 1
    return (rule.save_amount or ZERO) * times, times


def best_saving_rule(rules, amount: Decimal):
    """The 满减 rule saving the most on ``amount`` (ties: the higher threshold, the older)."""
    reached = [r for r in rules if threshold_value(r, amount)[1]]
    return max(
        reached,
        key=lambda r: (threshold_value(r, amount)[0], r.threshold, -r.pk),
        default=None,
    )


def highest_rule_reached(rules, amount: Decimal):
    """The 满返 rule with the highest threshold ``amount`` reaches (ties: the older)."""
    reached = [r for r in rules if r.threshold <= amount]
    return max(reached, key=lambda r: (r.threshold, -r.pk), default=None)


# --- Lines -----------------------------------------------------------------------------------
def _check_line(index: int, line: LineIn) -> None:
    problems = {}
    if not isinstance(line.qty, Decimal) or not line.qty.is_finite() or line.qty <= 0:
        problems["qty"] = _("Must be more than %(n)s.") % {"n": 0}
    if (
        not isinstance(line.unit_price, Decimal)
        or not line.unit_price.is_finite()
        or line.unit_price < 0
    ):
        problems["unit_price"] = _("Must not be negative.")
    if problems:
        raise errors.InvalidInput(
            fields={
                f"lines.{index}.{name}": [message] for name, message in sorted(problems.items())
            }
        )


def _price_line(line: LineIn, *, member_price, percent_rule) -> PricedLine:
    dish = line.dish
    list_price = cents(line.unit_price)
    list_total = cents(line.qty * list_price)
    discountable = bool(dish and dish.discountable)
    unit, rule = list_price, ""
    if member_price is not None and member_price < unit:
        unit, rule = member_price, _("member price")
    if percent_rule is not None and discountable:
        off = cents(list_price * (HUNDRED - percent_rule.percent_off) / HUNDRED)
        if off < unit:
            unit, rule = off, percent_label(percent_rule.percent_off)
    line_total = cents(line.qty * unit)
    return PricedLine(
        dish=dish,
        dish_id=dish.pk if dish else None,
        category_id=dish.category_id if dish else None,
        qty=line.qty,
        list_price=list_price,
        unit_price=unit,
        line_total=line_total,
        discount=list_total - line_total,
        discountable=discountable,
        rule=rule,
    )


# --- Coupons ---------------------------------------------------------------------------------
def _value_coupons(coupons, *, lines, amount: Decimal, member_priced: bool, steps: list):
    from huike.coupons.checkout import coupon_value

    uses, left = [], amount
    for coupon in coupons:
        value = min(
            cents(coupon_value(coupon, lines=lines, amount=left, member_priced=member_priced)),
            left,
        )
        uses.append((coupon, value))
        left -= value
        steps.append(
            _("Coupon %(code)s: −%(value)s.")
            % {"code": getattr(coupon, "code", coupon), "value": format_cny(value)}
        )
    return uses


# --- The pricing function --------------------------------------------------------------------
def price_order(
    *, store, card, lines: list[LineIn], service_charge=ZERO, coupons=(), today=None
) -> Quote:
    """Price an order for ``card`` (a ``loyalty.MembershipCard`` or ``None``: list prices, no
    rules) at ``store``: member prices and percent off per line, the best 满减, the coupons in
    order, the 满返 reached; the service charge untouched. Raises ``InvalidInput`` for a
    quantity not above zero or a negative price or service charge, ``CardNotUsable`` for a
    frozen, lost or expired card; coupon errors come from ``coupon_value``."""
    try:
        service_charge = Decimal(str(service_charge))
    except ArithmeticError as exc:
        raise errors.InvalidInput(
            fields={"service_charge": [_("Enter an amount, e.g. 100.00.")]}
        ) from exc
    if not service_charge.is_finite() or service_charge < 0:
        raise errors.InvalidInput(fields={"service_charge": [_("Must not be negative.")]})
    service_charge = cents(service_charge)
    for index, line in enumerate(lines):
        _check_line(index, line)
    today = today or local_today(store.time_zone)
    if card is not None:
        check_usable(card, today=today)
    rules = rules_in_force(store=store, card=card, today=today)
    prices = member_prices(card=card, dish_ids={ln.dish.pk for ln in lines if ln.dish})
    percent_rules = rules.get(Kind.PERCENT_OFF, [])
    percent_rule = max(percent_rules, key=lambda r: (r.percent_off, -r.pk), default=None)

    priced = [
        _price_line(
            line,
            member_price=prices.get(line.dish.pk) if line.dish else None,
            percent_rule=percent_rule,
        )
        for line in lines
    ]
    subtotal = sum((cents(p.qty * p.list_price) for p in priced), ZERO)
    member_discount = sum((p.discount for p in priced), ZERO)
    steps = [_("Listed prices: %(amount)s.") % {"amount": format_cny(subtotal)}]
    for p in priced:
        if p.rule:
            steps.append(
                _("%(dish)s × %(qty)s: %(rule)s %(price)s instead of %(list)s, −%(discount)s.")
                % {
                    "dish": p.dish.name if p.dish else "—",
                    "qty": p.qty.normalize(),
                    "rule": p.rule,
                    "price": format_cny(p.unit_price),
                    "list": format_cny(p.list_price),
                    "discount": format_cny(p.discount),
                }
            )
    goods = subtotal - member_discount

    threshold_discount = ZERO
    save_rule = best_saving_rule(rules.get(Kind.SPEND_SAVE, []), goods)
    if save_rule is not None:
        threshold_discount = min(threshold_value(save_rule, goods)[0], goods)
        steps.append(
            _("%(rule)s (spend-and-save): −%(amount)s.")
            % {"rule": save_rule.name, "amount": format_cny(threshold_discount)}
        )
    goods -= threshold_discount
    discount = member_discount + threshold_discount

    coupon_uses = []
    if coupons:
        coupon_uses = _value_coupons(
            coupons, lines=priced, amount=goods, member_priced=discount > 0, steps=steps
        )
    coupon_total = sum((value for _c, value in coupon_uses), ZERO)
    paid_goods = goods - coupon_total

    returns = []
    return_rule = highest_rule_reached(rules.get(Kind.SPEND_RETURN, []), paid_goods)
    if return_rule is not None:
        times = threshold_value(return_rule, paid_goods)[1]
        returns = [return_rule.return_template] * times
        steps.append(
            _("%(rule)s (spend-and-get-a-coupon): %(coupon)s × %(n)s after payment.")
            % {"rule": return_rule.name, "coupon": return_rule.return_template, "n": times}
        )
    if service_charge:
        steps.append(
            _("Service charge %(amount)s (never discounted).")
            % {"amount": format_cny(service_charge)}
        )
    total = subtotal - discount + service_charge
    due = paid_goods + service_charge
    steps.append(_("To pay: %(amount)s.") % {"amount": format_cny(due)})
    return Quote(
        lines=priced,
        subtotal=subtotal,
        member_discount=member_discount,
        threshold_discount=threshold_discount,
        discount=discount,
        service_charge=service_charge,
        total=total,
        coupon_uses=coupon_uses,
        coupon_total=coupon_total,
        due=due,
        returns=returns,
        steps=steps,
    )
