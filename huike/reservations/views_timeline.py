"""The timeline page: a store's day as a Gantt-style grid, one row per table or room (by
area), each active booking a bar from its start to its end linking to the booking. It redraws
on every floor event of the store (``huike.live``'s live.js fetches the grid again)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET

from huike.core.htmx import render_page
from huike.core.permissions import check_perm, restrict
from huike.org.models import Store

from . import permissions as perms
from .forms import DayForm
from .selectors_timeline import bookings_timeline


@login_required
@require_GET
def timeline(request):
    """``?store=&date=``; an HTMX request (the live refresh) gets the grid alone."""
    check_perm(request.user, perms.VIEW)
    stores = restrict(Store.objects.filter(active=True), request.user).order_by("name")
    form, store, day = DayForm.choose(request.GET, stores)
    return render_page(
        request,
        "reservations/timeline.html",
        "reservations/partials/timeline_grid.html",
        {
            "form": form,
            "store": store,
            "day": day,
            "timeline": bookings_timeline(store, day) if store else None,
        },
    )
