"""Dishes: list with filters (HTMX), create, edit, and the per-store availability matrix."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from huike.core.forms import run_service
from huike.core.htmx import redirect_after_save, render_page
from huike.core.permissions import check_perm, get_for_user, has_perm

from .. import permissions as perms
from .. import selectors, services
from ..forms import DishFilterForm, DishForm
from ..models import Dish

PAGE_SIZE = 50


@login_required
def dish_list(request):
    check_perm(request.user, perms.VIEW_MENU)
    filters = DishFilterForm(request.GET, user=request.user)
    dishes = selectors.dish_list(user=request.user, **filters.selector_filters())
    page = Paginator(dishes, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        "menu/dish_list.html",
        "menu/partials/dish_table.html",
        {"filters": filters, "page": page, "dishes": page.object_list, "query": query.urlencode()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def dish_create(request):
    check_perm(request.user, perms.MANAGE_MENU)
    form = DishForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST":
        ok, dish = run_service(
            form, lambda data: services.dish_create(acting_user=request.user, **data)
        )
        if ok:
            messages.success(request, _("Dish “%(name)s” created.") % {"name": dish.name})
            return redirect_after_save(request, reverse("dish_edit", args=[dish.pk]))
    return render_page(
        request,
        "menu/dish_form.html",
        "menu/partials/dish_form.html",
        {"form": form, "dish": None},
    )


def _dish_page(request, dish: Dish, form: DishForm):
    return render_page(
        request,
        "menu/dish_form.html",
        "menu/partials/dish_form.html",
        {
            "form": form,
            "dish": dish,
            "availability": selectors.dish_availability(user=request.user, dish=dish),
            "can_manage": has_perm(request.user, perms.MANAGE_MENU),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def dish_edit(request, pk: int):
    """The dish page: everyone who sees the menu may read it; saving needs ``menu.manage``."""
    check_perm(request.user, perms.VIEW_MENU)
    dish = get_for_user(Dish.objects.select_related("category"), request.user, pk=pk)
    form = DishForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        initial=DishForm.initial_for(dish),
    )
    if request.method == "POST":
        check_perm(request.user, perms.MANAGE_MENU)
        ok, saved = run_service(
            form, lambda data: services.dish_update(acting_user=request.user, dish=dish, **data)
        )
        if ok:
            messages.success(request, _("Dish “%(name)s” saved.") % {"name": saved.name})
            return redirect_after_save(request, reverse("dish_list"))
        dish.refresh_from_db()  # the service may have set the refused values on it
    return _dish_page(request, dish, form)


@login_required
@require_POST
def dish_availability(request, pk: int):
    """Save the store checkboxes of the dish page: checked = on that store's menu."""
    check_perm(request.user, perms.MANAGE_MENU)
    dish = get_for_user(Dish.objects.select_related("category"), request.user, pk=pk)
    chosen = set(request.POST.getlist("stores"))
    changed = 0
    with transaction.atomic():
        for row in selectors.dish_availability(user=request.user, dish=dish):
            wanted = str(row["store"].pk) in chosen
            if wanted != row["active"]:
                services.dish_set_availability(
                    acting_user=request.user, dish=dish, store=row["store"], active=wanted
                )
                changed += 1
    if changed:
        messages.success(request, _("Store menus updated for “%(name)s”.") % {"name": dish.name})
    else:
        messages.info(request, _("Nothing changed."))
    return redirect_after_save(request, reverse("dish_edit", args=[dish.pk]))
