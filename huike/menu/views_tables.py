"""Console pages of rooms and tables (餐台与包房): the floor of one store (its areas with their
tables and rooms), an add-area form, and the table form. Viewing needs ``menu.view``; changing
needs ``menu.manage_tables`` and a store inside the user's scope."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huike.core import errors
from huike.core.forms import run_service
from huike.core.htmx import redirect_after_save, render_page
from huike.core.permissions import check_perm, get_for_user, restrict
from huike.org.models import Store

from . import permissions as perms
from . import selectors_tables, tables
from .forms_tables import AreaForm, TableForm
from .models import DiningTable, FloorArea


def _stores(user):
    return restrict(Store.objects.all(), user).order_by("name")


@login_required
@require_GET
def tables_home(request):
    """The floor of the first store the user can see."""
    check_perm(request.user, perms.VIEW_MENU)
    store = _stores(request.user).first()
    if store is None:
        raise errors.NotFound()
    return redirect("store_tables", store_id=store.pk)


@login_required
@require_http_methods(["GET", "POST"])
def store_tables(request, store_id: int):
    """Areas with their tables and rooms; a POST adds an area (``menu.manage_tables``)."""
    check_perm(request.user, perms.VIEW_MENU)
    store = get_for_user(Store.objects.all(), request.user, pk=store_id)
    form = AreaForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        check_perm(request.user, perms.MANAGE_TABLES)
        ok, area = run_service(
            form, lambda data: tables.area_create(acting_user=request.user, store=store, **data)
        )
        if ok:
            messages.success(request, _("Area “%(name)s” added.") % {"name": area.name})
            return redirect_after_save(request, reverse("store_tables", args=[store.pk]))
    return render_page(
        request,
        "menu/tables/store_tables.html",
        "menu/tables/partials/area_form.html",
        {
            "store": store,
            "stores": _stores(request.user),
            "areas": selectors_tables.areas_with_tables(store),
            "form": form,
        },
    )


@login_required
@require_POST
def area_delete(request, pk: int):
    check_perm(request.user, perms.MANAGE_TABLES)
    area = get_for_user(FloorArea.objects.all(), request.user, pk=pk)
    try:
        tables.area_delete(acting_user=request.user, area=area)
    except errors.Conflict as exc:
        messages.error(request, exc.message)
    return redirect_after_save(request, reverse("store_tables", args=[area.store_id]))


@login_required
@require_http_methods(["GET", "POST"])
def table_create(request, store_id: int):
    check_perm(request.user, perms.MANAGE_TABLES)
    store = get_for_user(Store.objects.all(), request.user, pk=store_id)
    form = TableForm(request.POST if request.method == "POST" else None, store=store)
    if request.method == "POST":
        ok, table = run_service(
            form,
            lambda data: tables.table_create(acting_user=request.user, store=store, **data),
        )
        if ok:
            messages.success(request, _("“%(code)s” added.") % {"code": table.code})
            return redirect_after_save(request, reverse("store_tables", args=[store.pk]))
    return render_page(
        request,
        "menu/tables/table_form.html",
        "menu/tables/partials/table_form.html",
        {"form": form, "store": store},
    )


@login_required
@require_http_methods(["GET", "POST"])
def table_edit(request, pk: int):
    check_perm(request.user, perms.MANAGE_TABLES)
    table = get_for_user(DiningTable.objects.select_related("store"), request.user, pk=pk)
    form = TableForm(
        request.POST if request.method == "POST" else None,
        store=table.store,
        table=table,
        initial=TableForm.initial_for(table),
    )
    if request.method == "POST":
        ok, saved = run_service(
            form,
            lambda data: tables.table_update(acting_user=request.user, table=table, **data),
        )
        if ok:
            messages.success(request, _("“%(code)s” saved.") % {"code": saved.code})
            return redirect_after_save(request, reverse("store_tables", args=[table.store_id]))
        table.refresh_from_db()
    return render_page(
        request,
        "menu/tables/table_form.html",
        "menu/tables/partials/table_form.html",
        {"form": form, "store": table.store, "table": table},
    )
