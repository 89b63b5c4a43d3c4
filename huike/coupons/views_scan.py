"""The cashier's scanner page (核销): pick the store, scan (a handheld scanner types the code and
Enter, or the camera button decodes the QR with jsQR), see the coupon and whether it can be used,
then redeem it. The redeem form carries a token, so a double click redeems once."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_http_methods

from huike.core import errors
from huike.core.forms import PAGE_ERRORS
from huike.core.htmx import render_page
from huike.core.idempotency import run_once
from huike.core.permissions import access_for, check_perm, has_perm, restrict
from huike.org.models import Store

from . import permissions as perms
from . import selectors, services
from .forms import RedeemForm, ScanForm
from .rules import find_coupon, value_text


def _default_store(user, stores):
    own = access_for(user).store_id
    return own if own and stores.filter(pk=own).exists() else None


def _redeem(request, data: dict) -> dict:
    def perform():
        coupon = services.coupon_redeem(
            acting_user=request.user,
            code=data["code"],
            store=data["store"],
            amount=data["amount"].strip() or None,
            reference=data["reference"].strip(),
        )
        return 200, {"code": coupon.code}

    body = {k: data[k] for k in ("code", "store", "amount", "reference")}
    _status, payload, _replayed = run_once(
        scope=f"coupons.console_redeem:user:{request.user.pk}",
        key=data["token"],
        body=json.dumps(body).encode(),
        perform=perform,
    )
    return payload


@login_required
@require_http_methods(["GET", "POST"])
def scan(request):
    check_perm(request.user, perms.VIEW)
    stores = restrict(Store.objects.filter(active=True), request.user).order_by("name")
    may_redeem = has_perm(request.user, perms.REDEEM)
    context: dict = {"may_redeem": may_redeem, "coupon": None, "problem": None, "redeemed": False}
    store_id = None
    if request.method == "POST":
        check_perm(request.user, perms.REDEEM)
        redeem = RedeemForm(request.POST)
        if redeem.is_valid():
            store_id = redeem.cleaned_data["store"]
            try:
                done = _redeem(request, redeem.cleaned_data)
            except PAGE_ERRORS:
                raise
            except errors.DomainError as exc:
                context["problem"] = exc
                context["coupon"] = _quiet_find(redeem.cleaned_data["code"])
                context["redeem"] = redeem
            else:
                context["coupon"] = find_coupon(done["code"])
                context["redeemed"] = True
        else:
            context["problem"] = errors.InvalidInput(fields=redeem.errors)
        scan_form = ScanForm(initial={"store": store_id}, stores=stores)
    else:
        scan_form = ScanForm(request.GET if "code" in request.GET else None, stores=stores)
        if scan_form.is_bound and scan_form.is_valid():
            store = scan_form.cleaned_data["store"]
            store_id = store.pk
            try:
                coupon, problem = selectors.coupon_check(
                    user=request.user, code=scan_form.cleaned_data["code"], store=store
                )
            except errors.NotFound as exc:
                coupon, problem = None, exc
            context.update(coupon=coupon, problem=problem)
            if coupon is not None and problem is None and may_redeem:
                context["redeem"] = RedeemForm(initial={"code": coupon.code, "store": store.pk})
            scan_form = ScanForm(initial={"store": store.pk}, stores=stores)
        elif not scan_form.is_bound:
            scan_form = ScanForm(
                initial={"store": request.GET.get("store") or _default_store(request.user, stores)},
                stores=stores,
            )
    coupon = context["coupon"]
    context.update(
        scan_form=scan_form,
        value=value_text(coupon.template) if coupon is not None else "",
    )
    return render_page(request, "coupons/scan.html", "coupons/scan.html", context)


def _quiet_find(code: str):
    try:
        return find_coupon(code)
    except errors.DomainError:
        return None
