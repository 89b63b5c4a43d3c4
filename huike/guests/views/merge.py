"""Dedupe and merge pages (G4): the possible duplicates (scan, dismiss, pick two guests), the
side-by-side comparison with the merge form, the merge records and the undo (HQ)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huike.core.forms import run_service
from huike.core.htmx import redirect_after_save, render_page
from huike.core.permissions import check_perm, has_perm, visible_fields
from huike.core.tenancy import require_active_tenant

from .. import merge_selectors as selectors
from .. import permissions as perms
from ..dedupe import candidate_dismiss, last_scan
from ..merge_forms import MergeForm, PickPairForm, UndoMergeForm
from ..merging import guest_merge, guest_merge_undo

PAGE_SIZE = 25


def _compare_url(first: int, second: int) -> str:
    return f"{reverse('guest_merge')}?{urlencode({'a': first, 'b': second})}"


@login_required
@require_http_methods(["GET", "POST"])
def duplicate_list(request):
    """The open candidate pairs, strongest first, and a form to compare any two guests."""
    candidates = selectors.candidates_for_user(user=request.user)
    pick = PickPairForm(request.POST if request.method == "POST" else None, prefix="pick")
    if request.method == "POST":
        ok, pair = run_service(
            pick,
            lambda data: selectors.guest_pair_by_reference(
                user=request.user, first=data["first"], second=data["second"]
            ),
        )
        if ok:
            return HttpResponseRedirect(_compare_url(pair[0].pk, pair[1].pk))
    page = Paginator(candidates, PAGE_SIZE).get_page(request.GET.get("page"))
    visible = visible_fields(request.user, "guest")
    return render_page(
        request,
        "guests/duplicate_list.html",
        "guests/partials/duplicate_table.html",
        {
            "page": page,
            "items": [
                selectors.candidate_item(user=request.user, candidate=c, visible=visible)
                for c in page
            ],
            "pick": pick,
            "last_scan": last_scan(require_active_tenant()),
        },
    )


@login_required
@require_POST
def duplicate_scan(request):
    from ..tasks import duplicate_scan_tenant

    check_perm(request.user, perms.MERGE_GUESTS)
    duplicate_scan_tenant(require_active_tenant().pk)
    messages.success(
        request, _("The duplicate scan was started; the list fills as it finds pairs.")
    )
    return redirect_after_save(request, reverse("duplicate_list"))


@login_required
@require_POST
def duplicate_dismiss(request, pk: int):
    candidate = selectors.candidate_get(user=request.user, candidate_id=pk)
    candidate_dismiss(acting_user=request.user, candidate=candidate)
    messages.success(request, _("The pair will not be offered again."))
    return redirect_after_save(request, reverse("duplicate_list"))


@login_required
@require_http_methods(["GET", "POST"])
def guest_merge_page(request):
    """Both guests side by side; choose the profile to keep and merge."""
    first, second = (
        selectors.pair_guest_get(user=request.user, value=request.GET.get(k)) for k in "ab"
    )
    compared = selectors.comparison(user=request.user, first=first, second=second)
    form = MergeForm(
        request.POST if request.method == "POST" else None,
        first=first,
        second=second,
        suggested=compared["suggested"],
    )
    if request.method == "POST":

        def merge(data):
            keep, drop = (first, second) if data["survivor"] == first.pk else (second, first)
            return guest_merge(
                acting_user=request.user, survivor=keep, merged=drop, reason=data["reason"]
            )

        ok, record = run_service(form, merge, field_map={"merged": "survivor"})
        if ok:
            messages.success(request, _("The guests were merged."))
            return redirect_after_save(request, reverse("merge_detail", args=[record.pk]))
    return render_page(
        request,
        "guests/guest_merge.html",
        "guests/partials/merge_form.html",
        {"first": first, "second": second, "compared": compared, "form": form},
    )


@login_required
@require_GET
def merge_list(request):
    merges = selectors.merges_for_user(user=request.user)
    page = Paginator(merges, PAGE_SIZE).get_page(request.GET.get("page"))
    visible = visible_fields(request.user, "guest")
    return render_page(
        request,
        "guests/merge_list.html",
        "guests/merge_list.html",
        {
            "page": page,
            "items": [
                selectors.merge_item(user=request.user, merge=m, visible=visible) for m in page
            ],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def merge_detail(request, pk: int):
    """What one merge moved, and the undo form for HQ."""
    merge = selectors.merge_get(user=request.user, merge_id=pk)
    may_undo = has_perm(request.user, perms.UNDO_MERGE) and merge.undone_at is None
    form = UndoMergeForm(request.POST if request.method == "POST" else None, prefix="undo")
    if request.method == "POST":
        ok, undone = run_service(
            form,
            lambda data: guest_merge_undo(
                acting_user=request.user, merge=merge, reason=data["reason"]
            ),
        )
        if ok:
            if undone.kept_fields:
                messages.warning(
                    request,
                    _("The merge was undone. Fields edited since the merge kept their new value."),
                )
            else:
                messages.success(request, _("The merge was undone."))
            return redirect_after_save(request, reverse("merge_detail", args=[merge.pk]))
    return render_page(
        request,
        "guests/merge_detail.html",
        "guests/partials/merge_undo_form.html",
        {
            "merge": merge,
            "item": selectors.merge_item(user=request.user, merge=merge),
            "form": form,
            "may_undo": may_undo,
        },
    )
