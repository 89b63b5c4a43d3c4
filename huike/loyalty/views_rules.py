"""Console pages of the loyalty rules (``loyalty.configure``: marketing and HQ): 会员等级 —
tiers with their rules and benefits, and the brands' downgrade policies — and 积分规则 — the
accrual rules in their order of application, caps and expiry, and a 试算 (try it) form that
shows what a sale would earn on a card."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from huike.core import errors
from huike.core.forms import apply_domain_error, run_service
from huike.core.htmx import redirect_after_save, render_page
from huike.core.permissions import check_perm
from huike.coupons.models import CouponTemplate
from huike.menu.models import Dish, DishCategory
from huike.org.models import Brand

from . import accrual, services, tiers
from . import permissions as perms
from .forms_rules import (
    AccrualRuleForm,
    AccrualSettingsForm,
    PointsTrialForm,
    TierForm,
    TierPolicyForm,
    TopUpRuleForm,
)
from .models import AccrualRule, AccrualSettings, MembershipCard, Tier, TierPolicy, TopUpRule

FORM_PAGE = "loyalty/rules/form_page.html"
FORM_PARTIAL = "loyalty/rules/partials/form.html"


def _form_page(request, form, *, title: str, testid: str, back: str):
    return render_page(
        request,
        FORM_PAGE,
        FORM_PARTIAL,
        {"form": form, "title": title, "testid": testid, "back": back, "action": request.path},
    )


def _brands():
    return Brand.objects.filter(active=True).order_by("name")


# --- 会员等级 -----------------------------------------------------------------------------------
@login_required
def tier_list(request):
    check_perm(request.user, perms.CONFIGURE)
    return render_page(
        request,
        "loyalty/rules/tier_list.html",
        "loyalty/rules/tier_list.html",
        {
            "tiers": Tier.objects.order_by("-rank", "pk"),
            "policies": TierPolicy.objects.select_related("brand").order_by("brand__name"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def tier_edit(request, pk: int | None = None):
    check_perm(request.user, perms.CONFIGURE)
    tier = get_object_or_404(Tier, pk=pk) if pk else None
    initial = {name: getattr(tier, name) for name in TierForm.base_fields} if tier else None
    form = TierForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        if tier is None:
            ok, _done = run_service(
                form, lambda data: tiers.tier_define(acting_user=request.user, **data)
            )
        else:
            ok, _done = run_service(
                form, lambda data: tiers.tier_update(acting_user=request.user, tier=tier, **data)
            )
        if ok:
            messages.success(request, _("Saved."))
            return redirect_after_save(request, reverse("loyalty_tiers"))
    title = _("Edit tier %(name)s") % {"name": tier.name} if tier else _("New tier")
    return _form_page(request, form, title=title, testid="tier-form", back="loyalty_tiers")


@login_required
@require_http_methods(["GET", "POST"])
def tier_policy(request):
    """Set a brand's downgrade policy (or the brand group's default); ``?brand=`` preselects."""
    check_perm(request.user, perms.CONFIGURE)
    brand_id = request.GET.get("brand") or None
    found = TierPolicy.objects.filter(brand_id=brand_id).first() if _digits(brand_id) else None
    initial = None
    if found:
        initial = {
            "brand": found.brand_id,
            "downgrade": found.downgrade,
            "requalify_month": found.requalify_month,
            "requalify_day": found.requalify_day,
            "requalify_months": found.requalify_months,
        }
    form = TierPolicyForm(
        request.POST if request.method == "POST" else None, initial=initial, brands=_brands()
    )
    if request.method == "POST":
        ok, _done = run_service(
            form, lambda data: tiers.tier_policy_set(acting_user=request.user, **data)
        )
        if ok:
            messages.success(request, _("Saved."))
            return redirect_after_save(request, reverse("loyalty_tiers"))
    return _form_page(
        request, form, title=_("Downgrade policy"), testid="policy-form", back="loyalty_tiers"
    )


def _digits(value) -> bool:
    return value is None or str(value).isdigit()


# --- 积分规则 -----------------------------------------------------------------------------------
def _trial(request):
    """The 试算 form (GET) and, when filled in, what the sale would earn."""
    bound = "try-card" in request.GET
    form = PointsTrialForm(request.GET if bound else None, prefix="try")
    award = None
    if bound and form.is_valid():
        data = form.cleaned_data
        card = (
            MembershipCard.objects.select_related("store", "tier", "guest")
            .filter(number=data["card"].strip())
            .first()
        )
        codes = {code for code, _qty in data["dishes"]}
        dishes = {d.code: d for d in Dish.objects.filter(code__in=codes)}
        if card is None:
            form.add_error("card", _("No card has this number."))
        elif codes - set(dishes):
            form.add_error(
                "dishes",
                _("Unknown dish code: %(codes)s")
                % {"codes": ", ".join(sorted(codes - set(dishes)))},
            )
        else:
            lines = accrual.sale_lines(
                [(dishes[code].pk, None, qty, 0) for code, qty in data["dishes"]]
            )
            try:
                award = accrual.points_for_sale(
                    card,
                    store=card.store,
                    lines=lines,
                    amount_paid=data["amount"],
                    when=timezone.now(),
                )
            except errors.InvalidInput as exc:
                apply_domain_error(form, exc, field_map={"amount_paid": "amount"})
    return form, award


@login_required
def rule_list(request):
    check_perm(request.user, perms.CONFIGURE)
    trial, award = _trial(request)
    rules = AccrualRule.objects.select_related("brand", "dish", "category", "tier")
    return render_page(
        request,
        "loyalty/rules/rule_list.html",
        "loyalty/rules/partials/trial.html",
        {
            "rules": rules.order_by("-active", "brand__name", "kind", "pk"),
            "settings": AccrualSettings.objects.select_related("brand").order_by("brand__name"),
            "trial": trial,
            "award": award,
        },
    )


def _rule_form(request, initial=None):
    return AccrualRuleForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        brands=_brands(),
        dishes=Dish.objects.filter(active=True).order_by("code"),
        categories=DishCategory.objects.all(),
        tiers=Tier.objects.order_by("rank"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk: int | None = None):
    check_perm(request.user, perms.CONFIGURE)
    rule = get_object_or_404(AccrualRule, pk=pk) if pk else None
    initial = None
    if rule:
        initial = {name: getattr(rule, name) for name in AccrualRuleForm.base_fields}
        initial.update({n: getattr(rule, f"{n}_id") for n in ("brand", "dish", "category", "tier")})
    form = _rule_form(request, initial)
    if request.method == "POST":
        if rule is None:
            ok, _done = run_service(
                form, lambda data: accrual.accrual_rule_create(acting_user=request.user, **data)
            )
        else:
            ok, _done = run_service(
                form,
                lambda data: accrual.accrual_rule_update(
                    acting_user=request.user, rule=rule, **data
                ),
            )
        if ok:
            messages.success(request, _("Saved."))
            return redirect_after_save(request, reverse("loyalty_accrual_rules"))
    title = _("Edit rule %(name)s") % {"name": rule.name} if rule else _("New points rule")
    return _form_page(request, form, title=title, testid="rule-form", back="loyalty_accrual_rules")


@login_required
@require_POST
def rule_deactivate(request, pk: int):
    check_perm(request.user, perms.CONFIGURE)
    rule = get_object_or_404(AccrualRule, pk=pk)
    accrual.accrual_rule_deactivate(acting_user=request.user, rule=rule)
    messages.success(request, _("Rule %(name)s switched off.") % {"name": rule.name})
    return redirect_after_save(request, reverse("loyalty_accrual_rules"))


@login_required
@require_http_methods(["GET", "POST"])
def accrual_settings(request):
    """Caps and expiry of a brand (or the brand group's default); ``?brand=`` preselects."""
    check_perm(request.user, perms.CONFIGURE)
    brand_id = request.GET.get("brand") or None
    found = AccrualSettings.objects.filter(brand_id=brand_id).first() if _digits(brand_id) else None
    initial = None
    if found:
        initial = {
            "brand": found.brand_id,
            "order_cap": found.order_cap,
            "day_cap": found.day_cap,
            "expiry": found.expiry,
            "expiry_months": found.expiry_months,
        }
    form = AccrualSettingsForm(
        request.POST if request.method == "POST" else None, initial=initial, brands=_brands()
    )
    if request.method == "POST":
        ok, _done = run_service(
            form, lambda data: accrual.accrual_settings_set(acting_user=request.user, **data)
        )
        if ok:
            messages.success(request, _("Saved."))
            return redirect_after_save(request, reverse("loyalty_accrual_rules"))
    return _form_page(
        request,
        form,
        title=_("Caps and expiry"),
        testid="accrual-settings-form",
        back="loyalty_accrual_rules",
    )


# --- 充值规则 -----------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def top_up_rules(request):
    """The top-up bonus tiers (充值赠送/充值送礼), brand by brand, and a form for a new one."""
    check_perm(request.user, perms.CONFIGURE)
    form = TopUpRuleForm(
        request.POST if request.method == "POST" else None,
        brands=_brands(),
        gifts=CouponTemplate.objects.filter(active=True).order_by("name"),
    )
    if request.method == "POST":
        ok, _done = run_service(
            form,
            lambda data: services.top_up_rule_create(
                acting_user=request.user,
                pay_at_least=data["pay_at_least"],
                bonus=data["bonus"],
                brand=data["brand"],
                gift=data["gift"],
            ),
        )
        if ok:
            messages.success(request, _("Saved."))
            return redirect_after_save(request, reverse("loyalty_top_up_rules"))
    rules = TopUpRule.objects.select_related("brand", "gift")
    return render_page(
        request,
        "loyalty/rules/top_up_rules.html",
        FORM_PARTIAL,
        {
            "rules": rules.order_by("-active", "brand__name", "pay_at_least"),
            "form": form,
            "testid": "top-up-rule-form",
            "action": request.path,
        },
    )


@login_required
@require_POST
def top_up_rule_switch(request, pk: int):
    """Switch a top-up rule off, or on again."""
    check_perm(request.user, perms.CONFIGURE)
    rule = get_object_or_404(TopUpRule, pk=pk)
    services.top_up_rule_update(acting_user=request.user, rule=rule, active=not rule.active)
    return redirect_after_save(request, reverse("loyalty_top_up_rules"))
