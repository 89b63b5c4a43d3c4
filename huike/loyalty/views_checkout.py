"""The cashier's member checkout page (会员结账, T3): scan the card, enter the dishes, scan the
coupons, see the bill priced by member pricing (试算), take part of it from stored value and
settle (结账); then the order with the member's new balances."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from huike.core import errors
from huike.core.forms import run_service
from huike.core.htmx import redirect_after_save, render_page
from huike.core.money import ZERO
from huike.core.permissions import check_perm, get_for_user, restrict
from huike.coupons.models import Coupon
from huike.menu.models import Dish
from huike.orders import permissions as order_perms
from huike.orders.models import Order
from huike.orders.posting import find_order
from huike.org.models import Store

from . import permissions as perms
from .checkout import Checkout, card_by_number, checkout, quote
from .forms import CheckoutForm
from .models import LedgerEntry, MembershipCard


def _quote(request, form: CheckoutForm, data: dict):
    return quote(
        acting_user=request.user,
        store=data["store"],
        member_card=data["member_card"],
        lines=form.lines(),
        coupons=form.coupon_codes(),
        service_charge=data["service_charge"] or ZERO,
    )


def _pay(request, form: CheckoutForm, data: dict):
    existing = find_order(data["store"], data["pos_order_id"])
    if existing is not None and existing.member_card == data["member_card"].strip():
        return Checkout(order=existing, card=card_by_number(existing.member_card))  # resubmitted
    _card, quote = _quote(request, form, data)
    from_card = data["stored_value"] or ZERO
    if from_card > quote.due:
        raise errors.InvalidInput(
            fields={
                "stored_value": [
                    _("The guest owes only %(due)s.") % {"due": quote.due},
                ]
            }
        )
    payments = []
    if from_card:
        payments.append({"method": "stored_value", "amount": from_card})
    if quote.due - from_card > 0:
        payments.append({"method": data["other_method"], "amount": quote.due - from_card})
    return checkout(
        acting_user=request.user,
        store=data["store"],
        pos_order_id=data["pos_order_id"],
        member_card=data["member_card"],
        lines=form.lines(),
        coupons=form.coupon_codes(),
        service_charge=data["service_charge"] or ZERO,
        payments=payments,
        source=Order.Source.MANUAL,
    )


@login_required
@require_http_methods(["GET", "POST"])
def checkout_page(request):
    check_perm(request.user, order_perms.POST_ORDERS)
    check_perm(request.user, perms.VIEW)
    stores = restrict(Store.objects.filter(active=True), request.user)
    form = CheckoutForm(request.POST or None, stores=stores)
    card = quote = None
    if request.method == "POST":
        if request.POST.get("action") == "pay":
            check_perm(request.user, perms.STORED_VALUE)
            ok, done = run_service(form, lambda data: _pay(request, form, data))
            if ok:
                return redirect_after_save(
                    request, reverse("loyalty_checkout_done", args=[done.order.pk])
                )
        else:
            ok, priced = run_service(form, lambda data: _quote(request, form, data))
            if ok:
                card, quote = priced
    rows = form.lines() if form.is_bound else []
    return render_page(
        request,
        "loyalty/checkout.html",
        "loyalty/partials/checkout_form.html",
        {
            "form": form,
            "card": card,
            "quote": quote,
            "rows_json": json.dumps(
                rows or [{"dish_code": "", "qty": "1", "price_tier": "regular"}]
            ),
            "coupons_json": json.dumps(form.coupon_codes() if form.is_bound else []),
            "dishes": Dish.objects.filter(active=True).order_by("code").only("code", "name"),
        },
    )


@login_required
@require_GET
def checkout_done(request, pk: int):
    """The settled member order with the card's balances after it."""
    check_perm(request.user, perms.VIEW)
    order = get_for_user(Order.objects.select_related("store"), request.user, pk=pk)
    card = card_by_number(order.member_card)
    if card is None:
        return redirect("order_detail", pk=order.pk)
    card = MembershipCard.objects.select_related("tier").get(pk=card.pk)
    return render_page(
        request,
        "loyalty/checkout_done.html",
        "loyalty/checkout_done.html",
        {
            "order": order,
            "card": card,
            "payments": order.payments.all(),
            "entries": LedgerEntry.objects.filter(order=order).order_by("pk"),
            "coupons_used": Coupon.objects.filter(redeemed_order=order),
            "coupons_issued": Coupon.objects.filter(
                source="order_return", source_reference=order.pos_order_id, guest=card.guest
            ),
        },
    )
