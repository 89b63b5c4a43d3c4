"""Competitors and partners: list with filters (HTMX), create, edit, and the detail page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from huike.core.forms import run_service
from huike.core.htmx import redirect_after_save, render_page
from huike.core.permissions import check_perm, get_for_user, has_perm

from .. import permissions as perms
from .. import selectors, services
from ..forms import CompetitorDishForm, CompetitorFilterForm, CompetitorForm, NoteForm
from ..models import Competitor

PAGE_SIZE = 50


@login_required
def competitor_list(request):
    check_perm(request.user, perms.VIEW_COMPETITORS)
    filters = CompetitorFilterForm(request.GET)
    competitors = selectors.competitor_list(user=request.user, **filters.selector_filters())
    page = Paginator(competitors, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        "competitors/competitor_list.html",
        "competitors/partials/competitor_table.html",
        {
            "filters": filters,
            "page": page,
            "competitors": page.object_list,
            "query": query.urlencode(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def competitor_create(request):
    check_perm(request.user, perms.MANAGE_COMPETITORS)
    form = CompetitorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        ok, competitor = run_service(
            form, lambda data: services.competitor_create(acting_user=request.user, **data)
        )
        if ok:
            messages.success(request, _("“%(name)s” recorded.") % {"name": competitor.name})
            return redirect_after_save(request, reverse("competitor_detail", args=[competitor.pk]))
    return render_page(
        request,
        "competitors/competitor_form.html",
        "competitors/partials/competitor_form.html",
        {"form": form, "competitor": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def competitor_edit(request, pk: int):
    check_perm(request.user, perms.MANAGE_COMPETITORS)
    competitor = get_for_user(Competitor.objects.all(), request.user, pk=pk)
    form = CompetitorForm(
        request.POST if request.method == "POST" else None,
        initial=CompetitorForm.initial_for(competitor),
    )
    if request.method == "POST":
        ok, saved = run_service(
            form,
            lambda data: services.competitor_update(
                acting_user=request.user, competitor=competitor, **data
            ),
        )
        if ok:
            messages.success(request, _("“%(name)s” saved.") % {"name": saved.name})
            return redirect_after_save(request, reverse("competitor_detail", args=[saved.pk]))
        competitor.refresh_from_db()  # the service may have set the refused values on it
    return render_page(
        request,
        "competitors/competitor_form.html",
        "competitors/partials/competitor_form.html",
        {"form": form, "competitor": competitor},
    )


def detail_context(request, competitor: Competitor, **forms) -> dict:
    """The detail page's context; ``forms`` replaces the empty add forms (to show errors)."""
    can_manage = has_perm(request.user, perms.MANAGE_COMPETITORS)
    return {
        "competitor": competitor,
        "notes": selectors.competitor_notes(competitor=competitor),
        "dishes": selectors.competitor_dishes(competitor=competitor),
        "note_form": forms.get("note_form") or (NoteForm() if can_manage else None),
        "dish_form": forms.get("dish_form")
        or (CompetitorDishForm(user=request.user) if can_manage else None),
        "can_manage": can_manage,
    }


@login_required
def competitor_detail(request, pk: int):
    """The record with its notes and dishes; the add forms post inline (``competitors.manage``)."""
    check_perm(request.user, perms.VIEW_COMPETITORS)
    competitor = get_for_user(Competitor.objects.all(), request.user, pk=pk)
    return render_page(
        request,
        "competitors/competitor_detail.html",
        "competitors/competitor_detail.html",
        detail_context(request, competitor),
    )
