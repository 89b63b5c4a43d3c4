"""Tags (标签): the list with their colours and guest counts, create (on the list page) and
edit (name, colour and the auto-tag rule, whose conditions are checked by the service and shown
beside the rule field)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from huike.core.forms import run_service
from huike.core.htmx import redirect_after_save, render_page
from huike.core.permissions import check_perm, get_for_user, has_perm

from .. import permissions as perms
from .. import services
from ..forms import TagForm
from ..models import GuestTag


@login_required
@require_http_methods(["GET", "POST"])
def tag_list(request):
    check_perm(request.user, perms.VIEW_GUESTS)
    form = TagForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        ok, tag = run_service(
            form, lambda data: services.guest_tag_create(acting_user=request.user, **data)
        )
        if ok:
            messages.success(request, _("Tag “%(name)s” created.") % {"name": tag.name})
            return redirect_after_save(request, reverse("tag_list"))
    tags = GuestTag.objects.annotate(guest_count=Count("taggings")).order_by("name")
    return render_page(
        request,
        "guests/tag_list.html",
        "guests/partials/tag_form.html",
        {"form": form, "tags": tags, "can_edit": has_perm(request.user, perms.EDIT_GUESTS)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def tag_edit(request, pk: int):
    check_perm(request.user, perms.EDIT_GUESTS)
    tag = get_for_user(GuestTag.objects.all(), request.user, pk=pk)
    form = TagForm(
        request.POST if request.method == "POST" else None, initial=TagForm.initial_for(tag)
    )
    if request.method == "POST":
        ok, saved = run_service(
            form, lambda data: services.guest_tag_update(acting_user=request.user, tag=tag, **data)
        )
        if ok:
            messages.success(request, _("Tag “%(name)s” saved.") % {"name": saved.name})
            return redirect_after_save(request, reverse("tag_list"))
        tag.refresh_from_db()
    return render_page(
        request,
        "guests/tag_form.html",
        "guests/partials/tag_form.html",
        {"form": form, "tag": tag, "can_edit": True},
    )
