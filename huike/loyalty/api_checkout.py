"""Checkout API: ``POST /api/v1/loyalty/checkout`` — a POS settles a member's bill (T3) and gets
back the order, the card's balances after it, the points earned with their explanation and
the coupons given back (满返). Idempotent on the store and POS order number, like every order:
the same request again answers 200 with ``Idempotent-Replayed: true`` and moves nothing.
``POST /api/v1/orders`` naming a member card does the same checkout and answers the order."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpResponse
from ninja import Router, Schema, Status
from pydantic import AwareDatetime, Field

from huike.orders.api import _store_pk
from huike.orders.models import Order
from huike.orders.schemas import OrderDetailOut, OrderLineIn, PaymentIn, StrictIn

from . import selectors
from .checkout import checkout
from .schemas import CardOut

router = Router(tags=["loyalty"])


class CheckoutIn(StrictIn):
    store: int | None = Field(default=None, description="The store's id")
    store_code: str | None = Field(default=None, max_length=40, description="Or its code")
    pos_order_id: str = Field(max_length=64, description="The POS's own order number")
    member_card: str = Field(max_length=40, description="The member's card number")
    closed_at: AwareDatetime | None = Field(default=None, description="Default: now")
    opened_at: AwareDatetime | None = None
    table_label: str = Field(default="", max_length=40)
    party_size: int | None = Field(default=None, ge=1, le=1000)
    lines: list[OrderLineIn] = Field(max_length=500, description="At list prices")
    coupons: list[str] = Field(default_factory=list, max_length=10, description="Coupon codes")
    service_charge: Decimal = Decimal("0")
    payments: list[PaymentIn] = Field(
        default_factory=list,
        max_length=20,
        description="Adding up to what is due after member pricing and coupons; "
        "stored_value is taken from the card",
    )


class CheckoutOut(Schema):
    order: OrderDetailOut
    card: CardOut
    points: int
    points_explanation: list[str]
    pricing_steps: list[str]
    coupons_issued: list[str]


@router.post(
    "/loyalty/checkout",
    response={200: CheckoutOut, 201: CheckoutOut},
    summary="Settle a member's bill: member pricing, coupons, stored value and points at once",
)
def post_checkout(request, response: HttpResponse, payload: CheckoutIn):
    data = payload.model_dump(exclude={"store", "store_code"})
    data["lines"] = [{k: v for k, v in line.items() if v is not None} for line in data["lines"]]
    done = checkout(acting_user=request.user, store=_store_pk(payload), source="api", **data)
    order = Order.objects.prefetch_related("lines", "payments").get(pk=done.order.pk)
    card = type(done.card).objects.select_related("tier").get(pk=done.card.pk)
    body = {
        "order": OrderDetailOut.model_validate(order, from_attributes=True).model_dump(),
        "card": selectors.card_data(card),
        "points": selectors.points_earned(order),
        "points_explanation": done.points_explanation,
        "pricing_steps": list(done.quote.steps) if done.quote else [],
        "coupons_issued": [c.code for c in done.coupons_issued],
    }
    if done.replayed:
        response["Idempotent-Replayed"] = "true"
        return Status(200, body)
    return Status(201, body)
