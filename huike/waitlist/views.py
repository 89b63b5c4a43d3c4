"""Console pages of the waitlist: a store's waitlist of one day with the quick add form, each
open party with its next free slot now and a button booking it; "check again" offers every
open party its slot. The list redraws itself on every floor event of the store (a booking
cancelled or marked no-show frees a slot) through ``huike.live``'s live.js."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huike.core import errors
from huike.core.forms import run_service
from huike.core.htmx import redirect_after_save, render_page
from huike.core.permissions import check_perm, has_perm, restrict
from huike.org.models import Store
from huike.reservations import permissions as perms
from huike.reservations.forms import DayForm

from . import selectors, services
from .forms import WaitlistForm


def _stores(user):
    return restrict(Store.objects.filter(active=True), user).order_by("name")


def _store_and_day(request, data) -> tuple[DayForm, Store | None, dt.date]:
    form, store, day = DayForm.choose(data, _stores(request.user))
    if data.get("store") and "store" in form.errors:
        raise errors.NotFound()
    return form, store, day


def _page_url(store, day) -> str:
    return f"{reverse('waitlist')}?{urlencode({'store': store.pk, 'date': day.isoformat()})}"


def _list_context(request, store, day) -> dict:
    entries = selectors.entries_of_day(user=request.user, store=store, day=day) if store else []
    return {
        "store": store,
        "day": day,
        "rows": selectors.entries_with_slots(entries),
        "may_book": has_perm(request.user, perms.BOOK),
        "next": _page_url(store, day) if store else "",
    }


@login_required
@require_http_methods(["GET", "POST"])
def waitlist_page(request):
    """A store's waitlist of one day (``?store=&date=``); a POST adds a party to it."""
    check_perm(request.user, perms.VIEW)
    day_form, store, day = _store_and_day(request, request.GET)
    form = WaitlistForm(
        request.POST if request.method == "POST" else None,
        initial={"party_size": 2},
    )
    if request.method == "POST" and store is not None:
        check_perm(request.user, perms.BOOK)

        def add(data):
            return services.waitlist_add(acting_user=request.user, store=store, day=day, **data)

        ok, entry = run_service(form, add, field_map={"day": "earliest"})
        if ok:
            if entry.status == entry.Status.OFFERED:
                messages.success(request, _("Added to the waitlist: a slot is free now."))
            else:
                messages.success(request, _("Added to the waitlist."))
            return redirect_after_save(request, _page_url(store, day))
    return render_page(
        request,
        "waitlist/waitlist.html",
        "waitlist/partials/entries.html",
        {**_list_context(request, store, day), "day_form": day_form, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_GET
def waitlist_entries(request):
    """The list alone, fetched again by live.js on every floor event of the store."""
    check_perm(request.user, perms.VIEW)
    _form, store, day = _store_and_day(request, request.GET)
    return render_page(
        request,
        "waitlist/partials/entries.html",
        "waitlist/partials/entries.html",
        _list_context(request, store, day),
    )


def _back(request, entry) -> str:
    return _page_url(entry.store, entry.day)


def _fail(request, exc: errors.DomainError) -> None:
    problems = [str(m) for ms in (exc.fields or {}).values() for m in ms]
    messages.error(request, " ".join(problems) or str(exc.message))


@login_required
@require_POST
def waitlist_accept(request, pk: int):
    """'Book this slot': the table and start shown on the page (posted back), booked now."""
    check_perm(request.user, perms.BOOK)
    entry = selectors.entry_get_for_user(user=request.user, entry_id=pk)
    table = request.POST.get("table") or None
    starts_at = None
    if request.POST.get("starts_at"):
        try:
            starts_at = dt.datetime.fromisoformat(request.POST["starts_at"])
        except ValueError:
            starts_at = request.POST["starts_at"]  # refused by the service, beside "starts_at"
    try:
        done = services.waitlist_accept(
            acting_user=request.user, entry=entry, table=table, starts_at=starts_at
        )
    except (errors.InvalidInput, errors.Conflict) as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("Booked from the waitlist."))
        return redirect(reverse("booking_detail", args=[done.booking_id]))
    return redirect(_back(request, entry))


@login_required
@require_POST
def waitlist_cancel(request, pk: int):
    check_perm(request.user, perms.BOOK)
    entry = selectors.entry_get_for_user(user=request.user, entry_id=pk)
    try:
        services.waitlist_cancel(
            acting_user=request.user, entry=entry, reason=request.POST.get("reason", "")
        )
    except (errors.InvalidInput, errors.Conflict) as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("Taken off the waitlist."))
    return redirect(_back(request, entry))


@login_required
@require_POST
def waitlist_notify(request, pk: int):
    """'Text the guest': the slot free now, sent to the waiting guest once."""
    check_perm(request.user, perms.BOOK)
    entry = selectors.entry_get_for_user(user=request.user, entry_id=pk)
    try:
        services.waitlist_notify(acting_user=request.user, entry=entry)
    except (errors.InvalidInput, errors.Conflict) as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("The guest is being told about the free table."))
    return redirect(_back(request, entry))


@login_required
@require_POST
def waitlist_check(request):
    """'Check again': offer every open party of the day its next free slot now."""
    check_perm(request.user, perms.BOOK)
    _form, store, day = _store_and_day(request, request.POST)
    if store is None:
        raise errors.NotFound()
    offered = services.waitlist_check(acting_user=request.user, store=store, day=day)
    messages.success(
        request,
        ngettext(
            "%(n)s party can be offered a slot now.",
            "%(n)s parties can be offered a slot now.",
            len(offered),
        )
        % {"n": len(offered)},
    )
    return redirect(_page_url(store, day))
