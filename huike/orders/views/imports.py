"""Import of orders from CSV/Excel with the row-level error report."""

import csv

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_http_methods

from huike.core import errors
from huike.core.forms import PAGE_ERRORS, apply_domain_error
from huike.core.htmx import render_page
from huike.core.permissions import check_perm

from .. import imports
from .. import permissions as perms
from ..forms import OrderImportForm


@login_required
@require_http_methods(["GET", "POST"])
def order_import(request):
    check_perm(request.user, perms.IMPORT_ORDERS)
    form = OrderImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = imports.import_orders(
                acting_user=request.user, upload=form.cleaned_data["file"]
            )
        except PAGE_ERRORS:
            raise
        except errors.DomainError as exc:
            apply_domain_error(form, exc)
    return render_page(
        request,
        "orders/order_import.html",
        "orders/partials/order_import_result.html",
        {"form": form, "report": report, "columns": imports.template_header()},
    )


@login_required
def order_import_template(request):
    check_perm(request.user, perms.IMPORT_ORDERS)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="orders-template.csv"'
    response.write("\ufeff")  # so Excel reads it as UTF-8
    csv.writer(response).writerow(imports.template_header())
    return response
