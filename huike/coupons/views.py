"""Console pages of the coupons app: the template list, designing a template, a template with
its issued coupons and the issue form (by the guest's phone), and a coupon with its QR code,
events and the void form."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from huike.core.forms import run_service
from huike.core.htmx import redirect_after_save, render_page
from huike.core.idempotency import run_once
from huike.core.permissions import check_perm, has_perm, restrict, visible_fields
from huike.guests.selectors import guest_brief
from huike.menu.models import Dish
from huike.org.models import Store

from . import permissions as perms
from . import selectors, services
from .forms import IssueForm, TemplateForm, VoidForm
from .models import Coupon
from .qr import qr_svg_inline
from .rules import value_text

PAGE = 25


def _stores(user):
    return restrict(Store.objects.filter(active=True), user)


@login_required
def template_list(request):
    templates = selectors.template_list(user=request.user)
    page = Paginator(templates, PAGE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "coupons/template_list.html",
        "coupons/template_list.html",
        {
            "page": page,
            "rows": [{"template": t, "value": value_text(t)} for t in page],
            "may_design": has_perm(request.user, perms.DESIGN),
        },
    )


def _template_form(request, template=None):
    check_perm(request.user, perms.DESIGN)
    form = TemplateForm(
        request.POST if request.method == "POST" else None,
        initial=TemplateForm.initial_of(template) if template else None,
        dishes=Dish.objects.filter(active=True).order_by("name"),
        stores=Store.objects.filter(active=True).order_by("name"),
    )
    if request.method == "POST":

        def save(data):
            data = {**data, "stores": list(data["stores"])}
            if template is None:
                return services.template_create(acting_user=request.user, **data)
            return services.template_update(acting_user=request.user, template=template, **data)

        ok, saved = run_service(form, save)
        if ok:
            messages.success(request, _("Coupon template %(name)s saved.") % {"name": saved.name})
            return redirect_after_save(request, reverse("coupon_template", args=[saved.pk]))
    return render_page(
        request,
        "coupons/template_form.html",
        "coupons/partials/template_form.html",
        {"form": form, "template": template},
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_create(request):
    return _template_form(request)


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request, pk: int):
    template = selectors.template_get_for_user(user=request.user, template_id=pk)
    return _template_form(request, template)


def _issue(request, template, data: dict) -> dict:
    """The issue once per form token (a second submit replays the first)."""

    def perform():
        coupon = services.coupon_issue_by_phone(
            acting_user=request.user,
            template=template,
            guest_phone=data["guest_phone"],
            store=data["store"],
            send=data["send"],
        )
        return 201, {"code": coupon.code}

    body = {"phone": data["guest_phone"], "store": data["store"].pk if data["store"] else None}
    _status, payload, _replayed = run_once(
        scope=f"coupons.console_issue:{template.pk}:user:{request.user.pk}",
        key=data["token"],
        body=json.dumps(body).encode(),
        perform=perform,
    )
    return payload


@login_required
@require_http_methods(["GET", "POST"])
def template_detail(request, pk: int):
    template = selectors.template_get_for_user(user=request.user, template_id=pk)
    may_issue = has_perm(request.user, perms.ISSUE) and template.active
    form = IssueForm(
        request.POST if request.method == "POST" else None, stores=_stores(request.user)
    )
    if request.method == "POST":
        check_perm(request.user, perms.ISSUE)
        ok, done = run_service(form, lambda data: _issue(request, template, data))
        if ok:
            messages.success(request, _("Coupon %(code)s issued.") % {"code": done["code"]})
            return redirect_after_save(request, reverse("coupon_detail", args=[done["code"]]))
    coupons = Coupon.objects.filter(template=template).select_related("guest")
    page = Paginator(coupons.order_by("-issued_at", "-pk"), PAGE).get_page(request.GET.get("page"))
    visible = visible_fields(request.user, "guest")
    return render_page(
        request,
        "coupons/template_detail.html",
        "coupons/partials/issue_form.html",
        {
            "template": template,
            "value": value_text(template),
            "stores": list(template.stores.all()),
            "form": form,
            "may_issue": may_issue,
            "may_design": has_perm(request.user, perms.DESIGN),
            "page": page,
            "rows": [
                {
                    "coupon": c,
                    "guest": guest_brief(user=request.user, guest=c.guest, visible=visible),
                }
                for c in page
            ],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def coupon_detail(request, code: str):
    coupon = selectors.coupon_get_for_user(user=request.user, code=code)
    may_void = has_perm(request.user, perms.VOID) and coupon.status == Coupon.Status.ISSUED
    form = VoidForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        check_perm(request.user, perms.VOID)
        ok, _done = run_service(
            form,
            lambda data: services.coupon_void(
                acting_user=request.user, coupon=coupon, reason=data["reason"]
            ),
            field_map={"coupon": "reason"},
        )
        if ok:
            messages.success(request, _("Coupon %(code)s voided.") % {"code": coupon.code})
            return redirect_after_save(request, reverse("coupon_detail", args=[coupon.code]))
    return render_page(
        request,
        "coupons/coupon_detail.html",
        "coupons/partials/void_form.html",
        {
            "coupon": coupon,
            "template": coupon.template,
            "value": value_text(coupon.template),
            "qr": qr_svg_inline(coupon.code),
            "events": selectors.coupon_events(coupon),
            "guest": guest_brief(user=request.user, guest=coupon.guest),
            "form": form,
            "may_void": may_void,
        },
    )
