"""Pricing API: /api/v1/pricing — member prices (会员价), discount rules (折扣, 满减, 满返), the
stacking rules in words, and the quote of an order (试算) by the one pricing function used at
checkout. Thin: schema in, service or selector, schema out."""

from __future__ import annotations

from ninja import Router, Status

from . import selectors, services
from .schemas import (
    MemberPriceIn,
    MemberPriceOut,
    MemberPricePatch,
    QuoteIn,
    QuoteOut,
    RuleIn,
    RuleOut,
    RulePatch,
    StackingRulesOut,
)

router = Router(tags=["pricing"])
NOT_NULL = {"name", "repeat", "active"}  # a null in a change leaves these as they are


def _price_out(price) -> dict:
    return {
        "id": price.pk,
        "dish": price.dish_id,
        "dish_code": price.dish.code,
        "dish_name": price.dish.name,
        "tier": price.tier_id,
        "price": price.price,
    }


def _rule_out(rule) -> dict:
    return {
        "id": rule.pk,
        "name": rule.name,
        "kind": rule.kind,
        "brand": rule.brand_id,
        "tier": rule.tier_id,
        "percent_off": rule.percent_off,
        "threshold": rule.threshold,
        "save_amount": rule.save_amount,
        "repeat": rule.repeat,
        "return_template": rule.return_template_id,
        "active": rule.active,
        "valid_from": rule.valid_from,
        "valid_until": rule.valid_until,
    }


# --- Member prices ---------------------------------------------------------------------------
@router.get("/pricing/member-prices", response=list[MemberPriceOut], summary="Member prices")
def list_member_prices(request, dish: int | None = None, tier: int | None = None):
    prices = selectors.member_price_list(user=request.user, dish=dish, tier=tier)
    return [_price_out(p) for p in prices]


@router.post("/pricing/member-prices", response={201: MemberPriceOut}, summary="Set a member price")
def create_member_price(request, payload: MemberPriceIn):
    price = services.member_price_create(acting_user=request.user, **payload.model_dump())
    return Status(201, _price_out(price))


@router.patch(
    "/pricing/member-prices/{price_id}", response=MemberPriceOut, summary="Change a member price"
)
def update_member_price(request, price_id: int, payload: MemberPricePatch):
    price = selectors.member_price_get(user=request.user, pk=price_id)
    price = services.member_price_update(
        acting_user=request.user, member_price=price, price=payload.price
    )
    return _price_out(price)


@router.delete(
    "/pricing/member-prices/{price_id}", response={204: None}, summary="Remove a member price"
)
def delete_member_price(request, price_id: int):
    price = selectors.member_price_get(user=request.user, pk=price_id)
    services.member_price_delete(acting_user=request.user, member_price=price)
    return Status(204, None)


# --- Rules -----------------------------------------------------------------------------------
@router.get("/pricing/rules", response=list[RuleOut], summary="Discount rules (折扣/满减/满返)")
def list_rules(request, kind: str | None = None, active: bool | None = None):
    return [
        _rule_out(r)
        for r in selectors.pricing_rule_list(user=request.user, kind=kind, active=active)
    ]


@router.post("/pricing/rules", response={201: RuleOut}, summary="Create a discount rule")
def create_rule(request, payload: RuleIn):
    rule = services.pricing_rule_create(acting_user=request.user, **payload.model_dump())
    return Status(201, _rule_out(rule))


@router.patch("/pricing/rules/{rule_id}", response=RuleOut, summary="Change a discount rule")
def update_rule(request, rule_id: int, payload: RulePatch):
    rule = selectors.pricing_rule_get(user=request.user, pk=rule_id)
    changes = {
        name: value
        for name, value in payload.model_dump(exclude_unset=True).items()
        if value is not None or name not in NOT_NULL
    }
    rule = services.pricing_rule_update(acting_user=request.user, rule=rule, **changes)
    return _rule_out(rule)


@router.delete(
    "/pricing/rules/{rule_id}",
    response=RuleOut,
    summary="Deactivate a discount rule (it is kept, switched off)",
)
def deactivate_rule(request, rule_id: int):
    rule = selectors.pricing_rule_get(user=request.user, pk=rule_id)
    return _rule_out(services.pricing_rule_deactivate(acting_user=request.user, rule=rule))


# --- Stacking rules and the quote ------------------------------------------------------------
@router.get(
    "/pricing/stacking-rules",
    response=StackingRulesOut,
    summary="How member prices, discounts and coupons stack, in words",
)
def get_stacking_rules(request):
    return {"rules": selectors.stacking_rules(user=request.user)}


@router.post(
    "/pricing/quote",
    response=QuoteOut,
    summary="Price an order (试算) as checkout would; nothing is written",
    description="Card errors: unknown number → field member_card; frozen, lost or expired "
    "card → 409 card_frozen / card_lost / card_expired.",
)
def quote(request, payload: QuoteIn):
    data = payload.model_dump()
    result = selectors.order_quote(
        user=request.user,
        store=data["store"],
        member_card=data["member_card"],
        lines=data["lines"],
        service_charge=data["service_charge"],
        coupons=data["coupons"],
    )
    return selectors.quote_data(result)
