"""Console pages of the pricing app (会员价与优惠): member prices and discount rules with the
stacking rules in plain words, their edit pages, and the quote (试算) of an order."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from huike.core import errors
from huike.core.forms import run_service
from huike.core.htmx import redirect_after_save, render_page
from huike.core.permissions import check_perm, has_perm, restrict
from huike.loyalty.models import Tier
from huike.menu.models import Dish
from huike.org.models import Brand, Store

from . import permissions as perms
from . import selectors, services
from .forms import MemberPriceEditForm, MemberPriceForm, QuoteForm, RuleForm


def _rule_form(request, rule=None):
    from huike.coupons.models import CouponTemplate

    initial = None
    if rule is not None:
        initial = {
            "name": rule.name,
            "kind": rule.kind,
            "brand": rule.brand_id,
            "tier": rule.tier_id,
            "percent_off": rule.percent_off or "",
            "threshold": rule.threshold or "",
            "save_amount": rule.save_amount or "",
            "repeat": rule.repeat,
            "return_template": rule.return_template_id,
            "active": rule.active,
            "valid_from": rule.valid_from,
            "valid_until": rule.valid_until,
        }
    return RuleForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        brands=Brand.objects.all(),
        tiers=Tier.objects.order_by("rank"),
        templates=CouponTemplate.objects.all(),
        editing=rule is not None,
    )


@login_required
@require_http_methods(["GET", "POST"])
def pricing_home(request):
    """The member prices, the rules and the stacking rules; marketing adds a member price."""
    prices = selectors.member_price_list(user=request.user)
    may_configure = has_perm(request.user, perms.CONFIGURE)
    form = MemberPriceForm(
        request.POST if request.method == "POST" else None,
        prefix="price",
        dishes=Dish.objects.filter(active=True),
        tiers=Tier.objects.order_by("rank"),
    )
    if request.method == "POST":
        check_perm(request.user, perms.CONFIGURE)
        ok, _price = run_service(
            form,
            lambda data: services.member_price_create(
                acting_user=request.user, dish=data["dish"], tier=data["tier"], price=data["price"]
            ),
        )
        if ok:
            messages.success(request, _("Member price saved."))
            return redirect_after_save(request, reverse("pricing_home"))
    return render_page(
        request,
        "pricing/home.html",
        "pricing/partials/member_price_form.html",
        {
            "prices": prices,
            "rules": selectors.pricing_rule_list(user=request.user),
            "stacking_rules": selectors.stacking_rules(user=request.user),
            "form": form,
            "may_configure": may_configure,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_price_edit(request, pk: int):
    check_perm(request.user, perms.CONFIGURE)
    price = selectors.member_price_get(user=request.user, pk=pk)
    form = MemberPriceEditForm(
        request.POST if request.method == "POST" else None, initial={"price": price.price}
    )
    if request.method == "POST":
        ok, _done = run_service(
            form,
            lambda data: services.member_price_update(
                acting_user=request.user, member_price=price, price=data["price"]
            ),
        )
        if ok:
            messages.success(request, _("Member price saved."))
            return redirect_after_save(request, reverse("pricing_home"))
    return render_page(
        request,
        "pricing/member_price_edit.html",
        "pricing/partials/member_price_edit_form.html",
        {"price": price, "form": form},
    )


@login_required
@require_POST
def member_price_delete(request, pk: int):
    price = selectors.member_price_get(user=request.user, pk=pk)
    services.member_price_delete(acting_user=request.user, member_price=price)
    messages.success(request, _("Member price removed."))
    return redirect_after_save(request, reverse("pricing_home"))


def _rule_values(data: dict) -> dict:
    return {name: value for name, value in data.items() if name != "kind"}


@login_required
@require_http_methods(["GET", "POST"])
def rule_create(request):
    check_perm(request.user, perms.CONFIGURE)
    form = _rule_form(request)
    if request.method == "POST":
        ok, _rule = run_service(
            form,
            lambda data: services.pricing_rule_create(
                acting_user=request.user, kind=data["kind"], **_rule_values(data)
            ),
        )
        if ok:
            messages.success(request, _("Rule saved."))
            return redirect_after_save(request, reverse("pricing_home"))
    return render_page(
        request,
        "pricing/rule_edit.html",
        "pricing/partials/rule_form.html",
        {"form": form, "rule": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk: int):
    check_perm(request.user, perms.CONFIGURE)
    rule = selectors.pricing_rule_get(user=request.user, pk=pk)
    form = _rule_form(request, rule)
    if request.method == "POST":
        ok, _rule = run_service(
            form,
            lambda data: services.pricing_rule_update(
                acting_user=request.user, rule=rule, **_rule_values(data)
            ),
        )
        if ok:
            messages.success(request, _("Rule saved."))
            return redirect_after_save(request, reverse("pricing_home"))
    return render_page(
        request,
        "pricing/rule_edit.html",
        "pricing/partials/rule_form.html",
        {"form": form, "rule": rule},
    )


@login_required
@require_POST
def rule_deactivate(request, pk: int):
    rule = selectors.pricing_rule_get(user=request.user, pk=pk)
    services.pricing_rule_deactivate(acting_user=request.user, rule=rule)
    messages.success(request, _("Rule switched off."))
    return redirect_after_save(request, reverse("pricing_home"))


def _quote(request, data: dict):
    """The quote; a line's error is shown beside the dishes, naming its line."""
    lines = [{**line, "price_tier": data["price_tier"]} for line in data["lines"]]
    try:
        return selectors.order_quote(
            user=request.user,
            store=data["store"].pk,
            member_card=data["member_card"],
            lines=lines,
            service_charge=data["service_charge"],
            coupons=data["coupons"],
        )
    except errors.InvalidInput as exc:
        fields = {}
        for name, found in exc.fields.items():
            if name.startswith("lines."):
                number = int(name.split(".")[1]) + 1
                found = [_("Line %(n)s: %(message)s") % {"n": number, "message": m} for m in found]
                name = "lines"
            fields.setdefault(name, []).extend(found)
        raise errors.InvalidInput(exc.message, code=exc.code, fields=fields) from exc


@login_required
@require_http_methods(["GET", "POST"])
def quote(request):
    """试算: what an order would cost for a card, with the steps that led there."""
    check_perm(request.user, perms.VIEW)
    form = QuoteForm(
        request.POST if request.method == "POST" else None,
        stores=restrict(Store.objects.filter(active=True), request.user),
    )
    result = None
    if request.method == "POST":
        ok, found = run_service(form, lambda data: _quote(request, data))
        if ok:
            result = selectors.quote_data(found)
    return render_page(
        request,
        "pricing/quote.html",
        "pricing/partials/quote.html",
        {"form": form, "quote": result},
    )
