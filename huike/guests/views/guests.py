"""The guest list (filters, paging, Excel export), the guest page (the guest sheet, with the
masked phone and its reveal button) and the guest create/edit form."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huike.core import errors
from huike.core.forms import run_service
from huike.core.htmx import is_htmx_partial, redirect_after_save, render_page
from huike.core.money import format_cny
from huike.core.permissions import check_perm, has_perm, visible_fields
from huike.core.phone import display_phone
from huike.core.templatetags.huike import in_store_zone
from huike.core.timeutils import DEFAULT_TIME_ZONE

from .. import permissions as perms
from .. import selectors, services
from ..exports import guest_export
from ..forms import (
    ContactForm,
    GuestFilterForm,
    GuestForm,
    ImportantDateForm,
    PhoneForm,
    TaggingForm,
)
from ..models import Guest, ImportantDate

PAGE_SIZE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _when(iso: str | None) -> str:
    return in_store_zone(dt.datetime.fromisoformat(iso), DEFAULT_TIME_ZONE) if iso else ""


def _choice(choices, value) -> str:
    return str(dict(choices).get(value, value)) if value else ""


def profile_rows(sheet: dict) -> list[tuple[str, str, str]]:
    """The guest sheet's simple keys as (key, label, shown value) rows for the guest page; a
    key the user may not see is not in the sheet, so it has no row."""
    shown = {
        "name": lambda v: v,
        "title": lambda v: v,
        "gender": lambda v: _choice(Guest.Gender.choices, v),
        "email": lambda v: v,
        "birthday": lambda v: v or "",
        "company": lambda v: v,
        "job_title": lambda v: v,
        "address": lambda v: v,
        "referrer": lambda v: v["name"] if v else "",
        "taste_preferences": lambda v: v,
        "dish_requirements": lambda v: v,
        "likes": lambda v: v,
        "taboos": lambda v: v,
        "preferred_room": lambda v: v,
        "meal_type": lambda v: _choice(Guest.MealType.choices, v),
        "preferred_channel": lambda v: _choice(Guest.Channel.choices, v),
        "marketing_consent": lambda v: _("yes") if v else _("no"),
        "consent_source": lambda v: v,
        "consent_at": _when,
        "visit_count": lambda v: str(v),
        "first_visit_at": _when,
        "last_visit_at": _when,
        "total_spend": format_cny,
        "home_store": lambda v: v["name"] if v else "",
        "notes": lambda v: v,
    }
    labels = {
        "name": pgettext("person", "Name"),
        "title": _("Form of address"),
        "gender": _("Gender"),
        "email": _("Email"),
        "birthday": _("Birthday"),
        "company": _("Company"),
        "job_title": _("Job title"),
        "address": _("Address"),
        "referrer": _("Referred by"),
        "taste_preferences": _("Taste preferences"),
        "dish_requirements": _("Dish requirements"),
        "likes": _("Likes"),
        "taboos": _("Taboos and allergies"),
        "preferred_room": _("Preferred room"),
        "meal_type": _("Meal type"),
        "preferred_channel": _("Preferred contact channel"),
        "marketing_consent": _("Agrees to marketing"),
        "consent_source": _("Consent source"),
        "consent_at": _("Consent given at"),
        "visit_count": _("Visits"),
        "first_visit_at": _("First visit"),
        "last_visit_at": _("Last visit"),
        "total_spend": _("Total spend"),
        "home_store": _("Home store"),
        "notes": _("Notes"),
    }
    return [(key, labels[key], fn(sheet[key]) or "—") for key, fn in shown.items() if key in sheet]


# --- List --------------------------------------------------------------------------------------
@login_required
def guest_list(request):
    check_perm(request.user, perms.VIEW_GUESTS)
    filters = GuestFilterForm(request.GET)
    guests = selectors.guest_list(user=request.user, **filters.filters())
    if request.GET and not filters.is_valid():
        guests = guests.none()
    page = Paginator(selectors.sheet_related(guests), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    keys = set(selectors.sheet_keys(user=request.user))
    return render_page(
        request,
        "guests/guest_list.html",
        "guests/partials/guest_table.html",
        {
            "filters": filters,
            "page": page,
            "rows": [selectors.guest_sheet(user=request.user, guest=g) for g in page],
            "query": query.urlencode(),
            "keys": keys,
        },
    )


@login_required
@require_GET
def guest_export_view(request):
    """The list's Excel export, with the list's filters (``guests.export``, audited)."""
    check_perm(request.user, perms.EXPORT_GUESTS)
    filters = GuestFilterForm(request.GET)
    if not filters.is_valid():  # never export more than the list would show
        return HttpResponseRedirect(f"{reverse('guest_list')}?{request.GET.urlencode()}")
    file = guest_export(acting_user=request.user, filters=filters.filters())
    return FileResponse(file, as_attachment=True, filename="guests.xlsx", content_type=XLSX)


# --- The guest page ----------------------------------------------------------------------------
def detail_context(request, guest: Guest, **forms) -> dict:
    sheet = selectors.guest_sheet(user=request.user, guest=guest)
    can_edit = has_perm(request.user, perms.EDIT_GUESTS)
    return {
        "guest": guest,
        "sheet": sheet,
        "rows": profile_rows(sheet),
        "can_edit": can_edit,
        "date_kinds": dict(ImportantDate.Kind.choices),
        "phone_form": forms.get("phone_form") or PhoneForm(prefix="phone"),
        "date_form": forms.get("date_form") or ImportantDateForm(prefix="date"),
        "contact_form": forms.get("contact_form") or ContactForm(prefix="contact"),
        "tagging_form": forms.get("tagging_form") or TaggingForm(prefix="tagging"),
    }


@login_required
def guest_detail(request, pk: int):
    guest = selectors.guest_get_for_user(user=request.user, guest_id=pk)
    return render_page(
        request,
        "guests/guest_detail.html",
        "guests/partials/guest_sheet.html",
        detail_context(request, guest),
    )


@login_required
@require_POST
def guest_reveal_phone(request, pk: int):
    """Swap the masked number for the full one (audited, daily limit); the refusal is shown
    in its place."""
    guest = selectors.guest_get_for_user(user=request.user, guest_id=pk)
    phone, error = None, None
    try:
        phone = services.guest_phone_reveal(acting_user=request.user, guest=guest)
    except errors.Throttled as exc:
        error = exc.message
    except errors.InvalidInput as exc:
        error = exc.message
    if is_htmx_partial(request):
        return render_page(
            request,
            "guests/partials/phone_revealed.html",
            "guests/partials/phone_revealed.html",
            {"phone": display_phone(phone) if phone else None, "error": error, "guest": guest},
        )
    if error:
        messages.error(request, error)
    context = detail_context(request, guest)
    context["revealed_phone"] = display_phone(phone) if phone else None
    return render_page(
        request, "guests/guest_detail.html", "guests/partials/guest_sheet.html", context
    )


# --- Create and edit ---------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def guest_create(request):
    check_perm(request.user, perms.EDIT_GUESTS)
    form = GuestForm(
        request.POST if request.method == "POST" else None,
        visible=visible_fields(request.user, "guest"),
        creating=True,
    )
    if request.method == "POST":
        ok, guest = run_service(
            form,
            lambda data: services.guest_create(acting_user=request.user, **data),
            field_map={"referrer": "referrer_phone"},
        )
        if ok:
            messages.success(request, _("Guest “%(name)s” created.") % {"name": guest})
            return redirect_after_save(request, reverse("guest_detail", args=[guest.pk]))
    return render_page(
        request,
        "guests/guest_form.html",
        "guests/partials/guest_form.html",
        {"form": form, "guest": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def guest_edit(request, pk: int):
    check_perm(request.user, perms.EDIT_GUESTS)
    guest = selectors.guest_get_for_user(user=request.user, guest_id=pk)
    form = GuestForm(
        request.POST if request.method == "POST" else None,
        visible=visible_fields(request.user, "guest"),
        creating=False,
        initial=GuestForm.initial_for(guest),
    )
    if request.method == "POST":
        ok, saved = run_service(
            form,
            lambda data: services.guest_update(acting_user=request.user, guest=guest, **data),
            field_map={"referrer": "referrer_phone"},
        )
        if ok:
            messages.success(request, _("Guest “%(name)s” saved.") % {"name": saved})
            return redirect_after_save(request, reverse("guest_detail", args=[guest.pk]))
        guest.refresh_from_db()
    return render_page(
        request,
        "guests/guest_form.html",
        "guests/partials/guest_form.html",
        {"form": form, "guest": guest},
    )
