"""Collection-point pages (G2): one short tablet form per point, for a known guest, and the
call-centre form for a caller found or created by phone."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from huike.core.forms import run_service
from huike.core.htmx import redirect_after_save, render_page
from huike.core.permissions import check_perm, get_for_user, has_perm

from .. import capture
from .. import permissions as perms
from ..capture_forms import FORMS, CallCentreByPhoneForm
from ..models import Guest


def _after_capture(request, guest: Guest, point: str) -> str:
    """Where to go after saving: the guest's 360 for those who may see it, else the form."""
    if has_perm(request.user, perms.VIEW_GUESTS):
        return reverse("guest_360", args=[guest.pk])
    return reverse("guest_capture", args=[guest.pk, capture.POINTS[point].slug])


def _saved(request, guest: Guest, point: str) -> None:
    messages.success(
        request,
        _("Captured at %(point)s for %(guest)s.")
        % {"point": capture.POINTS[point].label, "guest": capture.guest_label(request.user, guest)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def capture_point(request, pk: int, point: str):
    check_perm(request.user, perms.CAPTURE)
    spec = capture.BY_SLUG.get(point)
    if spec is None:
        raise Http404
    guest = get_for_user(Guest.objects.all(), request.user, pk=pk)
    if guest.merged_into_id:
        return redirect("guest_capture", guest.merged_into_id, spec.slug)
    form_class = FORMS[spec.point]
    form = form_class(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST":
        ok, fact = run_service(
            form,
            lambda data: capture.fact_capture(
                acting_user=request.user,
                guest=guest,
                point=spec.point,
                data=form.capture_data(),
                store=data.get("store"),
            ),
        )
        if ok:
            _saved(request, guest, spec.point)
            return redirect_after_save(request, _after_capture(request, guest, spec.point))
    return render_page(
        request,
        "guests/capture.html",
        "guests/partials/capture_form.html",
        {
            "form": form,
            "spec": spec,
            "guest": guest,
            "guest_label": capture.guest_label(request.user, guest),
            "points": capture.POINTS.values(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def capture_call_centre(request):
    check_perm(request.user, perms.CAPTURE)
    spec = capture.POINTS[capture.Point.CALL_CENTRE]
    form = CallCentreByPhoneForm(
        request.POST if request.method == "POST" else None, user=request.user
    )
    if request.method == "POST":
        ok, result = run_service(
            form,
            lambda data: capture.call_centre_capture(
                acting_user=request.user, data=form.capture_data(), store=data.get("store")
            ),
        )
        if ok:
            fact, _created = result
            _saved(request, fact.guest, spec.point)
            return redirect_after_save(request, _after_capture(request, fact.guest, spec.point))
    return render_page(
        request,
        "guests/capture.html",
        "guests/partials/capture_form.html",
        {"form": form, "spec": spec, "guest": None, "points": ()},
    )
