"""Manual entry of one order (a receipt the POS could not send), posted through order_post."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from huike.core import errors
from huike.core.forms import PAGE_ERRORS
from huike.core.htmx import redirect_after_save, render_page
from huike.core.money import format_cny
from huike.core.permissions import check_perm, has_perm
from huike.menu.models import Dish

from .. import permissions as perms
from .. import services
from ..forms import METHOD_CHOICES, TIER_CHOICES, OrderEntryForm

FIELD_LABELS = {
    "qty": gettext_lazy("quantity"),
    "dish": gettext_lazy("dish"),
    "dish_code": gettext_lazy("dish"),
    "unit_price": gettext_lazy("unit price"),
    "price_tier": gettext_lazy("price tier"),
    "method": gettext_lazy("payment method"),
    "amount": gettext_lazy("amount"),
}


def explain_order_error(form, exc: errors.DomainError) -> None:
    """Service errors beside the header fields; line and payment errors above the editor."""
    for name, messages_ in (exc.fields or {}).items():
        parts = name.split(".")
        for message in messages_:
            if parts[0] in form.fields:
                form.add_error(parts[0], message)
            elif parts[0] in ("lines", "payments") and len(parts) >= 2 and parts[1].isdigit():
                label = _("Line %(n)s") if parts[0] == "lines" else _("Payment %(n)s")
                where = label % {"n": int(parts[1]) + 1}
                what = FIELD_LABELS.get(parts[-1]) if len(parts) > 2 else None
                if what:
                    form.add_error(
                        None,
                        _("%(where)s, %(field)s: %(message)s")
                        % {"where": where, "field": what, "message": message},
                    )
                else:
                    form.add_error(
                        None, _("%(where)s: %(message)s") % {"where": where, "message": message}
                    )
            elif parts[0] == "payments":
                form.add_error(None, _("Payments: %(message)s") % {"message": message})
            elif parts[0] == "lines":
                form.add_error(None, _("Lines: %(message)s") % {"message": message})
            else:
                form.add_error(None, message)
    if not exc.fields:
        form.add_error(None, str(exc.message))


def dish_choices() -> list[dict]:
    return [
        {
            "id": d.pk,
            "label": f"{d.code} {d.name}",
            "prices": {
                "regular": str(d.price_regular),
                "hall": str(d.price_hall),
                "vip_room": str(d.price_vip_room),
            },
        }
        for d in Dish.objects.filter(active=True).order_by("code")
    ]


@login_required
@require_http_methods(["GET", "POST"])
def order_entry(request):
    check_perm(request.user, perms.POST_ORDERS)
    form = OrderEntryForm(request.POST if request.method == "POST" else None, user=request.user)
    lines, payments = [], []
    if request.method == "POST":
        lines = [
            {"dish": d, "qty": q, "tier": t, "price": p}
            for d, q, t, p in zip(
                request.POST.getlist("line_dish"),
                request.POST.getlist("line_qty"),
                request.POST.getlist("line_tier"),
                request.POST.getlist("line_price"),
                strict=False,
            )
        ]
        payments = [
            {"method": m, "amount": a}
            for m, a in zip(
                request.POST.getlist("pay_method"), request.POST.getlist("pay_amount"), strict=False
            )
        ]
        if form.is_valid():
            try:
                order = services.order_post(acting_user=request.user, **form.order_arguments())
            except PAGE_ERRORS:
                raise
            except errors.DomainError as exc:
                explain_order_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Order %(number)s posted: %(total)s.")
                    % {"number": order.pos_order_id, "total": format_cny(order.total)},
                )
                target = (
                    reverse("order_detail", args=[order.pk])
                    if has_perm(request.user, perms.VIEW_ORDERS)
                    else reverse("order_entry")
                )
                return redirect_after_save(request, target)
    editor = {
        "lines": lines or [{"dish": "", "qty": "1", "tier": "regular", "price": ""}],
        "payments": payments or [{"method": "wechat", "amount": ""}],
    }
    return render_page(
        request,
        "orders/order_entry.html",
        "orders/partials/order_entry_form.html",
        {
            "form": form,
            "dishes": dish_choices(),
            "editor": json.dumps(editor, ensure_ascii=False),
            "tiers": TIER_CHOICES,
            "methods": METHOD_CHOICES,
        },
    )
