"""Console pages of the reservation desk (来电弹屏, R2): the desk page listening on the store's
desk channel, the pop of one call (a partial fetched when a call rings), and the quick "new
guest" form of an unknown caller."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huike.core.forms import run_service
from huike.core.htmx import render_page
from huike.core.permissions import check_perm, has_perm, restrict
from huike.guests import permissions as guest_perms
from huike.org.models import Store

from . import permissions as perms
from . import selectors, services
from .forms import LineForm, QuickGuestForm
from .models import TelephonyLine


@login_required
@require_GET
def desk(request):
    stores = list(selectors.desk_stores(user=request.user))
    wanted = request.GET.get("store")
    store = next((s for s in stores if str(s.pk) == wanted), None) if wanted else None
    if wanted and store is None:
        raise Http404
    store = store or (stores[0] if stores else None)
    calls = selectors.recent_calls(user=request.user, store=store) if store else []
    return render_page(
        request,
        "telephony/desk.html",
        "telephony/partials/recent_calls.html",
        {"store": store, "stores": stores, "calls": calls},
    )


def _pop_context(request, call, form=None) -> dict:
    pop = selectors.call_pop(user=request.user, call=call)
    may_create = pop["guest"] is None and has_perm(request.user, guest_perms.EDIT_GUESTS)
    if may_create and form is None:
        form = QuickGuestForm(prefix="guest", initial={"primary_phone": call.caller})
    return {**pop, "form": form if may_create else None}


@login_required
@require_GET
def call_pop(request, pk: int):
    call = selectors.call_get_for_user(user=request.user, call_id=pk)
    return render_page(
        request,
        "telephony/pop_page.html",
        "telephony/partials/pop.html",
        _pop_context(request, call),
    )


@login_required
@require_POST
def call_guest_create(request, pk: int):
    call = selectors.call_get_for_user(user=request.user, call_id=pk)
    form = QuickGuestForm(request.POST, prefix="guest")
    ok, _guest = run_service(
        form,
        lambda data: services.call_guest_create(acting_user=request.user, call=call, **data),
    )
    return render_page(
        request,
        "telephony/pop_page.html",
        "telephony/partials/pop.html",
        _pop_context(request, call, None if ok else form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def line_list(request):
    """HQ's telephone lines; a new line's secret is shown once, in the answer that created it."""
    check_perm(request.user, perms.MANAGE_LINES)
    stores = restrict(Store.objects.filter(active=True), request.user)
    form = LineForm(request.POST if request.method == "POST" else None, stores=stores)
    new_line = None
    if request.method == "POST":
        ok, new_line = run_service(
            form, lambda data: services.line_create(acting_user=request.user, **data)
        )
        if ok:
            form = LineForm(stores=stores)
    return _lines_page(request, form=form, new_line=new_line)


def _lines_page(request, *, form=None, new_line=None, rotated=None):
    stores = restrict(Store.objects.filter(active=True), request.user)
    lines = restrict(TelephonyLine.objects.select_related("store"), request.user)
    return render_page(
        request,
        "telephony/lines.html",
        "telephony/lines.html",
        {
            "lines": lines,
            "form": form or LineForm(stores=stores),
            "new_line": new_line,
            "rotated": rotated,
        },
    )


def _line(request, pk: int) -> TelephonyLine:
    return get_object_or_404(restrict(TelephonyLine.objects.all(), request.user), pk=pk)


@login_required
@require_POST
def line_rotate(request, pk: int):
    """A new secret for the line, shown once on the page that answers."""
    rotated = services.line_rotate_secret(acting_user=request.user, line=_line(request, pk))
    return _lines_page(request, rotated=rotated)


@login_required
@require_POST
def line_active(request, pk: int):
    services.line_set_active(
        acting_user=request.user, line=_line(request, pk), active=request.POST.get("active") == "1"
    )
    return redirect("telephony_lines")
