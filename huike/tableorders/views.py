"""Console pages of the table orders app: the floor's tickets from the tables' QR codes (live,
with confirm / reject), the tables' QR codes of a store (and their printable sheet), and the
pre-order of one booking."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huike.core import errors
from huike.core.htmx import redirect_after_save, render_page
from huike.core.permissions import check_perm, get_for_user, has_perm, restrict
from huike.menu.models import DiningTable
from huike.menu.selectors import store_menu
from huike.org.models import Store
from huike.reservations import permissions as reservation_perms
from huike.reservations.selectors import booking_get_for_user

from . import permissions as perms
from . import selectors, services
from .qr import table_qr_svg, table_url


def _check_view(user) -> None:
    """The tickets are seen by whoever sees the floor or handles table orders."""
    if not has_perm(user, perms.HANDLE):
        check_perm(user, reservation_perms.VIEW)


def _stores(user):
    return restrict(Store.objects.filter(active=True), user).order_by("name")


def _store(request) -> Store:
    stores = _stores(request.user)
    wanted = request.GET.get("store") or request.POST.get("store")
    if wanted:
        return get_for_user(stores, request.user, pk=wanted)
    first = stores.values_list("pk", flat=True).first()
    if first is None:
        raise errors.NotFound()
    return get_for_user(stores, request.user, pk=first)


def _problems(exc: errors.DomainError) -> str:
    found = [str(m) for ms in exc.fields.values() for m in ms]
    return " ".join(found) or str(exc.message)


# --- Tickets ----------------------------------------------------------------------------------
def _tickets_context(request, store) -> dict:
    return {
        "store": store,
        "tickets": selectors.tickets_of_store(user=request.user, store=store),
        "may_handle": has_perm(request.user, perms.HANDLE),
    }


@login_required
@require_GET
def tickets_page(request):
    """A store's orders from the tables' QR codes: new ones first, live."""
    _check_view(request.user)
    store = _store(request)
    return render_page(
        request,
        "tableorders/tickets.html",
        "tableorders/partials/tickets.html",
        {**_tickets_context(request, store), "stores": _stores(request.user)},
    )


@login_required
@require_GET
def tickets_partial(request):
    """The ticket list alone, fetched again by live.js on every table order event."""
    _check_view(request.user)
    return render(
        request, "tableorders/partials/tickets.html", _tickets_context(request, _store(request))
    )


@login_required
@require_POST
def ticket_action(request, pk: int, action: str):
    """Confirm a new ticket, or reject it with a reason; back to the store's tickets."""
    ticket = get_for_user(selectors.tickets_for_user(request.user), request.user, pk=pk)
    try:
        if action == "confirm":
            services.table_order_confirm(acting_user=request.user, ticket=ticket)
            messages.success(request, _("Order confirmed."))
        elif action == "reject":
            services.table_order_reject(
                acting_user=request.user, ticket=ticket, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Order rejected."))
        else:
            raise errors.NotFound()
    except (errors.InvalidInput, errors.Conflict) as exc:
        messages.error(request, _problems(exc))
    return redirect_after_save(request, f"{reverse('table_orders')}?store={ticket.store_id}")


# --- QR codes ---------------------------------------------------------------------------------
def _codes_context(request, store) -> dict:
    tables = selectors.tables_with_codes(store)
    for table in tables:
        if getattr(table, "order_code", None) is None:
            table.order_code = services.table_code_get_or_create(
                acting_user=request.user, table=table
            )
    rows = [
        {
            "table": t,
            "url": table_url(request, t.order_code.token),
            "qr": table_qr_svg(table_url(request, t.order_code.token)),
            "tier": services.price_tier_of(t),
        }
        for t in tables
    ]
    return {"store": store, "rows": rows, "stores": _stores(request.user)}


@login_required
@require_GET
def codes_page(request):
    """A store's tables with their QR codes (made the first time this page is opened)."""
    check_perm(request.user, perms.HANDLE)
    store = _store(request)
    return render(request, "tableorders/codes.html", _codes_context(request, store))


@login_required
@require_GET
def codes_print(request):
    """The store's table QR codes on a printable sheet, one card per table."""
    check_perm(request.user, perms.HANDLE)
    store = _store(request)
    return render(request, "tableorders/codes_print.html", _codes_context(request, store))


@login_required
@require_POST
def code_regenerate(request, table_pk: int):
    """A new QR code for the table; the old one stops working."""
    table = get_for_user(DiningTable.objects.all(), request.user, pk=table_pk)
    services.table_code_regenerate(acting_user=request.user, table=table)
    messages.success(
        request,
        _("New QR code for %(table)s: print it again, the old one no longer works.")
        % {"table": table},
    )
    return redirect_after_save(request, f"{reverse('table_codes')}?store={table.store_id}")


# --- Pre-order with a booking -----------------------------------------------------------------
EXTRA_ROWS = 4


def _posted_lines(post) -> list[dict]:
    dishes, quantities, notes = (post.getlist(k) for k in ("dish", "quantity", "note"))
    lines = []
    for i, dish in enumerate(dishes[: services.MAX_LINES + EXTRA_ROWS]):
        quantity = quantities[i] if i < len(quantities) else ""
        note = notes[i] if i < len(notes) else ""
        if not dish.strip():
            continue
        lines.append({"dish": dish.strip(), "quantity": quantity.strip(), "note": note})
    return lines


@login_required
@require_http_methods(["GET", "POST"])
def pre_order_edit(request, booking_pk: int):
    """The dishes pre-ordered with a booking: change quantities, add or remove dishes."""
    check_perm(request.user, reservation_perms.BOOK)
    booking = booking_get_for_user(user=request.user, booking_id=booking_pk)
    back = reverse("booking_detail", args=[booking.pk])
    found = selectors.pre_order_of(booking)
    status = 200
    if request.method == "POST":
        lines = _posted_lines(request.POST)
        try:
            services.pre_order_set(acting_user=request.user, booking=booking, lines=lines)
        except (errors.InvalidInput, errors.Conflict) as exc:
            messages.error(request, _problems(exc))
            status = 400
            rows = [
                {"dish": str(line["dish"]), "quantity": line["quantity"], "note": line["note"]}
                for line in lines
            ]
        else:
            messages.success(request, _("Pre-ordered dishes saved."))
            return redirect_after_save(request, back)
    else:
        rows = [
            {"dish": str(line.dish_id), "quantity": line.quantity, "note": line.note}
            for line in found["lines"]
        ]
    rows += [{"dish": "", "quantity": "", "note": ""}] * EXTRA_ROWS
    return render_page(
        request,
        "tableorders/pre_order_form.html",
        "tableorders/pre_order_form.html",
        {
            "booking": booking,
            "rows": rows,
            "menu": store_menu(store=booking.store, tier=found["tier"]),
            "tier": found["tier"],
            "back": back,
            "editable": booking.is_active,
        },
        status=status,
    )
