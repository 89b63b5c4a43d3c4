"""Console pages of member recruitment: progress over a month (per store, each staff member
ranked by cards signed) and the targets, which managers and HQ set, change and remove."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from huike.core import errors
from huike.core.forms import run_service
from huike.core.htmx import redirect_after_save, render_page
from huike.core.permissions import check_perm, has_perm, restrict
from huike.org.models import Staff, Store

from . import permissions as perms
from . import selectors, services
from .forms import PeriodForm, TargetForm


@login_required
def recruitment_progress(request):
    form = PeriodForm(request.GET or None)
    period = form.cleaned_data["period"] if form.is_valid() else ""
    try:
        stores = selectors.progress(user=request.user, period=period or None)
    except errors.InvalidInput:
        period = ""
        stores = selectors.progress(user=request.user)
    start = stores[0].start if stores else selectors.month_of(period or None)[0]
    end = stores[0].end if stores else selectors.month_of(period or None)[1]
    return render_page(
        request,
        "recruitment/progress.html",
        "recruitment/progress.html",
        {
            "form": form,
            "stores": stores,
            "start": start,
            "end": end,
            "targets": selectors.target_list(user=request.user, start=start, end=end),
            "may_manage": has_perm(request.user, perms.MANAGE),
        },
    )


def _form(request, **kwargs) -> TargetForm:
    stores = restrict(Store.objects.filter(active=True), request.user).order_by("name")
    staff = Staff.objects.filter(active=True, store__in=stores).select_related("store")
    return TargetForm(
        request.POST if request.method == "POST" else None,
        stores=stores,
        staff=staff.order_by("store__name", "name"),
        **kwargs,
    )


@login_required
@require_http_methods(["GET", "POST"])
def target_create(request):
    check_perm(request.user, perms.MANAGE)
    form = _form(request)
    if request.method == "POST":
        ok, _target = run_service(
            form, lambda data: services.target_create(acting_user=request.user, **data)
        )
        if ok:
            messages.success(request, _("Target saved."))
            return redirect_after_save(request, reverse("recruitment_progress"))
    return render_page(
        request,
        "recruitment/target_form.html",
        "recruitment/partials/target_form.html",
        {"form": form, "target": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(request, pk: int):
    check_perm(request.user, perms.MANAGE)
    target = selectors.target_get_for_user(user=request.user, target_id=pk)
    form = _form(request, editing=True, initial=TargetForm.initial_for(target))
    if request.method == "POST":
        ok, _target = run_service(
            form,
            lambda data: services.target_update(
                acting_user=request.user, recruitment_target=target, **data
            ),
        )
        if ok:
            messages.success(request, _("Target saved."))
            return redirect_after_save(request, reverse("recruitment_progress"))
    return render_page(
        request,
        "recruitment/target_form.html",
        "recruitment/partials/target_form.html",
        {"form": form, "target": target},
    )


@login_required
@require_POST
def target_delete(request, pk: int):
    check_perm(request.user, perms.MANAGE)
    target = selectors.target_get_for_user(user=request.user, target_id=pk)
    services.target_delete(acting_user=request.user, recruitment_target=target)
    messages.success(request, _("Target removed."))
    return redirect_after_save(request, reverse("recruitment_progress"))
