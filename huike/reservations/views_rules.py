"""Console pages of the booking rules (decision 0024): a store's rules with their turn times,
the rule form, and the availability partial of the booking form (the day's slots for a party,
the bookable ones clickable)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from huike.core import errors
from huike.core.forms import run_service
from huike.core.htmx import redirect_after_save, render_page
from huike.core.permissions import check_perm, get_for_user, has_perm, restrict
from huike.guests.selectors import guest_by_phone
from huike.org.models import Store

from . import permissions as perms
from . import rules, selectors
from .availability import day_slots
from .forms_rules import BookingRuleForm, SlotPickForm
from .models import BookingRule


def _store(request, store_id: int) -> Store:
    return get_for_user(restrict(Store.objects.all(), request.user), request.user, pk=store_id)


def _rule(request, pk: int) -> BookingRule:
    found = restrict(BookingRule.objects.select_related("store", "area"), request.user)
    return get_for_user(found, request.user, pk=pk)


@login_required
def rules_page(request, store_id: int):
    """A store's booking rules: the store's own and each area's."""
    check_perm(request.user, perms.VIEW)
    store = _store(request, store_id)
    return render_page(
        request,
        "reservations/rules.html",
        "reservations/rules.html",
        {
            "store": store,
            "rules": selectors.booking_rules_of_store(user=request.user, store=store),
            "may_manage": has_perm(request.user, perms.RULES),
        },
    )


def _save(request, form, save, *, store, title, rule=None):
    if request.method == "POST":
        ok, _saved = run_service(form, save)
        if ok:
            messages.success(request, _("Booking rule saved."))
            return redirect_after_save(request, reverse("booking_rules", args=[store.pk]))
    return render_page(
        request,
        "reservations/rule_form.html",
        "reservations/rule_form.html",
        {"form": form, "store": store, "title": title, "rule": rule},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_create(request, store_id: int):
    check_perm(request.user, perms.RULES)
    store = _store(request, store_id)
    form = BookingRuleForm(request.POST if request.method == "POST" else None, store=store)

    def save(data):
        return rules.booking_rule_create(acting_user=request.user, store=store, **data)

    return _save(request, form, save, store=store, title=_("New booking rule"))


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk: int):
    check_perm(request.user, perms.RULES)
    rule = _rule(request, pk)
    form = BookingRuleForm(
        request.POST if request.method == "POST" else None,
        store=rule.store,
        editing=True,
        initial=BookingRuleForm.initial_for(rule),
    )

    def save(data):
        return rules.booking_rule_update(acting_user=request.user, rule=rule, **data)

    return _save(request, form, save, store=rule.store, title=_("Edit booking rule"), rule=rule)


@login_required
@require_POST
def rule_delete(request, pk: int):
    check_perm(request.user, perms.RULES)
    rule = _rule(request, pk)
    store_id = rule.store_id
    rules.booking_rule_delete(acting_user=request.user, rule=rule)
    messages.success(request, _("Booking rule deleted."))
    return redirect(reverse("booking_rules", args=[store_id]))


@login_required
def slots_partial(request):
    """The day's slots for a party (the booking form's slot picker); the guest found by the
    phone typed so far counts for held-back places."""
    check_perm(request.user, perms.VIEW)
    stores = restrict(Store.objects.filter(active=True), request.user).order_by("name")
    form = SlotPickForm(request.GET or None, stores=stores)
    slots = []
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        guest = None
        try:
            guest = guest_by_phone(data["guest_phone"]) if data["guest_phone"] else None
        except errors.InvalidInput:
            guest = None
        slots = day_slots(
            store=data["store"], day=data["date"], party_size=data["party_size"], guest=guest
        )
    return render_page(
        request,
        "reservations/partials/slots.html",
        "reservations/partials/slots.html",
        {"slots": slots, "asked": form.is_bound and form.is_valid()},
    )
