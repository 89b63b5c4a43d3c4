"""The live floor page (M3): a store's tables and rooms as free, booked, seated or cleaning,
redrawn on every open page of the store when a booking changes or a table is cleaned (the page
follows ``store:<id>:floor`` through ``huike.live``'s live.js and fetches its plan again)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from huike.core.htmx import redirect_after_save
from huike.core.permissions import check_perm, get_for_user, has_perm, restrict
from huike.menu.models import DiningTable
from huike.org.models import Store

from . import permissions as perms
from .floor import floor_plan, table_mark_clean


def _store(request) -> Store:
    stores = restrict(Store.objects.filter(active=True), request.user).order_by("name")
    wanted = request.GET.get("store")
    if wanted:
        return get_for_user(stores, request.user, pk=wanted)
    return get_for_user(stores, request.user, pk=stores.values_list("pk", flat=True)[:1].get())


def _context(request, store) -> dict:
    return {
        "store": store,
        "areas": floor_plan(store),
        "may_book": has_perm(request.user, perms.BOOK),
    }


@login_required
@require_GET
def floor_page(request):
    check_perm(request.user, perms.VIEW)
    store = _store(request)
    stores = restrict(Store.objects.filter(active=True), request.user).order_by("name")
    return render(
        request, "reservations/floor.html", {**_context(request, store), "stores": stores}
    )


@login_required
@require_GET
def floor_plan_partial(request):
    """The plan alone, fetched again by live.js on every floor event of the store."""
    check_perm(request.user, perms.VIEW)
    return render(
        request, "reservations/partials/floor_plan.html", _context(request, _store(request))
    )


@login_required
@require_POST
def table_clean(request, pk: int):
    table = get_for_user(DiningTable.objects.all(), request.user, pk=pk)
    table_mark_clean(acting_user=request.user, table=table)
    return redirect_after_save(request, f"{reverse('floor')}?store={table.store_id}")
