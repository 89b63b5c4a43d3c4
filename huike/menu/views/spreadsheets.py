"""Excel: download every dish, and the import page (upload, then the result with the rows that
were refused and why)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from huike.core.forms import run_service
from huike.core.htmx import render_page
from huike.core.permissions import check_perm

from .. import excel
from .. import permissions as perms
from ..forms import DishImportForm


@login_required
@require_GET
def dish_export(request):
    content = excel.dish_export(acting_user=request.user)
    response = HttpResponse(content, content_type=excel.CONTENT_TYPE)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="dishes-{stamp}.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def dish_import(request):
    check_perm(request.user, perms.MANAGE_MENU)
    form = DishImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    result = None
    if request.method == "POST":
        ok, result = run_service(
            form,
            lambda data: excel.dish_import(acting_user=request.user, upload=data["file"]),
        )
    return render_page(
        request,
        "menu/dish_import.html",
        "menu/partials/dish_import.html",
        {
            "form": form,
            "result": result,
            "limits": {"mb": excel.MAX_BYTES // (1024 * 1024), "rows": f"{excel.MAX_ROWS:,}"},
            "columns": [str(label) for _key, label in excel.COLUMNS],
        },
    )
