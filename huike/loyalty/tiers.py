"""Membership tiers (会员等级, L2): their qualification rules and benefits, the brands' downgrade
policies, and the evaluation that moves a card up or down (decision 0016).

A card qualifies for a tier when it reaches any one of the tier's thresholds — points earned,
spend, or visits — within the tier's rolling window of days ending today; a tier without
thresholds is a base tier every card qualifies for. Upgrades happen at once; downgrades follow
the policy of the card's brand (its issuing store's), else the brand group's default, else
never. A downgrade goes to the highest tier the card still qualifies for.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.audit import Action, audit_record
from huike.core.money import ZERO
from huike.core.permissions import check_perm
from huike.core.services import save_changes, save_new
from huike.core.timeutils import day_bounds, local_today
from huike.orders.models import Order
from huike.org.models import Brand

from . import permissions as perms
from .ledger import lock_card
from .models import CardEvent, LedgerEntry, MembershipCard, Tier, TierPolicy

Downgrade = TierPolicy.Downgrade
TIER_FIELDS = {
    "code",
    "name",
    "rank",
    "qualify_points",
    "qualify_spend",
    "qualify_visits",
    "window_days",
    "benefits",
    "points_multiplier",
}


# --- Configuration ----------------------------------------------------------------------------
def related_or_none(model, value, field: str):
    """The row of ``model`` named by an id or the row itself; empty is None, unknown a field
    error."""
    if value is None or value == "":
        return None
    pk = value.pk if isinstance(value, model) else value
    try:
        return model.objects.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.InvalidInput(fields={field: [_("Not found.")]}) from exc


def reloaded(row):
    """The row as stored (amounts quantized), after a save."""
    row.refresh_from_db()
    return row


def _blank_to_none(data: dict) -> dict:
    return {k: (None if v == "" and k.startswith("qualify_") else v) for k, v in data.items()}


@transaction.atomic
def tier_define(*, acting_user, code: str, name: str, **rules) -> Tier:
    """A new tier with its rules (thresholds, window, benefits, points multiplier)."""
    check_perm(acting_user, perms.CONFIGURE)
    unknown = set(rules) - TIER_FIELDS
    if unknown:
        raise errors.InvalidInput(fields={k: [_("Unknown field.")] for k in sorted(unknown)})
    rules = {k: v for k, v in _blank_to_none(rules).items() if v is not None}
    return reloaded(save_new(Tier(code=code, name=name, **rules), actor=acting_user))


@transaction.atomic
def tier_update(*, acting_user, tier: Tier, **changes) -> Tier:
    """Change a tier's name, rank or rules; cards move on their next evaluation."""
    check_perm(acting_user, perms.CONFIGURE)
    unknown = set(changes) - TIER_FIELDS
    if unknown:
        raise errors.InvalidInput(fields={k: [_("Unknown field.")] for k in sorted(unknown)})
    tier = Tier.objects.select_for_update().get(pk=tier.pk)
    return reloaded(save_changes(tier, actor=acting_user, changes=_blank_to_none(changes)))


@transaction.atomic
def tier_policy_set(
    *,
    acting_user,
    brand: Brand | int | None = None,
    downgrade: str,
    requalify_month: int | None = None,
    requalify_day: int | None = None,
    requalify_months: int | None = None,
) -> TierPolicy:
    """Set the downgrade policy of a brand (no brand: the brand group's default)."""
    check_perm(acting_user, perms.CONFIGURE)
    brand = related_or_none(Brand, brand, "brand")
    values = {
        "downgrade": downgrade,
        "requalify_month": requalify_month,
        "requalify_day": requalify_day,
        "requalify_months": requalify_months,
    }
    policy = TierPolicy.objects.select_for_update().filter(brand=brand).order_by("pk").first()
    if policy is None:
        return reloaded(save_new(TierPolicy(brand=brand, **values), actor=acting_user))
    return reloaded(save_changes(policy, actor=acting_user, changes=values))


def policy_for(card: MembershipCard) -> TierPolicy | None:
    """The card's brand's policy, else the brand group's default (None: never downgrade)."""
    brand_id = card.store.brand_id
    found = {p.brand_id: p for p in TierPolicy.objects.filter(Q(brand_id=brand_id) | Q(brand=None))}
    return found.get(brand_id) or found.get(None)


# --- Measures ---------------------------------------------------------------------------------
@dataclass
class Measures:
    """What a card reached in one window (积分、消费、到店次数)."""

    points: int
    spend: Decimal
    visits: int


def card_measures(card: MembershipCard, *, today: dt.date, window_days: int) -> Measures:
    """Points earned by orders on the card, and the spend and visits of its guest's orders
    closed in the ``window_days`` days ending ``today`` (the card's store's local days)."""
    zone_name = card.store.time_zone
    start = day_bounds(today - dt.timedelta(days=window_days - 1), zone_name)[0]
    end = day_bounds(today, zone_name)[1]
    points = LedgerEntry.objects.filter(
        card=card,
        kind=LedgerEntry.Kind.POINTS,
        cause=LedgerEntry.Cause.ORDER,
        points__gt=0,
        created_at__gte=start,
        created_at__lt=end,
    ).aggregate(total=Coalesce(Sum("points"), 0))["total"]
    orders = Order.objects.filter(
        guest_id=card.guest_id,
        kind__in=[Order.Kind.SALE, Order.Kind.CORRECTION],
        status=Order.Status.POSTED,
        closed_at__gte=start,
        closed_at__lt=end,
    )
    net = ExpressionWrapper(
        F("total") - F("refunded_amount"),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )
    spend = orders.aggregate(total=Sum(net))["total"] or ZERO
    visits = orders.filter(visit_counted=True).count()
    return Measures(points=int(points), spend=Decimal(spend).quantize(ZERO), visits=visits)


