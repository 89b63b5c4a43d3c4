"""The public coupon page the SMS links to (no sign-in: the code is unguessable): the coupon's
name, value, validity, status and QR code — nothing about the guest."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from huike.core import errors
from huike.core.tenancy import tenant_context

from .models import Coupon
from .qr import qr_svg, qr_svg_inline
from .rules import normalise_code, value_text


def _coupon(code: str) -> Coupon:
    try:
        code = normalise_code(code)
    except errors.InvalidInput as exc:
        raise Http404 from exc
    coupon = (
        Coupon.all_tenants.select_related("template", "template__dish", "tenant")
        .filter(code=code)
        .first()
    )
    if coupon is None:
        raise Http404
    return coupon


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def coupon_public(request, code: str):
    coupon = _coupon(code)
    with tenant_context(coupon.tenant):
        response = render(
            request,
            "coupons/public.html",
            {
                "coupon": coupon,
                "template": coupon.template,
                "value": value_text(coupon.template),
                "stores": [s.name for s in coupon.template.stores.order_by("name")],
                "qr": qr_svg_inline(coupon.code, scale=8),
            },
        )
    return _private(response)


@require_GET
def coupon_qr(request, code: str):
    coupon = _coupon(code)
    return _private(HttpResponse(qr_svg(coupon.code), content_type="image/svg+xml"))
