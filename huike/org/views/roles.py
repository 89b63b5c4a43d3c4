"""The role editor (``org.manage_roles``): roles, each with its permissions by area, row scope
and field visibility per resource; create and delete custom roles."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from huike.core import errors
from huike.core.forms import run_service
from huike.core.htmx import redirect_after_save, render_page
from huike.core.permissions import FIELD_RESOURCES, check_perm, get_for_user, permission_areas

from .. import permissions as perms
from .. import selectors, services
from ..forms import RoleCreateForm, RoleForm, visibility_field
from ..models import Role


@login_required
def role_list(request):
    check_perm(request.user, perms.MANAGE_ROLES)
    roles = selectors.role_list(user=request.user).annotate(staff_count=Count("staff"))
    return render(request, "org/role_list.html", {"roles": roles})


@login_required
@require_http_methods(["GET", "POST"])
def role_create(request):
    check_perm(request.user, perms.MANAGE_ROLES)
    form = RoleCreateForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST":
        ok, role = run_service(
            form, lambda data: services.role_create(acting_user=request.user, **data)
        )
        if ok:
            messages.success(
                request,
                _("Role “%(name)s” created. Now choose what it may do.") % {"name": role.label},
            )
            return redirect_after_save(request, reverse("role_edit", args=[role.pk]))
    return render_page(
        request, "org/role_create.html", "org/partials/role_create_form.html", {"form": form}
    )


def _visibility(role: Role) -> list[dict]:
    return [selectors.role_field_visibility(role=role, resource=code) for code in FIELD_RESOURCES]


@login_required
@require_http_methods(["GET", "POST"])
def role_edit(request, pk: int):
    check_perm(request.user, perms.MANAGE_ROLES)
    role = get_for_user(Role.objects.all(), request.user, pk=pk)
    visibility = _visibility(role)
    form = RoleForm(
        request.POST if request.method == "POST" else None,
        role=role,
        initial=RoleForm.initial_for(role, visibility),
    )
    if request.method == "POST":
        ok, saved = run_service(
            form, lambda data: services.role_configure(acting_user=request.user, role=role, **data)
        )
        if ok:
            messages.success(request, _("Role “%(name)s” saved.") % {"name": saved.label})
            return redirect_after_save(request, reverse("role_list"))
        role.refresh_from_db()
    selected = set(form["permissions"].value() or [])
    return render_page(
        request,
        "org/role_edit.html",
        "org/partials/role_form.html",
        {
            "form": form,
            "role": role,
            "areas": permission_areas(),
            "selected": selected,
            "matrix": _matrix(role, form),
        },
    )


def _matrix(role: Role, form: RoleForm) -> list[dict]:
    """Per field resource: each field's checkbox and whether the role sees it by default."""
    return [
        {
            "code": resource.code,
            "label": resource.label,
            "rows": [
                {
                    "spec": spec,
                    "input": form[visibility_field(resource.code, spec.name)],
                    "default": spec.default_roles is None or role.code in spec.default_roles,
                }
                for spec in resource.fields
            ],
        }
        for resource in FIELD_RESOURCES.values()
    ]


@login_required
@require_POST
def role_delete(request, pk: int):
    check_perm(request.user, perms.MANAGE_ROLES)
    role = get_for_user(Role.objects.all(), request.user, pk=pk)
    label = role.label
    try:
        services.role_delete(acting_user=request.user, role=role)
    except errors.Conflict as exc:
        messages.error(request, exc.message)
        return redirect("role_edit", pk=role.pk)
    messages.success(request, _("Role “%(name)s” deleted.") % {"name": label})
    return redirect_after_save(request, reverse("role_list"))
