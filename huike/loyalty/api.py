"""Loyalty API: /api/v1/loyalty — membership cards (issue, look up, freeze, unfreeze, report
lost, replace), stored value (top-up, spend, refund of principal), HQ's points adjustment and a
card's ledger. Thin: schema in, service or selector, schema out.

Top-up, spend and refund move money: they require an ``Idempotency-Key`` (a repeat replays the
first answer and moves nothing)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router

from huike.core import errors
from huike.core.idempotency import HEADER, respond_once

from . import selectors, services
from .schemas import (
    AmountIn,
    CardIn,
    CardOut,
    CardQuery,
    EntryPage,
    OperationOut,
    PageQuery,
    PointsAdjustIn,
    PointsSpendIn,
    ReasonIn,
    RefundIn,
    ReplaceIn,
)

router = Router(tags=["loyalty"])


def _card(request, card_id: int):
    return selectors.card_get_for_user(user=request.user, card_id=card_id)


def _card_body(card) -> dict:
    fresh = type(card).objects.select_related("tier").get(pk=card.pk)
    return CardOut.model_validate(selectors.card_data(fresh)).model_dump(mode="json")


def _operation_body(card, entries) -> dict:
    fresh = type(card).objects.select_related("tier").get(pk=card.pk)
    return OperationOut.model_validate(
        {
            "operation": entries[0].operation if entries else None,
            "entries": [selectors.entry_data(e) for e in entries],
            "card": selectors.card_data(fresh),
        }
    ).model_dump(mode="json")


def _require_key(request) -> None:
    if not request.headers.get(HEADER):
        raise errors.InvalidInput(
            _("Send an Idempotency-Key header with every payment."),
            code="idempotency_key_required",
        )


def _money_move(request, response, card_id: int, payload, service, scope: str):
    """A payment-like operation at the till (top-up, spend, refund, points redemption): the
    Idempotency-Key is required, and a repeat of it replays the first answer."""
    _require_key(request)
    card = _card(request, card_id)

    def perform():
        done = service(acting_user=request.user, card=card, **payload.model_dump())
        entries = done if isinstance(done, list) else [done]
        return 201, _operation_body(card, entries)

    return respond_once(request, response, scope=f"{scope}:{card_id}", perform=perform)


# --- Cards ------------------------------------------------------------------------------------
@router.get("/loyalty/cards", response=list[CardOut], summary="Cards by guest or number")
def list_cards(request, query: Query[CardQuery]):
    cards = selectors.card_list(user=request.user, guest=query.guest, number=query.number)
    return [selectors.card_data(c) for c in cards[query.offset : query.offset + query.limit]]


@router.post("/loyalty/cards", response={201: CardOut}, summary="Issue a membership card")
def issue_card(request, response: HttpResponse, payload: CardIn):
    def perform():
        card = services.card_issue(acting_user=request.user, **payload.model_dump())
        return 201, _card_body(card)

    return respond_once(request, response, scope="loyalty.card_issue", perform=perform)


@router.get("/loyalty/cards/{card_id}", response=CardOut, summary="One card with its balances")
def get_card(request, card_id: int):
    return selectors.card_data(_card(request, card_id))


@router.post("/loyalty/cards/{card_id}/freeze", response=CardOut, summary="Freeze a card")
def freeze_card(request, card_id: int, payload: ReasonIn):
    card = services.card_freeze(
        acting_user=request.user, card=_card(request, card_id), **payload.model_dump()
    )
    return _card_body(card)


@router.post("/loyalty/cards/{card_id}/unfreeze", response=CardOut, summary="Unfreeze a card")
def unfreeze_card(request, card_id: int, payload: ReasonIn):
    card = services.card_unfreeze(
        acting_user=request.user, card=_card(request, card_id), **payload.model_dump()
    )
    return _card_body(card)


@router.post("/loyalty/cards/{card_id}/lost", response=CardOut, summary="Report a card lost")
def report_lost(request, card_id: int, payload: ReasonIn):
    card = services.card_report_lost(
        acting_user=request.user, card=_card(request, card_id), **payload.model_dump()
    )
    return _card_body(card)


@router.post(
    "/loyalty/cards/{card_id}/replace",
    response={201: CardOut},
    summary="Replace a card: a new card takes over its balances; the old one ends lost",
)
def replace_card(request, response: HttpResponse, card_id: int, payload: ReplaceIn):
    card = _card(request, card_id)

    def perform():
        new = services.card_replace(acting_user=request.user, card=card, **payload.model_dump())
        return 201, _card_body(new)

    return respond_once(request, response, scope=f"loyalty.card_replace:{card_id}", perform=perform)


# --- Stored value -----------------------------------------------------------------------------
@router.post(
    "/loyalty/cards/{card_id}/top-up",
    response={201: OperationOut},
    summary="Top up stored value (Idempotency-Key required); the bonus rule reached adds bonus",
)
def top_up(request, response: HttpResponse, card_id: int, payload: AmountIn):
    return _money_move(
        request, response, card_id, payload, services.stored_value_top_up, "loyalty.top_up"
    )


@router.post(
    "/loyalty/cards/{card_id}/spend",
    response={201: OperationOut},
    summary="Pay with stored value (Idempotency-Key required); 409 insufficient_balance if short",
    description="Principal and bonus are taken in proportion to what the card holds.",
)
def spend(request, response: HttpResponse, card_id: int, payload: AmountIn):
    return _money_move(
        request, response, card_id, payload, services.stored_value_spend, "loyalty.spend"
    )


@router.post(
    "/loyalty/cards/{card_id}/refund",
    response={201: OperationOut},
    summary="Refund principal (Idempotency-Key required); the bonus bought with it is forfeited",
)
def refund(request, response: HttpResponse, card_id: int, payload: RefundIn):
    return _money_move(
        request, response, card_id, payload, services.stored_value_refund, "loyalty.refund"
    )


# --- Points -----------------------------------------------------------------------------------
@router.post(
    "/loyalty/cards/{card_id}/points/spend",
    response={201: OperationOut},
    summary="Redeem points at the till (Idempotency-Key required), closest to expiry first",
)
def spend_points(request, response: HttpResponse, card_id: int, payload: PointsSpendIn):
    return _money_move(
        request, response, card_id, payload, services.points_spend, "loyalty.points_spend"
    )


@router.post(
    "/loyalty/cards/{card_id}/points/adjust",
    response={201: OperationOut},
    summary="HQ: add or take points by hand, with a reason (never below zero)",
)
def adjust_points(request, response: HttpResponse, card_id: int, payload: PointsAdjustIn):
    card = _card(request, card_id)

    def perform():
        entry = services.points_adjust(acting_user=request.user, card=card, **payload.model_dump())
        return 201, _operation_body(card, [entry])

    return respond_once(request, response, scope=f"loyalty.adjust:{card_id}", perform=perform)


# --- Ledger -----------------------------------------------------------------------------------
@router.get(
    "/loyalty/cards/{card_id}/ledger",
    response=EntryPage,
    summary="A card's ledger, newest first (paged)",
)
def card_ledger(request, card_id: int, query: Query[PageQuery]):
    entries = selectors.card_ledger(_card(request, card_id))
    page = entries[query.offset : query.offset + query.limit]
    return {"count": entries.count(), "items": [selectors.entry_data(e) for e in page]}
