"""Stores: list with search and brand filter (HTMX), create, edit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from huike.core.forms import run_service
from huike.core.htmx import redirect_after_save, render_page
from huike.core.permissions import check_perm, get_for_user

from .. import permissions as perms
from .. import selectors, services
from ..forms import StoreFilterForm, StoreForm
from ..models import Store


@login_required
def store_list(request):
    check_perm(request.user, perms.VIEW_ORG)
    filters = StoreFilterForm(request.GET, user=request.user)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    brand = chosen.get("brand")
    stores = selectors.store_list(
        user=request.user, search=chosen.get("q", ""), brand_id=brand.pk if brand else None
    )
    return render_page(
        request,
        "org/store_list.html",
        "org/partials/store_table.html",
        {"filters": filters, "stores": stores, "now": timezone.now()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def store_create(request):
    check_perm(request.user, perms.MANAGE_STORES)
    form = StoreForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST":
        ok, store = run_service(
            form,
            lambda data: services.store_create(acting_user=request.user, **data),
            field_map=form.error_field_map(),
        )
        if ok:
            messages.success(request, _("Store “%(name)s” created.") % {"name": store.name})
            return redirect_after_save(request, reverse("store_list"))
    return render_page(
        request,
        "org/store_form.html",
        "org/partials/store_form.html",
        {"form": form, "store": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def store_edit(request, pk: int):
    check_perm(request.user, perms.MANAGE_STORES)
    store = get_for_user(Store.objects.select_related("brand"), request.user, pk=pk)
    form = StoreForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        initial=StoreForm.initial_for(store),
    )
    if request.method == "POST":
        ok, saved = run_service(
            form,
            lambda data: services.store_update(acting_user=request.user, store=store, **data),
            field_map=form.error_field_map(),
        )
        if ok:
            messages.success(request, _("Store “%(name)s” saved.") % {"name": saved.name})
            return redirect_after_save(request, reverse("store_list"))
        store.refresh_from_db()  # the service may have set the refused values on it
    return render_page(
        request,
        "org/store_form.html",
        "org/partials/store_form.html",
        {"form": form, "store": store, "now": timezone.now()},
    )