def reaches(tier: Tier, measures: Measures) -> bool:
    if not tier.has_thresholds:
        return True
    return (
        (tier.qualify_points is not None and measures.points >= tier.qualify_points)
        or (tier.qualify_spend is not None and measures.spend >= tier.qualify_spend)
        or (tier.qualify_visits is not None and measures.visits >= tier.qualify_visits)
    )


def qualified_tier(
    card: MembershipCard, tiers: list[Tier], *, today: dt.date
) -> tuple[Tier | None, dict[int, Measures]]:
    """The highest-ranked tier the card qualifies for, and the measures per window used."""
    by_window: dict[int, Measures] = {}
    for tier in sorted(tiers, key=lambda t: (-t.rank, -t.pk)):
        if tier.window_days not in by_window:
            by_window[tier.window_days] = card_measures(
                card, today=today, window_days=tier.window_days
            )
        if reaches(tier, by_window[tier.window_days]):
            return tier, by_window
    return None, by_window


# --- Re-qualification dates -------------------------------------------------------------------
def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _yearly(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def next_requalify(policy: TierPolicy, *, after: dt.date, since: dt.date) -> dt.date:
    """The first re-qualification date after ``after``: the yearly month-day, or every N months
    counted from ``since`` (the last upgrade)."""
    if policy.requalify_months:
        date = add_months(since, policy.requalify_months)
        while date <= after:
            date = add_months(date, policy.requalify_months)
        return date
    date = _yearly(after.year, policy.requalify_month, policy.requalify_day)
    return (
        date
        if date > after
        else _yearly(after.year + 1, policy.requalify_month, policy.requalify_day)
    )


# --- Evaluation -------------------------------------------------------------------------------
@dataclass
class TierChange:
    """A card's move between tiers (``direction`` "up" or "down")."""

    card: MembershipCard
    old: Tier | None
    new: Tier | None
    direction: str
    measures: dict = field(default_factory=dict)


def _rank(tier: Tier | None) -> int:
    return -1 if tier is None else tier.rank


def _measure_data(by_window: dict[int, Measures]) -> dict:
    return {
        str(days): {"points": m.points, "spend": str(m.spend), "visits": m.visits}
        for days, m in sorted(by_window.items())
    }


@transaction.atomic
def tier_evaluate(card, *, today: dt.date | None = None, acting_user=None) -> TierChange | None:
    """Move an active card to the tier it qualifies for: up at once, down as the card's brand
    policy says. Writes a card event and an audit entry; returns the change, or None."""
    card = lock_card(card)
    if card.status != MembershipCard.Status.ACTIVE:
        return None
    today = today or local_today(card.store.time_zone)
    current = Tier.objects.filter(pk=card.tier_id).first() if card.tier_id else None
    target, by_window = qualified_tier(card, list(Tier.objects.all()), today=today)
    policy = policy_for(card)
    downgrade = policy.downgrade if policy else Downgrade.NEVER
    on_date = downgrade == Downgrade.ON_DATE
    if _rank(target) > _rank(current):
        return _move(
            card,
            current,
            target,
            today=today,
            policy=policy,
            by_window=by_window,
            acting_user=acting_user,
        )
    due = on_date and card.requalify_on is not None and card.requalify_on <= today
    if _rank(target) < _rank(current) and (downgrade == Downgrade.AT_ONCE or due):
        return _move(
            card,
            current,
            target,
            today=today,
            policy=policy,
            by_window=by_window,
            acting_user=acting_user,
        )
    if on_date and current is not None and (card.requalify_on is None or due):
        # Kept the tier (or first seen under this policy): the next date to qualify again by.
        base = card.requalify_on if due and policy.requalify_months else card.tier_since or today
        requalify_on = next_requalify(policy, after=today, since=base)
        MembershipCard.objects.filter(pk=card.pk).update(requalify_on=requalify_on)
    return None


def _move(card, old, new, *, today, policy, by_window, acting_user) -> TierChange:
    up = _rank(new) > _rank(old)
    requalify_on = None
    if new is not None and policy is not None and policy.downgrade == Downgrade.ON_DATE:
        requalify_on = next_requalify(policy, after=today, since=today)
    MembershipCard.objects.filter(pk=card.pk).update(
        tier=new, tier_since=today, requalify_on=requalify_on
    )
    card.tier, card.tier_since, card.requalify_on = new, today, requalify_on
    CardEvent(
        tenant_id=card.tenant_id,
        card=card,
        kind=CardEvent.Kind.TIER_UP if up else CardEvent.Kind.TIER_DOWN,
        actor=acting_user if acting_user is not None and acting_user.pk else None,
        reason=f"{old.name if old else '—'} → {new.name if new else '—'}"[:200],
    ).save()
    measures = _measure_data(by_window)
    audit_record(
        action=Action.UPDATE,
        actor=acting_user,
        obj=card,
        changes={
            "tier": [old.code if old else None, new.code if new else None],
            "measures": measures,
        },
    )
    return TierChange(card, old, new, "up" if up else "down", measures)


def tiers_evaluate_all(*, today: dt.date | None = None) -> dict:
    """The nightly job's work for the active tenant: every active card, one transaction each."""
    counts = {"cards": 0, "up": 0, "down": 0}
    if not Tier.objects.exists():
        return counts
    cards = MembershipCard.objects.filter(status=MembershipCard.Status.ACTIVE)
    for pk in list(cards.order_by("pk").values_list("pk", flat=True)):
        change = tier_evaluate(pk, today=today)
        counts["cards"] += 1
        if change is not None:
            counts[change.direction] += 1
    return counts
