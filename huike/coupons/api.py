"""Coupons API: /api/v1/coupons — templates (list, design, read, change), issue a coupon (by
guest id or phone), check a code, redeem it at the till, void it. Thin: schema in, service or
selector, schema out.

Redeeming requires an ``Idempotency-Key`` (a repeat replays the first answer); a coupon
already used answers 409 ``coupon_already_used``, saying when and where."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from huike.core import errors
from huike.core.idempotency import HEADER, respond_once

from . import selectors, services
from .schemas import (
    CheckQuery,
    CouponOut,
    IssueIn,
    PageQuery,
    RedeemIn,
    TemplateIn,
    TemplateOut,
    TemplatePatch,
    VoidIn,
)

router = Router(tags=["coupons"])


def _coupon_body(coupon) -> dict:
    return CouponOut.model_validate(selectors.coupon_data(coupon)).model_dump(mode="json")


# --- Templates --------------------------------------------------------------------------------
@router.get("/coupons/templates", response=list[TemplateOut], summary="Coupon templates")
def list_templates(request, query: Query[PageQuery]):
    templates = selectors.template_list(user=request.user)
    return [
        selectors.template_data(t) for t in templates[query.offset : query.offset + query.limit]
    ]


@router.post("/coupons/templates", response={201: TemplateOut}, summary="Design a coupon template")
def create_template(request, payload: TemplateIn):
    template = services.template_create(acting_user=request.user, **payload.model_dump())
    return Status(201, selectors.template_data(template))


@router.get("/coupons/templates/{template_id}", response=TemplateOut, summary="One template")
def get_template(request, template_id: int):
    return selectors.template_data(
        selectors.template_get_for_user(user=request.user, template_id=template_id)
    )


@router.patch(
    "/coupons/templates/{template_id}",
    response=TemplateOut,
    summary="Change a template (value fields are fixed once coupons are issued)",
)
def update_template(request, template_id: int, payload: TemplatePatch):
    template = selectors.template_get_for_user(user=request.user, template_id=template_id)
    template = services.template_update(
        acting_user=request.user, template=template, **payload.model_dump(exclude_unset=True)
    )
    return selectors.template_data(template)


# --- Coupons ----------------------------------------------------------------------------------
@router.post(
    "/coupons/issue",
    response={201: CouponOut},
    summary="Issue a coupon to a guest (by id or phone); texts the code and link by default",
)
def issue(request, response: HttpResponse, payload: IssueIn):
    data = payload.model_dump()
    template = selectors.template_get_for_user(user=request.user, template_id=data.pop("template"))
    guest, phone = data.pop("guest"), data.pop("guest_phone")

    def perform():
        if guest is not None:
            coupon = services.coupon_issue(
                acting_user=request.user, template=template, guest=guest, **data
            )
        elif phone:
            coupon = services.coupon_issue_by_phone(
                acting_user=request.user, template=template, guest_phone=phone, **data
            )
        else:
            raise errors.InvalidInput(fields={"guest": [_("Give the guest or their phone.")]})
        return 201, _coupon_body(coupon)

    return respond_once(request, response, scope="coupons.issue", perform=perform)


@router.post(
    "/coupons/redeem",
    response=CouponOut,
    summary="Redeem (核销) a scanned coupon at a store (Idempotency-Key required)",
    description="409 coupon_already_used when it was used before (the message says when and "
    "where); 400 with coupon_not_found, coupon_expired, coupon_not_yet_valid, coupon_voided, "
    "coupon_wrong_store or coupon_min_spend otherwise.",
)
def redeem(request, response: HttpResponse, payload: RedeemIn):
    if not request.headers.get(HEADER):
        raise errors.InvalidInput(
            _("Send an Idempotency-Key header with every redemption."),
            code="idempotency_key_required",
        )

    def perform():
        coupon = services.coupon_redeem(acting_user=request.user, **payload.model_dump())
        return 200, _coupon_body(coupon)

    return respond_once(request, response, scope="coupons.redeem", perform=perform)


@router.get(
    "/coupons/{code}",
    response=CouponOut,
    summary="Check a coupon by its code; with ?store= whether it may be used there today",
)
def check(request, code: str, query: Query[CheckQuery]):
    if query.store is None:
        return selectors.coupon_data(selectors.coupon_get_for_user(user=request.user, code=code))
    store = services.store_for_user(request.user, query.store)
    coupon, problem = selectors.coupon_check(user=request.user, code=code, store=store)
    return selectors.coupon_data(coupon, checked=True, problem=problem)


@router.post("/coupons/{code}/void", response=CouponOut, summary="Void an unused coupon")
def void(request, code: str, payload: VoidIn):
    coupon = selectors.coupon_get_for_user(user=request.user, code=code)
    coupon = services.coupon_void(acting_user=request.user, coupon=coupon, reason=payload.reason)
    return _coupon_body(coupon)
