"""Loyalty rules API: tiers with their qualification rules and benefits, the brands' downgrade
policies (/api/v1/loyalty/tiers…), points accrual rules, caps and expiry
(/api/v1/loyalty/accrual-rules…), a points preview for a sale, and HQ's evaluation of one
card's tier. Reads need ``loyalty.view``; writes ``loyalty.configure``; evaluating a card's tier
``loyalty.adjust`` (HQ). Thin: schema in, service, schema out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from huike.core import errors
from huike.core.permissions import check_perm
from huike.org.models import Store

from . import accrual, selectors, services, tiers
from . import permissions as perms
from .models import AccrualRule, AccrualSettings, Tier, TierPolicy, TopUpRule
from .schemas import CardOut

router = Router(tags=["loyalty rules"])


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")


# --- Schemas ----------------------------------------------------------------------------------
class TierRulesIn(StrictIn):
    name: str | None = Field(default=None, max_length=60)
    rank: int | None = Field(default=None, description="Higher is better")
    qualify_points: int | None = Field(default=None, description="Points earned on orders")
    qualify_spend: Decimal | None = Field(default=None, description="CNY, net of refunds")
    qualify_visits: int | None = None
    window_days: int | None = Field(default=None, description="Rolling window ending today")
    benefits: str | None = Field(default=None, description="Shown to staff")
    points_multiplier: Decimal | None = Field(default=None, description="Used by accrual, > 0")


class TierIn(TierRulesIn):
    code: str = Field(max_length=40)
    name: str = Field(max_length=60)


class TierFullOut(Schema):
    id: int
    code: str
    name: str
    rank: int
    qualify_points: int | None
    qualify_spend: Decimal | None
    qualify_visits: int | None
    window_days: int
    benefits: str
    points_multiplier: Decimal


class PolicyIn(StrictIn):
    brand: int | None = Field(default=None, description="Empty: the brand group's default")
    downgrade: str = Field(description="never, at_once or on_date")
    requalify_month: int | None = None
    requalify_day: int | None = None
    requalify_months: int | None = Field(default=None, description="Or N months after upgrade")


class PolicyOut(Schema):
    id: int
    brand: int | None
    downgrade: str
    requalify_month: int | None
    requalify_day: int | None
    requalify_months: int | None


class RuleChangeIn(StrictIn):
    name: str | None = Field(default=None, max_length=60)
    brand: int | None = Field(default=None, description="Empty: the brand group's rule")
    points: int | None = None
    per_amount: Decimal | None = None
    dish: int | None = None
    category: int | None = None
    multiplier: Decimal | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    birthday_week: bool | None = None
    tier: int | None = Field(default=None, description="Only for cards of this tier")
    active: bool | None = None


class RuleIn(RuleChangeIn):
    kind: str = Field(description="per_amount, per_dish, per_category or campaign")
    name: str = Field(max_length=60)


class RuleOut(Schema):
    id: int
    brand: int | None
    kind: str
    name: str
    points: int | None
    per_amount: Decimal | None
    dish: int | None
    category: int | None
    multiplier: Decimal | None
    starts_on: dt.date | None
    ends_on: dt.date | None
    birthday_week: bool
    tier: int | None
    active: bool


class SettingsIn(StrictIn):
    brand: int | None = Field(default=None, description="Empty: the brand group's default")
    order_cap: int | None = None
    day_cap: int | None = None
    expiry: str = Field(default="next_year_end", description="next_year_end or months")
    expiry_months: int | None = None


class SettingsOut(Schema):
    id: int
    brand: int | None
    order_cap: int | None
    day_cap: int | None
    expiry: str
    expiry_months: int | None


class PreviewLineIn(StrictIn):
    dish: int | None = None
    category: int | None = None
    qty: Decimal = Decimal(1)
    line_total: Decimal = Decimal(0)


class PreviewIn(StrictIn):
    card: int
    store: int | None = Field(default=None, description="Empty: the card's issuing store")
    amount_paid: Decimal
    lines: list[PreviewLineIn] = Field(default_factory=list, max_length=200)


class AwardOut(Schema):
    points: int
    expires_on: dt.date
    explanation: list[str]


class TierChangeOut(Schema):
    changed: bool
    direction: str | None
    old: TierFullOut | None
    new: TierFullOut | None
    card: CardOut


# --- Helpers ----------------------------------------------------------------------------------
def _tier_data(tier: Tier | None) -> dict | None:
    if tier is None:
        return None
    return {name: getattr(tier, name) for name in TierFullOut.model_fields} | {"id": tier.pk}


def _rule_data(rule: AccrualRule) -> dict:
    data = {name: getattr(rule, name) for name in RuleOut.model_fields if name != "id"}
    for name in ("brand", "dish", "category", "tier"):
        data[name] = getattr(rule, f"{name}_id")
    return {"id": rule.pk, **data}


def _row_data(row, schema) -> dict:
    data = {name: getattr(row, name) for name in schema.model_fields if name != "brand"}
    return {**data, "id": row.pk, "brand": row.brand_id}


def _get(model, pk):
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise errors.NotFound()
    return found


# --- Tiers ------------------------------------------------------------------------------------
@router.get("/loyalty/tiers", response=list[TierFullOut], summary="Tiers with their rules")
def list_tiers(request):
    check_perm(request.user, perms.VIEW)
    return [_tier_data(t) for t in Tier.objects.order_by("rank", "pk")]


@router.post("/loyalty/tiers", response={201: TierFullOut}, summary="Create a tier")
def create_tier(request, payload: TierIn):
    values = payload.model_dump(exclude_none=True)
    tier = tiers.tier_define(acting_user=request.user, **values)
    return Status(201, _tier_data(tier))


@router.patch(
    "/loyalty/tiers/{int:tier_id}",
    response=TierFullOut,
    summary="Change a tier's rules (null clears a threshold)",
)
def update_tier(request, tier_id: int, payload: TierRulesIn):
    check_perm(request.user, perms.CONFIGURE)
    tier = _get(Tier, tier_id)
    changes = payload.model_dump(exclude_unset=True)
    return _tier_data(tiers.tier_update(acting_user=request.user, tier=tier, **changes))


@router.get(
    "/loyalty/tiers/policies", response=list[PolicyOut], summary="Downgrade policies by brand"
)
def list_policies(request):
    check_perm(request.user, perms.VIEW)
    return [_row_data(p, PolicyOut) for p in TierPolicy.objects.order_by("brand", "pk")]


@router.put(
    "/loyalty/tiers/policies",
    response=PolicyOut,
    summary="Set a brand's downgrade policy (no brand: the group default)",
)
def set_policy(request, payload: PolicyIn):
    policy = tiers.tier_policy_set(acting_user=request.user, **payload.model_dump())
    return _row_data(policy, PolicyOut)


@router.post(
    "/loyalty/cards/{card_id}/evaluate-tier",
    response=TierChangeOut,
    summary="HQ: evaluate one card's tier now; returns the change, if any",
)
def evaluate_tier(request, card_id: int):
    check_perm(request.user, perms.ADJUST)
    card = selectors.card_get_for_user(user=request.user, card_id=card_id)
    change = tiers.tier_evaluate(card, acting_user=request.user)
    fresh = type(card).objects.select_related("tier").get(pk=card.pk)
    return {
        "changed": change is not None,
        "direction": change.direction if change else None,
        "old": _tier_data(change.old) if change else None,
        "new": _tier_data(change.new) if change else None,
        "card": selectors.card_data(fresh),
    }


# --- Accrual rules ----------------------------------------------------------------------------
@router.get("/loyalty/accrual-rules", response=list[RuleOut], summary="Points accrual rules")
def list_rules(request, active: bool | None = None):
    check_perm(request.user, perms.VIEW)
    rules = AccrualRule.objects.order_by("brand", "kind", "pk")
    if active is not None:
        rules = rules.filter(active=active)
    return [_rule_data(r) for r in rules]


@router.post("/loyalty/accrual-rules", response={201: RuleOut}, summary="Create a rule")
def create_rule(request, payload: RuleIn):
    values = payload.model_dump(exclude_none=True)
    return Status(201, _rule_data(accrual.accrual_rule_create(acting_user=request.user, **values)))


@router.patch(
    "/loyalty/accrual-rules/{int:rule_id}",
    response=RuleOut,
    summary="Change a rule; active=false switches it off",
)
def update_rule(request, rule_id: int, payload: RuleChangeIn):
    check_perm(request.user, perms.CONFIGURE)
    rule = _get(AccrualRule, rule_id)
    changes = payload.model_dump(exclude_unset=True)
    return _rule_data(accrual.accrual_rule_update(acting_user=request.user, rule=rule, **changes))


@router.get(
    "/loyalty/accrual-rules/settings",
    response=list[SettingsOut],
    summary="Caps and expiry by brand",
)
def list_settings(request):
    check_perm(request.user, perms.VIEW)
    return [_row_data(s, SettingsOut) for s in AccrualSettings.objects.order_by("brand", "pk")]


@router.put(
    "/loyalty/accrual-rules/settings",
    response=SettingsOut,
    summary="Set a brand's caps and expiry (no brand: the group default)",
)
def set_settings(request, payload: SettingsIn):
    found = accrual.accrual_settings_set(acting_user=request.user, **payload.model_dump())
    return _row_data(found, SettingsOut)


@router.post(
    "/loyalty/accrual-rules/preview",
    response=AwardOut,
    summary="The points a sale would earn on a card, step by step (nothing is written)",
)
def preview(request, payload: PreviewIn):
    check_perm(request.user, perms.VIEW)
    card = selectors.card_get_for_user(user=request.user, card_id=payload.card)
    store = card.store if payload.store is None else _store(payload.store)
    lines = accrual.sale_lines(
        [(line.dish, line.category, line.qty, line.line_total) for line in payload.lines]
    )
    award = accrual.points_for_sale(
        card, store=store, lines=lines, amount_paid=payload.amount_paid, when=timezone.now()
    )
    return {
        "points": award.points,
        "expires_on": award.expires_on,
        "explanation": award.explanation,
    }


def _store(pk: int) -> Store:
    store = Store.objects.filter(pk=pk).first()
    if store is None:
        raise errors.InvalidInput(fields={"store": [errors.NotFound.default_message]})
    return store


# --- Top-up rules -----------------------------------------------------------------------------
class TopUpRuleChangeIn(StrictIn):
    pay_at_least: Decimal | None = Field(default=None, description="CNY, more than 0")
    bonus: Decimal | None = Field(default=None, description="CNY of bonus stored value, ≥ 0")
    brand: int | None = Field(default=None, description="Empty: the brand group's default")
    gift: int | None = Field(default=None, description="A coupon template given with the top-up")
    active: bool | None = None


class TopUpRuleIn(TopUpRuleChangeIn):
    pay_at_least: Decimal
    bonus: Decimal = Decimal("0")


class TopUpRuleOut(Schema):
    id: int
    brand: int | None
    pay_at_least: Decimal
    bonus: Decimal
    gift: int | None
    active: bool


def _top_up_rule_data(rule) -> dict:
    return {
        "id": rule.pk,
        "brand": rule.brand_id,
        "pay_at_least": rule.pay_at_least,
        "bonus": rule.bonus,
        "gift": rule.gift_id,
        "active": rule.active,
    }


@router.get("/loyalty/top-up-rules", response=list[TopUpRuleOut], summary="Top-up bonus rules")
def list_top_up_rules(request):
    check_perm(request.user, perms.VIEW)
    rules = TopUpRule.objects.order_by("brand_id", "pay_at_least", "pk")
    return [_top_up_rule_data(r) for r in rules]


@router.post(
    "/loyalty/top-up-rules",
    response={201: TopUpRuleOut},
    summary="Create a top-up bonus rule (bonus stored value and/or a gift coupon)",
)
def create_top_up_rule(request, payload: TopUpRuleIn):
    values = payload.model_dump()
    rule = services.top_up_rule_create(
        acting_user=request.user,
        pay_at_least=values["pay_at_least"],
        bonus=values["bonus"],
        brand=values["brand"],
        gift=values["gift"],
        active=True if values["active"] is None else values["active"],
    )
    return Status(201, _top_up_rule_data(rule))


@router.patch(
    "/loyalty/top-up-rules/{int:rule_id}",
    response=TopUpRuleOut,
    summary="Change a top-up rule or switch it off",
)
def update_top_up_rule(request, rule_id: int, payload: TopUpRuleChangeIn):
    check_perm(request.user, perms.CONFIGURE)
    rule = _get(TopUpRule, rule_id)
    changes = payload.model_dump(exclude_unset=True)
    return _top_up_rule_data(
        services.top_up_rule_update(acting_user=request.user, rule=rule, **changes)
    )
