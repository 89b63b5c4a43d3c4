"""Brands: list, create, edit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from huike.core.forms import run_service
from huike.core.htmx import redirect_after_save, render_page
from huike.core.permissions import check_perm, get_for_user

from .. import permissions as perms
from .. import selectors, services
from ..forms import BrandForm
from ..models import Brand


@login_required
def brand_list(request):
    check_perm(request.user, perms.VIEW_ORG)
    brands = selectors.brand_list(user=request.user).annotate(store_count=Count("stores"))
    return render(request, "org/brand_list.html", {"brands": brands})


@login_required
@require_http_methods(["GET", "POST"])
def brand_create(request):
    check_perm(request.user, perms.MANAGE_STORES)
    form = BrandForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        ok, brand = run_service(
            form, lambda data: services.brand_create(acting_user=request.user, **data)
        )
        if ok:
            messages.success(request, _("Brand “%(name)s” created.") % {"name": brand.name})
            return redirect_after_save(request, reverse("brand_list"))
    return render_page(
        request,
        "org/brand_form.html",
        "org/partials/brand_form.html",
        {"form": form, "brand": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def brand_edit(request, pk: int):
    check_perm(request.user, perms.MANAGE_STORES)
    brand = get_for_user(Brand.objects.all(), request.user, pk=pk)
    form = BrandForm(
        request.POST if request.method == "POST" else None, initial=BrandForm.initial_for(brand)
    )
    if request.method == "POST":
        ok, brand = run_service(
            form, lambda data: services.brand_update(acting_user=request.user, brand=brand, **data)
        )
        if ok:
            messages.success(request, _("Brand “%(name)s” saved.") % {"name": brand.name})
            return redirect_after_save(request, reverse("brand_list"))
    return render_page(
        request,
        "org/brand_form.html",
        "org/partials/brand_form.html",
        {"form": form, "brand": brand},
    )
