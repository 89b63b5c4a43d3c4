"""A competitor's notes and dishes, added and removed inline (HTMX partials of the detail page)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from huike.core.forms import run_service
from huike.core.htmx import is_htmx_partial, redirect_after_save
from huike.core.permissions import check_perm, get_for_user

from .. import permissions as perms
from .. import selectors, services
from ..forms import CompetitorDishForm, NoteForm
from ..models import Competitor, CompetitorDish
from .competitors import detail_context


def _competitor(request, pk: int) -> Competitor:
    check_perm(request.user, perms.MANAGE_COMPETITORS)
    return get_for_user(Competitor.objects.all(), request.user, pk=pk)


def _section(request, competitor, template: str, context: dict, *, saved: bool, form_name: str):
    """The section's partial for HTMX; without HTMX, back to the detail page once saved, or
    the whole detail page with the form's errors."""
    status = 200 if saved else 400
    if not is_htmx_partial(request):
        if saved:
            return redirect_after_save(request, reverse("competitor_detail", args=[competitor.pk]))
        return render(
            request,
            "competitors/competitor_detail.html",
            detail_context(request, competitor, **{form_name: context[form_name]}),
            status=status,
        )
    return render(
        request, template, {"competitor": competitor, "can_manage": True, **context}, status=status
    )


@login_required
@require_POST
def note_add(request, pk: int):
    competitor = _competitor(request, pk)
    form = NoteForm(request.POST)
    ok, _note = run_service(
        form,
        lambda data: services.competitor_note_add(
            acting_user=request.user, competitor=competitor, **data
        ),
    )
    return _section(
        request,
        competitor,
        "competitors/partials/notes.html",
        {
            "note_form": NoteForm() if ok else form,
            "notes": selectors.competitor_notes(competitor=competitor),
        },
        saved=ok,
        form_name="note_form",
    )


def _dishes(request, competitor, form, *, saved: bool):
    return _section(
        request,
        competitor,
        "competitors/partials/dishes.html",
        {"dish_form": form, "dishes": selectors.competitor_dishes(competitor=competitor)},
        saved=saved,
        form_name="dish_form",
    )


@login_required
@require_POST
def dish_add(request, pk: int):
    competitor = _competitor(request, pk)
    form = CompetitorDishForm(request.POST, user=request.user)
    ok, _dish = run_service(
        form,
        lambda data: services.competitor_dish_add(
            acting_user=request.user, competitor=competitor, **data
        ),
    )
    return _dishes(
        request, competitor, CompetitorDishForm(user=request.user) if ok else form, saved=ok
    )


@login_required
@require_POST
def dish_delete(request, pk: int, dish_pk: int):
    competitor = _competitor(request, pk)
    dish = get_for_user(
        CompetitorDish.objects.filter(competitor=competitor), request.user, pk=dish_pk
    )
    services.competitor_dish_delete(acting_user=request.user, dish=dish)
    return _dishes(request, competitor, CompetitorDishForm(user=request.user), saved=True)
