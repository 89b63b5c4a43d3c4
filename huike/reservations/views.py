"""Console pages of the reservations app: a store's day of bookings with the status actions,
the booking form (prefilled from the screen pop by ``?phone=`` or ``?guest=``) with the
free-table suggestions, and one booking with its history."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from huike.core import errors
from huike.core.forms import run_service
from huike.core.htmx import redirect_after_save, render_page
from huike.core.permissions import check_perm, has_perm, restrict
from huike.core.timeutils import local_today, zone
from huike.guests.models import Guest
from huike.menu.models import DiningTable
from huike.org.models import Store

from . import permissions as perms
from . import rules, selectors, services
from .forms import BookingForm, DayForm, ReasonForm
from .inputs import MAX_PARTY

ACTIONS = {
    "confirm": services.booking_confirm,
    "seat": services.booking_seat,
    "complete": services.booking_complete,
    "cancel": services.booking_cancel,
    "no-show": services.booking_no_show,
}
WITH_REASON = {"cancel", "no-show"}


def _stores(user):
    return restrict(Store.objects.filter(active=True), user).order_by("name")


def _day_url(booking) -> str:
    day = timezone.localtime(booking.starts_at, zone(booking.store.time_zone)).date()
    query = urlencode({"store": booking.store_id, "date": day.isoformat()})
    return f"{reverse('booking_day')}?{query}"


@login_required
def booking_day(request):
    """A store's bookings of one day, by time, with their actions."""
    check_perm(request.user, perms.VIEW)
    form, store, day = DayForm.choose(request.GET, _stores(request.user))
    bookings = selectors.bookings_of_day(user=request.user, store=store, day=day) if store else []
    return render_page(
        request,
        "reservations/day.html",
        "reservations/day.html",
        {
            "form": form,
            "store": store,
            "day": day,
            "bookings": bookings,
            "may_book": has_perm(request.user, perms.BOOK),
            "reason_form": ReasonForm(),
        },
    )


def _prefill(request) -> dict:
    initial = {"date": local_today(), "party_size": 2}
    if request.GET.get("phone"):
        initial["guest_phone"] = request.GET["phone"][:30]
    guest_id = request.GET.get("guest", "")
    guest = Guest.objects.filter(pk=guest_id).first() if guest_id.isdigit() else None
    if guest is not None:
        initial["guest_phone"] = guest.primary_phone
        initial["guest_name"] = guest.name
    if request.GET.get("store", "").isdigit():
        initial["store"] = int(request.GET["store"])
    return initial


def _suggestions(form: BookingForm, stores) -> list:
    """The free tables for the slot typed so far (the form's raw values), best first."""
    data = form.data if form.is_bound else {}
    try:
        store = stores.get(pk=data.get("store") or form.initial.get("store"))
        day = dt.date.fromisoformat(data.get("date", ""))
        time = dt.time.fromisoformat(data.get("time", ""))
        size = int(data.get("party_size", ""))
    except (Store.DoesNotExist, ValueError, TypeError):
        return []
    if not 1 <= size <= MAX_PARTY:
        return []
    starts = dt.datetime.combine(day, time, tzinfo=zone(store.time_zone))
    return rules.Context.load(store).evaluate(starts_at=starts, party_size=size).tables


@login_required
@require_http_methods(["GET", "POST"])
def booking_new(request):
    """The booking form; ``?phone=`` / ``?guest=`` prefill the guest (the screen pop)."""
    check_perm(request.user, perms.BOOK)
    stores = _stores(request.user)
    tables = DiningTable.objects.filter(store__in=stores, active=True).select_related("store")
    form = BookingForm(
        request.POST if request.method == "POST" else None,
        stores=stores,
        tables=tables,
        initial=_prefill(request),
        may_override=rules.can_override(request.user),
    )
    if request.method == "POST" and "book" in request.POST:

        def book(data):
            store = data["store"]
            starts = dt.datetime.combine(data["date"], data["time"], tzinfo=zone(store.time_zone))
            return services.booking_create(
                acting_user=request.user,
                store=store,
                starts_at=starts,
                party_size=data["party_size"],
                guest_phone=data["guest_phone"],
                guest_name=data["guest_name"],
                table=data["table"],
                occasion=data["occasion"],
                deposit=data["deposit"],
                notes=data["notes"],
                source="phone",
                override=data.get("override", False),
            )

        ok, booking = run_service(form, book, field_map={"starts_at": "time", "ends_at": "time"})
        if ok:
            messages.success(request, _("Booking saved."))
            return redirect_after_save(request, reverse("booking_detail", args=[booking.pk]))
    return render_page(
        request,
        "reservations/booking_form.html",
        "reservations/booking_form.html",
        {"form": form, "suggestions": _suggestions(form, stores)},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def booking_detail(request, pk: int):
    """One booking with its history and actions."""
    check_perm(request.user, perms.VIEW)
    booking = selectors.booking_get_for_user(user=request.user, booking_id=pk)
    return render_page(
        request,
        "reservations/booking_detail.html",
        "reservations/booking_detail.html",
        {
            "booking": booking,
            "events": booking.events.select_related("actor"),
            "may_book": has_perm(request.user, perms.BOOK),
            "reason_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def booking_action(request, pk: int, action: str):
    """Confirm, seat, complete, cancel (with a reason) or mark a no-show; back to the day."""
    if action not in ACTIONS:
        raise Http404
    check_perm(request.user, perms.BOOK)
    booking = selectors.booking_get_for_user(user=request.user, booking_id=pk)
    options = {"reason": request.POST.get("reason", "")} if action in WITH_REASON else {}
    try:
        ACTIONS[action](acting_user=request.user, booking=booking, **options)
    except (errors.InvalidInput, errors.Conflict) as exc:
        problems = [str(m) for ms in exc.fields.values() for m in ms] or [str(exc.message)]
        messages.error(request, " ".join(problems))
    else:
        messages.success(request, _("Booking updated."))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    return redirect(back or _day_url(booking))
