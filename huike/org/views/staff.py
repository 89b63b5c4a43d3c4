"""Staff: list with filters (row scope applied), create with an optional login, edit, set a
new password. The fields of the staff record follow the user's field visibility."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from huike.core.forms import run_service
from huike.core.htmx import redirect_after_save, render_page
from huike.core.permissions import check_perm, get_for_user, visible_fields

from .. import permissions as perms
from .. import selectors, services
from ..forms import StaffFilterForm, StaffForm, StaffPasswordForm
from ..models import Staff

STAFF_RELATIONS = ("store", "role", "org_unit", "brand", "user")


@login_required
def staff_list(request):
    check_perm(request.user, perms.VIEW_ORG)
    filters = StaffFilterForm(request.GET, user=request.user)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    staff = selectors.staff_list(
        user=request.user,
        search=chosen.get("q", ""),
        store_id=chosen["store"].pk if chosen.get("store") else None,
        role_id=chosen["role"].pk if chosen.get("role") else None,
        org_unit_id=chosen["org_unit"].pk if chosen.get("org_unit") else None,
    ).select_related(*STAFF_RELATIONS)
    return render_page(
        request,
        "org/staff_list.html",
        "org/partials/staff_table.html",
        {
            "filters": filters,
            "staff_members": staff,
            "visible": visible_fields(request.user, "staff"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_create(request):
    check_perm(request.user, perms.MANAGE_STAFF)
    visible = visible_fields(request.user, "staff")
    form = StaffForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        visible=visible,
        with_login=True,
    )
    if request.method == "POST":
        ok, staff = run_service(
            form, lambda data: services.staff_create(acting_user=request.user, **data)
        )
        if ok:
            messages.success(request, _("“%(name)s” added.") % {"name": staff.name})
            return redirect_after_save(request, reverse("staff_list"))
    return render_page(
        request,
        "org/staff_form.html",
        "org/partials/staff_form.html",
        {"form": form, "staff": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_edit(request, pk: int):
    check_perm(request.user, perms.MANAGE_STAFF)
    staff = get_for_user(Staff.objects.select_related(*STAFF_RELATIONS), request.user, pk=pk)
    visible = visible_fields(request.user, "staff")
    form = StaffForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        visible=visible,
        with_login=False,
        initial=StaffForm.initial_for(staff),
    )
    if request.method == "POST":
        ok, saved = run_service(
            form, lambda data: services.staff_update(acting_user=request.user, staff=staff, **data)
        )
        if ok:
            messages.success(request, _("“%(name)s” saved.") % {"name": saved.name})
            return redirect_after_save(request, reverse("staff_list"))
        staff.refresh_from_db()
    return render_page(
        request,
        "org/staff_form.html",
        "org/partials/staff_form.html",
        {"form": form, "staff": staff, "password_form": StaffPasswordForm()},
    )


@login_required
@require_POST
def staff_password(request, pk: int):
    check_perm(request.user, perms.MANAGE_STAFF)
    staff = get_for_user(Staff.objects.select_related("user"), request.user, pk=pk)
    form = StaffPasswordForm(request.POST)
    ok, _done = run_service(
        form,
        lambda data: services.staff_set_password(
            acting_user=request.user, staff=staff, password=data["password"]
        ),
    )
    if ok:
        messages.success(
            request, _("The password of “%(name)s” was changed.") % {"name": staff.name}
        )
        return redirect_after_save(request, reverse("staff_edit", args=[staff.pk]))
    visible = visible_fields(request.user, "staff")
    edit_form = StaffForm(
        user=request.user, visible=visible, with_login=False, initial=StaffForm.initial_for(staff)
    )
    return render_page(
        request,
        "org/staff_form.html",
        "org/partials/staff_form.html",
        {"form": edit_form, "staff": staff, "password_form": form},
    )
