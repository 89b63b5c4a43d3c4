"""Personal data pages (X4): one guest's personal-data page (download as JSON or Excel) and the
erasure confirmation form. Needs ``guests.personal_data``; every act is audited by the service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from huike.core.forms import run_service
from huike.core.htmx import redirect_after_save, render_page

from ..privacy import FORMATS, guest_erase, guest_personal_data_export, privacy_guest_get
from ..privacy_forms import EraseForm


@login_required
@require_http_methods(["GET", "POST"])
def guest_privacy(request, pk: int):
    """The page: what a download contains, the two download buttons and the erasure form."""
    guest = privacy_guest_get(user=request.user, guest_id=pk)
    form = EraseForm(request.POST if request.method == "POST" else None, prefix="erase")
    if request.method == "POST":
        ok, erased = run_service(
            form,
            lambda data: guest_erase(acting_user=request.user, guest=guest, reason=data["reason"]),
        )
        if ok:
            messages.success(request, _("The guest's personal data was erased."))
            return redirect_after_save(request, reverse("guest_detail", args=[erased.pk]))
    return render_page(
        request,
        "guests/guest_privacy.html",
        "guests/partials/privacy_erase_form.html",
        {"guest": guest, "form": form},
    )


@login_required
@require_GET
def guest_personal_data_download(request, pk: int, fmt: str):
    if fmt not in FORMATS:
        raise Http404
    guest = privacy_guest_get(user=request.user, guest_id=pk)
    export = guest_personal_data_export(acting_user=request.user, guest=guest, fmt=fmt)
    return FileResponse(
        export.file, as_attachment=True, filename=export.filename, content_type=export.content_type
    )
