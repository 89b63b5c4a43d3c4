"""Orders API: /api/v1/orders — intake from the POS (idempotent on the POS's own order number),
refunds and corrections, CSV/Excel import, list and detail. Thin: schema in, service or
selector, schema out."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile
from pydantic import ValidationError

from huike.core import errors
from huike.core.api_errors import pydantic_fields
from huike.core.permissions import check_perm, get_for_user
from huike.org.models import Store

from . import imports, selectors, services
from . import permissions as perms
from .models import Order
from .schemas import (
    CorrectionIn,
    ImportReportOut,
    OrderBatchIn,
    OrderBatchOut,
    OrderDetailOut,
    OrderIn,
    OrderPage,
    OrderQuery,
    RefundIn,
)

router = Router(tags=["orders"])


def _answer(response: HttpResponse, order: Order):
    """201 for a new order; 200 and ``Idempotent-Replayed`` for a repeat of a posted one. The
    body is the posted order (a cashier's POS may post without ``orders.view``)."""
    fresh = Order.objects.prefetch_related("lines", "payments").get(pk=order.pk)
    body = OrderDetailOut.model_validate(fresh, from_attributes=True).model_dump(mode="json")
    if order.replayed:
        response["Idempotent-Replayed"] = "true"
        return Status(200, body)
    return Status(201, body)


def _store_pk(payload: OrderIn, codes: dict | None = None):
    if payload.store is not None or not payload.store_code:
        return payload.store
    codes = {} if codes is None else codes
    if payload.store_code not in codes:
        codes[payload.store_code] = (
            Store.objects.filter(code=payload.store_code).values_list("pk", flat=True).first()
        )
    store = codes[payload.store_code]
    if store is None:
        raise errors.InvalidInput(fields={"store_code": [_("Not found.")]})
    return store


def _order_args(payload) -> dict:
    data = payload.model_dump(exclude={"store", "store_code"})
    data["lines"] = [{k: v for k, v in line.items() if v is not None} for line in data["lines"]]
    if not data.get("coupons"):
        data.pop("coupons", None)
    return data


@router.post(
    "/orders",
    response={200: OrderDetailOut, 201: OrderDetailOut},
    summary="Post an order from the POS (idempotent on store + pos_order_id)",
    description=(
        "The same store and POS order number sent again with the same content returns the "
        "stored order (200, header Idempotent-Replayed: true); with other content it is a 409 "
        "duplicate_order. Refunds and corrections are their own calls."
    ),
)
def post_order(request, response: HttpResponse, payload: OrderIn):
    order = services.order_post(
        acting_user=request.user,
        store=_store_pk(payload),
        source="api",
        **_order_args(payload),
    )
    return _answer(response, order)


@router.post(
    "/orders/batch",
    response=OrderBatchOut,
    summary="Post up to 500 orders at once (each idempotent on store + pos_order_id)",
    description=(
        "Each order is the body of POST /orders and is posted as that call would post it, with "
        "the same checks and effects; the batch is written in one transaction, much faster than "
        "one call per order. The answer lists, in the request's order, each order's status: "
        "created, replayed (the same store and number with the same content was already "
        "posted; nothing written) or error with the problem {code, message, fields} that POST "
        "/orders would have answered (duplicate_order for the same number with other content). "
        "A bad order does not stop the others."
    ),
)
def post_order_batch(request, payload: OrderBatchIn):
    check_perm(request.user, perms.POST_ORDERS)
    failed: dict[int, errors.DomainError] = {}
    valid: list[tuple[int, dict]] = []
    numbers: dict[int, str | None] = {}
    codes: dict = {}
    for i, raw in enumerate(payload.orders):
        numbers[i] = raw.get("pos_order_id") if isinstance(raw.get("pos_order_id"), str) else None
        try:
            order = OrderIn.model_validate(raw)
            valid.append((i, {"store": _store_pk(order, codes), **_order_args(order)}))
        except ValidationError as exc:
            failed[i] = errors.InvalidInput(fields=pydantic_fields(exc.errors()))
        except errors.DomainError as exc:
            failed[i] = exc
    posted = services.orders_post_batch(
        acting_user=request.user, orders=[args for _i, args in valid], source="api"
    )
    results = [None] * len(payload.orders)
    for i, exc in failed.items():
        results[i] = {"index": i, "pos_order_id": numbers[i], "status": "error", "error": exc}
    for (i, _args), result in zip(valid, posted, strict=True):
        results[i] = {
            "index": i,
            "pos_order_id": numbers[i],
            "status": result.status,
            "order": result.order,
            "error": result.error,
        }
    for result in results:
        if result["error"] is not None:
            result["error"] = result["error"].as_problem()
    return {
        "created": sum(r["status"] == services.CREATED for r in results),
        "replayed": sum(r["status"] == services.REPLAYED for r in results),
        "failed": sum(r["status"] == services.ERROR for r in results),
        "results": results,
    }


@router.post(
    "/orders/import",
    response=ImportReportOut,
    summary="Import orders from a CSV or Excel file (one row per order line)",
)
def import_orders(request, file: File[UploadedFile]):
    check_perm(request.user, perms.IMPORT_ORDERS)
    report = imports.import_orders(acting_user=request.user, upload=file)
    return report.as_dict()


@router.get("/orders", response=OrderPage, summary="List orders (newest first)")
def list_orders(request, query: Query[OrderQuery]):
    check_perm(request.user, perms.VIEW_ORDERS)
    orders = selectors.order_list(
        user=request.user,
        store_id=query.store,
        guest_id=query.guest,
        since=query.since,
        until=query.until,
        kind=query.kind,
    )
    return {
        "count": orders.count(),
        "items": list(orders[query.offset : query.offset + query.limit]),
    }


@router.get("/orders/{order_id}", response=OrderDetailOut, summary="One order with its lines")
def get_order(request, order_id: int):
    check_perm(request.user, perms.VIEW_ORDERS)
    return selectors.order_get(user=request.user, order_id=order_id)


def _original(request, order_id: int):
    check_perm(request.user, perms.POST_ORDERS)
    return get_for_user(Order.objects.select_related("store"), request.user, pk=order_id)


@router.post(
    "/orders/{order_id}/refund",
    response={200: OrderDetailOut, 201: OrderDetailOut},
    summary="Refund an order in part or whole (idempotent on the refund's pos_order_id)",
)
def refund_order(request, response: HttpResponse, order_id: int, payload: RefundIn):
    data = payload.model_dump()
    refund = services.order_refund(
        acting_user=request.user,
        order=_original(request, order_id),
        pos_order_id=data["pos_order_id"],
        lines=data["lines"],
        payments=data["payments"],
        closed_at=data["closed_at"],
        source="api",
    )
    return _answer(response, refund)


@router.post(
    "/orders/{order_id}/correction",
    response={200: OrderDetailOut, 201: OrderDetailOut},
    summary="Replace an order by a corrected one (idempotent on its pos_order_id)",
)
def correct_order(request, response: HttpResponse, order_id: int, payload: CorrectionIn):
    correction = services.order_correct(
        acting_user=request.user,
        order=_original(request, order_id),
        source="api",
        **_order_args(payload),
    )
    return _answer(response, correction)
