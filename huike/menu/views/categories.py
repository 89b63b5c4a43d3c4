"""Dish categories: list with an add form, rename/reorder, delete (refused while a category
holds dishes)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from huike.core import errors
from huike.core.forms import run_service
from huike.core.htmx import redirect_after_save, render_page
from huike.core.permissions import check_perm, get_for_user

from .. import permissions as perms
from .. import selectors, services
from ..forms import CategoryForm
from ..models import DishCategory


@login_required
@require_http_methods(["GET", "POST"])
def category_list(request):
    """The categories; a POST adds one (``menu.manage``)."""
    check_perm(request.user, perms.VIEW_MENU)
    form = CategoryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        check_perm(request.user, perms.MANAGE_MENU)
        ok, category = run_service(
            form, lambda data: services.category_create(acting_user=request.user, **data)
        )
        if ok:
            messages.success(request, _("Category “%(name)s” added.") % {"name": category.name})
            return redirect_after_save(request, reverse("category_list"))
    return render_page(
        request,
        "menu/category_list.html",
        "menu/partials/category_form.html",
        {"form": form, "categories": selectors.category_list(user=request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def category_edit(request, pk: int):
    check_perm(request.user, perms.MANAGE_MENU)
    category = get_for_user(DishCategory.objects.all(), request.user, pk=pk)
    form = CategoryForm(
        request.POST if request.method == "POST" else None,
        initial=CategoryForm.initial_for(category),
    )
    if request.method == "POST":
        ok, saved = run_service(
            form,
            lambda data: services.category_update(
                acting_user=request.user, category=category, **data
            ),
        )
        if ok:
            messages.success(request, _("Category “%(name)s” saved.") % {"name": saved.name})
            return redirect_after_save(request, reverse("category_list"))
        category.refresh_from_db()
    return render_page(
        request,
        "menu/category_edit.html",
        "menu/partials/category_form.html",
        {"form": form, "category": category},
    )


@login_required
@require_POST
def category_delete(request, pk: int):
    check_perm(request.user, perms.MANAGE_MENU)
    category = get_for_user(DishCategory.objects.all(), request.user, pk=pk)
    name = category.name
    try:
        services.category_delete(acting_user=request.user, category=category)
    except errors.Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Category “%(name)s” deleted.") % {"name": name})
    return redirect_after_save(request, reverse("category_list"))
