"""Points accrual (积分规则, L3): the rules of a brand, its caps and expiry, and
``points_for_sale`` — the points a sale earns, with the steps explained to the cashier.

Order of application (decision 0016, shown on the rules page):

1. base: every per-amount rule, N points per X yuan paid, rounded down;
2. plus the extras per dish or, for a dish without a rule of its own, per category: points per
   unit × quantity, rounded down;
3. times the highest campaign multiplier in force (a date range, or the guest's birthday week)
   and the tier's multiplier, rounded down;
4. then the cap per order, then the cap per card and day (points from orders already credited
   to the card on the store's local day count toward it).

Rules of the card's brand (its issuing store's) apply when it has any active ones; otherwise
the brand group's rules (no brand). Caps and expiry come from the brand's ``AccrualSettings``,
else the group's, else none and the end of the following year.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.money import format_cny
from huike.core.permissions import check_perm
from huike.core.services import save_changes, save_new
from huike.core.timeutils import day_bounds, zone
from huike.menu.models import Dish, DishCategory
from huike.org.models import Brand

from . import permissions as perms
from . import services
from .models import AccrualRule, AccrualSettings, LedgerEntry, MembershipCard, Tier
from .tiers import add_months, related_or_none, reloaded

Kind = AccrualRule.Kind
RULE_FIELDS = {
    "brand",
    "kind",
    "name",
    "points",
    "per_amount",
    "dish",
    "category",
    "multiplier",
    "starts_on",
    "ends_on",
    "birthday_week",
    "tier",
    "active",
}
_RELATED = {"brand": Brand, "dish": Dish, "category": DishCategory, "tier": Tier}


# --- Configuration ----------------------------------------------------------------------------
def _rule_values(values: dict) -> dict:
    unknown = set(values) - RULE_FIELDS
    if unknown:
        raise errors.InvalidInput(fields={k: [_("Unknown field.")] for k in sorted(unknown)})
    out = {}
    for name, value in values.items():
        if name in _RELATED:
            value = related_or_none(_RELATED[name], value, name)
        elif value == "" and name not in ("name", "kind"):
            value = None
        out[name] = value
    return out


@transaction.atomic
def accrual_rule_create(*, acting_user, kind: str, name: str, **values) -> AccrualRule:
    """A new accrual rule of a brand (no brand: the brand group's)."""
    check_perm(acting_user, perms.CONFIGURE)
    values = _rule_values(values)
    if values.get("birthday_week") is None:
        values.pop("birthday_week", None)
    if values.get("active") is None:
        values.pop("active", None)
    return reloaded(save_new(AccrualRule(kind=kind, name=name, **values), actor=acting_user))


@transaction.atomic
def accrual_rule_update(*, acting_user, rule: AccrualRule, **changes) -> AccrualRule:
    check_perm(acting_user, perms.CONFIGURE)
    changes = _rule_values(changes)
    rule = AccrualRule.objects.select_for_update().get(pk=rule.pk)
    return reloaded(save_changes(rule, actor=acting_user, changes=changes))


@transaction.atomic
def accrual_rule_deactivate(*, acting_user, rule: AccrualRule) -> AccrualRule:
    """Switch a rule off (kept for the record; earned points stay)."""
    return accrual_rule_update(acting_user=acting_user, rule=rule, active=False)


@transaction.atomic
def accrual_settings_set(
    *,
    acting_user,
    brand=None,
    order_cap: int | None = None,
    day_cap: int | None = None,
    expiry: str = AccrualSettings.Expiry.NEXT_YEAR_END,
    expiry_months: int | None = None,
) -> AccrualSettings:
    """Set the caps and expiry of a brand (no brand: the brand group's default)."""
    check_perm(acting_user, perms.CONFIGURE)
    brand = related_or_none(Brand, brand, "brand")
    values = {
        "order_cap": None if order_cap == "" else order_cap,
        "day_cap": None if day_cap == "" else day_cap,
        "expiry": expiry,
        "expiry_months": None if expiry_months == "" else expiry_months,
    }
    found = AccrualSettings.objects.select_for_update().filter(brand=brand).order_by("pk").first()
    if found is None:
        return reloaded(save_new(AccrualSettings(brand=brand, **values), actor=acting_user))
    return reloaded(save_changes(found, actor=acting_user, changes=values))


# --- Reads ------------------------------------------------------------------------------------
def rules_for(card: MembershipCard):
    """The active rules of the card's brand, or the brand group's when the brand has none."""
    active = AccrualRule.objects.filter(active=True).select_related("tier", "dish", "category")
    own = active.filter(brand_id=card.store.brand_id)
    return own if own.exists() else active.filter(brand__isnull=True)


def settings_for(card: MembershipCard) -> AccrualSettings | None:
    brand_id = card.store.brand_id
    found = {
        s.brand_id: s for s in AccrualSettings.objects.filter(Q(brand_id=brand_id) | Q(brand=None))
    }
    return found.get(brand_id) or found.get(None)


def points_expiry(settings: AccrualSettings | None, earned_on: dt.date) -> dt.date:
    """When points earned on ``earned_on`` expire under the brand's settings."""
    if settings is not None and settings.expiry == AccrualSettings.Expiry.MONTHS:
        return add_months(earned_on, settings.expiry_months)
    return services.default_points_expiry(earned_on)


def in_birthday_week(birthday: dt.date | None, day: dt.date) -> bool:
    """Whether ``day`` falls in the Monday-to-Sunday week of the guest's birthday (a 29
    February birthday is kept on the 28th in other years)."""
    if birthday is None:
        return False
    for year in (day.year - 1, day.year, day.year + 1):
        try:
            this = birthday.replace(year=year)
        except ValueError:
            this = dt.date(year, 2, 28)
        monday = this - dt.timedelta(days=this.weekday())
        if monday <= day <= monday + dt.timedelta(days=6):
            return True
    return False


def points_credited_on(card: MembershipCard, day: dt.date, zone_name: str) -> int:
    """Points from orders credited to the card on the local ``day``."""
    start, end = day_bounds(day, zone_name)
    return LedgerEntry.objects.filter(
        card=card,
        kind=LedgerEntry.Kind.POINTS,
        cause=LedgerEntry.Cause.ORDER,
        points__gt=0,
        created_at__gte=start,
        created_at__lt=end,
    ).aggregate(total=Coalesce(Sum("points"), 0))["total"]


# --- Computation ------------------------------------------------------------------------------
@dataclass
class SaleLine:
    dish_id: int | None
    category_id: int | None
    qty: Decimal
    line_total: Decimal  # what the guest paid for the line after line discounts


@dataclass
class PointsAward:
    points: int
    expires_on: dt.date
    explanation: list[str]  # gettext'd steps, shown to the cashier


def _applies(rule: AccrualRule, card: MembershipCard, day: dt.date) -> bool:
    if rule.tier_id is not None and rule.tier_id != card.tier_id:
        return False
    if (rule.starts_on and day < rule.starts_on) or (rule.ends_on and day > rule.ends_on):
        return False
    return not rule.birthday_week or in_birthday_week(card.guest.birthday, day)


def _amount(value, field: str) -> Decimal:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise errors.InvalidInput(fields={field: [_("Enter an amount, e.g. 100.00.")]}) from exc
    if not amount.is_finite() or amount < 0:
        raise errors.InvalidInput(fields={field: [_("Must not be negative.")]})
    return amount


def _extras(rules: list[AccrualRule], lines: list[SaleLine], steps: list[str]) -> int:
    by_dish: dict[int, list[AccrualRule]] = {}
    by_category: dict[int, list[AccrualRule]] = {}
    for rule in rules:
        if rule.kind == Kind.PER_DISH:
            by_dish.setdefault(rule.dish_id, []).append(rule)
        elif rule.kind == Kind.PER_CATEGORY:
            by_category.setdefault(rule.category_id, []).append(rule)
    total = 0
    for line in lines:
        qty = _amount(line.qty, "qty")
        matching = by_dish.get(line.dish_id) or by_category.get(line.category_id) or []
        for rule in matching:
            points = math.floor(qty * rule.points)
            if points:
                steps.append(
                    _("%(rule)s: %(points)s points × %(qty)s → +%(result)s")
                    % {
                        "rule": rule.name,
                        "points": rule.points,
                        "qty": qty.normalize(),
                        "result": points,
                    }
                )
                total += points
    return total


def points_for_sale(
    card: MembershipCard,
    *,
    store,
    lines: list[SaleLine],
    amount_paid: Decimal,
    when: dt.datetime,
) -> PointsAward:
    """The points ``card`` earns for a sale at ``store`` paid ``amount_paid`` at ``when``, with
    every step explained. Reads only; the caller credits them (``points_accrue``)."""
    amount_paid = _amount(amount_paid, "amount_paid")
    day = when.astimezone(zone(store.time_zone)).date()
    rules = [r for r in rules_for(card) if _applies(r, card, day)]
    steps: list[str] = []
    base = 0
    for rule in (r for r in rules if r.kind == Kind.PER_AMOUNT):
        points = math.floor(amount_paid / rule.per_amount) * rule.points
        steps.append(
            _("%(rule)s: %(points)s points per %(per)s on %(paid)s → %(result)s")
            % {
                "rule": rule.name,
                "points": rule.points,
                "per": format_cny(rule.per_amount),
                "paid": format_cny(amount_paid),
                "result": points,
            }
        )
        base += points
    points = base + _extras(rules, lines, steps)
    campaigns = [r for r in rules if r.kind == Kind.CAMPAIGN]
    campaign = max(campaigns, key=lambda r: r.multiplier, default=None)
    multiplier = campaign.multiplier if campaign else Decimal(1)
    if campaign:
        steps.append(_("%(rule)s: × %(m)s") % {"rule": campaign.name, "m": campaign.multiplier})
    tier = card.tier
    if tier is not None and tier.points_multiplier != 1:
        multiplier *= tier.points_multiplier
        steps.append(_("Tier %(tier)s: × %(m)s") % {"tier": tier.name, "m": tier.points_multiplier})
    if multiplier != 1:
        points = math.floor(points * multiplier)
        steps.append(_("After multipliers: %(points)s") % {"points": points})
    settings = settings_for(card)
    if settings and settings.order_cap is not None and points > settings.order_cap:
        points = settings.order_cap
        steps.append(_("Capped at %(cap)s points per order.") % {"cap": settings.order_cap})
    if settings and settings.day_cap is not None:
        earlier = points_credited_on(card, day, store.time_zone)
        room = max(settings.day_cap - earlier, 0)
        if points > room:
            points = room
            steps.append(
                _("Capped at %(cap)s points a day: %(earlier)s already credited today.")
                % {"cap": settings.day_cap, "earlier": earlier}
            )
    steps.append(_("Points earned: %(points)s") % {"points": points})
    return PointsAward(points=points, expires_on=points_expiry(settings, day), explanation=steps)


def sale_lines(items) -> list[SaleLine]:
    """Sale lines for a preview from ``(dish id, category id, qty, line total)``; a dish's
    category is taken from the menu. An unknown dish is a field error of ``lines``."""
    dishes = Dish.objects.in_bulk([item[0] for item in items if item[0]])
    lines = []
    for dish_id, category_id, qty, line_total in items:
        if dish_id:
            if dish_id not in dishes:
                raise errors.InvalidInput(fields={"lines": [_("Not found.")]})
            category_id = dishes[dish_id].category_id
        lines.append(SaleLine(dish_id or None, category_id, Decimal(qty), Decimal(line_total)))
    return lines
