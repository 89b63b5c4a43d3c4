"""The org tree: organisation → department → group with staff counts; add a unit under a node,
rename, delete (the service refuses while a unit has sub-units or staff)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huike.core.forms import ConsoleForm, run_service
from huike.core.htmx import redirect_after_save, render_page
from huike.core.permissions import check_perm, get_for_user

from .. import permissions as perms
from .. import selectors, services
from ..forms import OrgUnitNameForm
from ..models import OrgUnit


def _tree_page(request, *, failed=None):
    """The tree page; ``failed`` = (unit id, action, form) keeps a refused form open at its
    node with the messages beside it."""
    unit_id, action, form = failed or (None, "", None)
    return render_page(
        request,
        "org/org_tree.html",
        "org/partials/org_tree_body.html",
        {
            "nodes": selectors.org_tree(user=request.user),
            "failed_unit": unit_id,
            "failed_action": action,
            "failed_form": form,
        },
    )


@login_required
def org_tree(request):
    check_perm(request.user, perms.VIEW_ORG)
    return _tree_page(request)


def _unit_for_change(request, pk: int) -> OrgUnit:
    check_perm(request.user, perms.MANAGE_STAFF)
    return get_for_user(OrgUnit.objects.all(), request.user, pk=pk)


@login_required
@require_POST
def org_unit_add(request, pk: int):
    parent = _unit_for_change(request, pk)
    kind = {
        OrgUnit.Kind.ORGANISATION: OrgUnit.Kind.DEPARTMENT,
        OrgUnit.Kind.DEPARTMENT: OrgUnit.Kind.GROUP,
    }.get(parent.kind, OrgUnit.Kind.GROUP)
    form = OrgUnitNameForm(request.POST)
    ok, unit = run_service(
        form,
        lambda data: services.org_unit_create(
            acting_user=request.user, kind=kind, parent=parent, name=data["name"]
        ),
        field_map={"parent": "__all__", "kind": "__all__"},
    )
    if ok:
        messages.success(request, _("“%(name)s” added.") % {"name": unit.name})
        return redirect_after_save(request, reverse("org_tree"))
    return _tree_page(request, failed=(parent.pk, "add", form))


@login_required
@require_POST
def org_unit_rename(request, pk: int):
    unit = _unit_for_change(request, pk)
    form = OrgUnitNameForm(request.POST)
    ok, _unit = run_service(
        form,
        lambda data: services.org_unit_rename(
            acting_user=request.user, unit=unit, name=data["name"]
        ),
    )
    if ok:
        messages.success(request, _("Renamed to “%(name)s”.") % {"name": unit.name})
        return redirect_after_save(request, reverse("org_tree"))
    return _tree_page(request, failed=(unit.pk, "rename", form))


@login_required
@require_POST
def org_unit_delete(request, pk: int):
    unit = _unit_for_change(request, pk)
    form = ConsoleForm(request.POST)
    ok, _done = run_service(
        form, lambda data: services.org_unit_delete(acting_user=request.user, unit=unit)
    )
    if ok:
        messages.success(request, _("“%(name)s” deleted.") % {"name": unit.name})
        return redirect_after_save(request, reverse("org_tree"))
    return _tree_page(request, failed=(unit.pk, "delete", form))
