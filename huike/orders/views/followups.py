"""Refunds (退单) and corrections (更正) of an order from its detail page, posted through
``order_refund`` and ``order_correct`` with the permission the API asks for (``orders.post``)
and the order fetched within the user's row scope, as the API does."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from huike.core import errors
from huike.core.forms import PAGE_ERRORS, apply_domain_error
from huike.core.htmx import redirect_after_save, render_page
from huike.core.money import format_cny
from huike.core.permissions import check_perm, get_for_user, has_perm

from .. import permissions as perms
from .. import services
from ..forms import METHOD_CHOICES, TIER_CHOICES, OrderCorrectionForm, OrderRefundForm
from ..models import Order
from .entry import dish_choices, explain_order_error


def refundable(order: Order) -> bool:
    """What ``order_refund`` accepts: a posted sale or correction with something left."""
    return correctable(order) and any(line.remaining_qty > 0 for line in order.lines.all())


def correctable(order: Order) -> bool:
    """What ``order_correct`` accepts: a sale or correction not yet replaced."""
    return order.kind != Order.Kind.REFUND and order.status == Order.Status.POSTED


def _original(request, pk: int) -> Order:
    check_perm(request.user, perms.POST_ORDERS)
    return get_for_user(
        Order.objects.select_related("store", "guest").prefetch_related("lines", "payments"),
        request.user,
        pk=pk,
    )


def _posted(request, order: Order, message: str):
    messages.success(
        request, message % {"number": order.pos_order_id, "total": format_cny(order.total)}
    )
    target = (
        reverse("order_detail", args=[order.pk])
        if has_perm(request.user, perms.VIEW_ORDERS)
        else reverse("order_entry")
    )
    return redirect_after_save(request, target)


@login_required
@require_http_methods(["GET", "POST"])
def order_refund_page(request, pk: int):
    original = _original(request, pk)
    form = OrderRefundForm(request.POST if request.method == "POST" else None, original=original)
    if request.method == "POST" and form.is_valid():
        arguments, field_map = form.refund_arguments()
        try:
            refund = services.order_refund(acting_user=request.user, order=original, **arguments)
        except PAGE_ERRORS:
            raise
        except errors.DomainError as exc:
            apply_domain_error(form, exc, field_map=field_map)
        else:
            return _posted(request, refund, _("Refund %(number)s posted: %(total)s."))
    return render_page(
        request,
        "orders/order_refund.html",
        "orders/partials/order_refund_form.html",
        {"form": form, "order": original, "refundable": refundable(original)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def order_correction_page(request, pk: int):
    original = _original(request, pk)
    form = OrderCorrectionForm(
        request.POST if request.method == "POST" else None, user=request.user, original=original
    )
    if request.method == "POST":
        lines, payments = form.editor_rows()
        if form.is_valid():
            try:
                correction = services.order_correct(
                    acting_user=request.user, order=original, **form.order_arguments()
                )
            except PAGE_ERRORS:
                raise
            except errors.DomainError as exc:
                explain_order_error(form, exc)
            else:
                return _posted(request, correction, _("Correction %(number)s posted: %(total)s."))
    else:
        lines = [
            {
                "dish": str(line.dish_id or line.dish_code),
                "qty": str(line.qty.normalize()),
                "tier": line.price_tier,
                "price": str(line.unit_price),
            }
            for line in original.lines.all()
        ]
        payments = [{"method": p.method, "amount": str(p.amount)} for p in original.payments.all()]
    editor = {
        "lines": lines or [{"dish": "", "qty": "1", "tier": "regular", "price": ""}],
        "payments": payments or [{"method": "wechat", "amount": ""}],
    }
    return render_page(
        request,
        "orders/order_correction.html",
        "orders/partials/order_correction_form.html",
        {
            "form": form,
            "order": original,
            "correctable": correctable(original),
            "dishes": dish_choices(),
            "editor": json.dumps(editor, ensure_ascii=False),
            "tiers": TIER_CHOICES,
            "methods": METHOD_CHOICES,
        },
    )
