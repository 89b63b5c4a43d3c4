"""Points-for-gifts API: /api/v1/gifts — the catalogue (list, create, update, stock),
redemption at the till (Idempotency-Key required: a repeat replays the first answer and spends
nothing), cancellation and the redemption history. Thin: schema in, service or selector out."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from huike.core import errors
from huike.core.idempotency import HEADER, respond_once
from huike.loyalty.selectors import card_get_for_user
from huike.org.models import Store

from . import selectors, services
from .schemas import (
    CancelIn,
    GiftIn,
    GiftOut,
    GiftPatch,
    GiftQuery,
    RedeemIn,
    RedemptionOut,
    RedemptionPage,
    RedemptionQuery,
    StockIn,
)

router = Router(tags=["gifts"])


def _gift(request, gift_id: int):
    return selectors.gift_get_for_user(user=request.user, gift_id=gift_id)


@router.get("/gifts", response=list[GiftOut], summary="The gift catalogue")
def list_gifts(request, query: Query[GiftQuery]):
    store = None
    if query.store is not None:
        store = Store.objects.filter(pk=query.store).first()
        if store is None:
            raise errors.InvalidInput(fields={"store": [_("Not found.")]})
    gifts = selectors.gift_list(user=request.user, active=query.active, store=store)
    return [selectors.gift_data(g) for g in gifts]


@router.post("/gifts", response={201: GiftOut}, summary="Add a gift to the catalogue")
def create_gift(request, payload: GiftIn):
    gift = services.gift_create(acting_user=request.user, **payload.model_dump())
    return Status(201, selectors.gift_data(gift))


@router.get("/gifts/redemptions", response=RedemptionPage, summary="Redemptions, newest first")
def list_redemptions(request, query: Query[RedemptionQuery]):
    rows = selectors.redemption_list(
        user=request.user, card=query.card, gift=query.gift, status=query.status
    )
    page = rows[query.offset : query.offset + query.limit]
    return {"count": rows.count(), "items": [selectors.redemption_data(r) for r in page]}


@router.post(
    "/gifts/redemptions/{redemption_id}/cancel",
    response=RedemptionOut,
    summary="Cancel a redemption: points and stock go back once (409 already_cancelled)",
)
def cancel_redemption(request, redemption_id: int, payload: CancelIn):
    redemption = selectors.redemption_get_for_user(user=request.user, redemption_id=redemption_id)
    done = services.gift_cancel(
        acting_user=request.user, redemption=redemption, reason=payload.reason
    )
    return selectors.redemption_data(done)


@router.get("/gifts/{gift_id}", response=GiftOut, summary="One gift")
def get_gift(request, gift_id: int):
    return selectors.gift_data(_gift(request, gift_id))


@router.patch("/gifts/{gift_id}", response=GiftOut, summary="Change a gift (not its stock)")
def update_gift(request, gift_id: int, payload: GiftPatch):
    gift = services.gift_update(
        acting_user=request.user,
        gift=_gift(request, gift_id),
        **payload.model_dump(exclude_unset=True),
    )
    return selectors.gift_data(gift)


@router.post("/gifts/{gift_id}/stock", response=GiftOut, summary="Add or take stock, with a reason")
def adjust_stock(request, gift_id: int, payload: StockIn):
    gift = services.gift_stock_adjust(
        acting_user=request.user, gift=_gift(request, gift_id), **payload.model_dump()
    )
    return selectors.gift_data(gift)


@router.post(
    "/gifts/{gift_id}/redeem",
    response={201: RedemptionOut},
    summary="Redeem points for a gift (Idempotency-Key required)",
    description="409 gift_out_of_stock, 409 insufficient_balance, 409 card_frozen / card_lost / "
    "card_expired; nothing is written on any error.",
)
def redeem_gift(request, response: HttpResponse, gift_id: int, payload: RedeemIn):
    if not request.headers.get(HEADER):
        raise errors.InvalidInput(
            _("Send an Idempotency-Key header with every redemption."),
            code="idempotency_key_required",
        )
    gift = _gift(request, gift_id)
    card = card_get_for_user(user=request.user, card_id=payload.card)

    def perform():
        redemption = services.gift_redeem(
            acting_user=request.user, card=card, gift=gift, qty=payload.qty, store=payload.store
        )
        return 201, RedemptionOut.model_validate(selectors.redemption_data(redemption)).model_dump(
            mode="json"
        )

    return respond_once(request, response, scope=f"gifts.redeem:{gift_id}", perform=perform)
