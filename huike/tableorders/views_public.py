"""The public page a table's QR code opens on the guest's phone (``/t/<token>/``, no sign-in:
the token is unguessable): the store's menu at the table's price tier, a cart, and "Send
order". Nothing about any guest is shown. The brand group is the token's (as the coupon page
does from the coupon code)."""

from __future__ import annotations

import re
import uuid

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from huike.core import errors
from huike.core.tenancy import tenant_context

from . import selectors, services
from .models import TableOrderTicket

QUANTITY_FIELD = re.compile(r"^qty_(\d{1,12})$")


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    # Not "no-referrer": Chromium then sends "Origin: null" with the form, which CSRF refuses.
    # "same-origin" still keeps the token in the URL from leaking to any other site.
    response["Referrer-Policy"] = "same-origin"
    return response


def _cart(post) -> tuple[list[dict], dict]:
    """The lines of the posted cart (``qty_<dish>``, ``note_<dish>``), those with a quantity
    other than 0, and what was typed (to show again after an error)."""
    lines, typed = [], {}
    for name, value in post.items():
        match = QUANTITY_FIELD.match(name)
        if match is None:
            continue
        value = value.strip()
        dish = int(match.group(1))
        typed[dish] = {"quantity": value, "note": post.get(f"note_{dish}", "")}
        if value in ("", "0"):
            continue
        lines.append({"dish": dish, "quantity": value, "note": post.get(f"note_{dish}", "")})
        if len(lines) > services.MAX_LINES:
            break
    return lines, typed


@require_http_methods(["GET", "POST"])
def table_menu(request, token: str):
    code = selectors.code_by_token(token)
    if code is None:
        raise Http404
    with tenant_context(code.tenant):
        table = services.table_of_code(code)
        if table is None:
            raise Http404
        problems: list[str] = []
        typed: dict = {}
        status = 200
        if request.method == "POST":
            lines, typed = _cart(request.POST)
            try:
                ticket, _created = services.table_order_submit(
                    code=code, client_key=request.POST.get("key", ""), lines=lines
                )
            except errors.NotFound as exc:
                raise Http404 from exc
            except (errors.InvalidInput, errors.Throttled) as exc:
                problems = [str(m) for ms in exc.fields.values() for m in ms] or [str(exc.message)]
                status = exc.status
            else:
                url = reverse("table_qr", args=[code.token])
                return _private(redirect(f"{url}?sent={ticket.client_key}"))
        sent = None
        if request.GET.get("sent"):
            sent = (
                TableOrderTicket.objects.filter(table=table, client_key=request.GET["sent"][:64])
                .prefetch_related("lines")
                .first()
            )
        groups = selectors.menu_for_table(table)
        for group in groups:
            for dish in group["dishes"]:
                dish.typed = typed.get(dish.pk, {"quantity": "", "note": ""})
        response = render(
            request,
            "tableorders/public_menu.html",
            {
                "brand_name": table.store.brand.name if table.store.brand_id else "",
                "store_name": table.store.name,
                "table": table,
                "groups": groups,
                "key": uuid.uuid4().hex,
                "problems": problems,
                "sent": sent,
                "max_quantity": services.MAX_QUANTITY,
                "action": reverse("table_qr", args=[code.token]),
            },
            status=status,
        )
    return _private(response)
