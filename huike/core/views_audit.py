"""Audit search (``core.view_audit``): who did what to which object, when; 50 entries a page,
times in local time."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q

from .forms import AuditSearchForm
from .htmx import render_page
from .permissions import VIEW_AUDIT, check_perm
from .selectors import audit_search as search_entries

PAGE_SIZE = 50


@login_required
def audit_search(request):
    check_perm(request.user, VIEW_AUDIT)
    form = AuditSearchForm(request.GET)
    if form.is_valid():
        entries = search_entries(user=request.user, **form.search_filters())
        text = form.cleaned_data["object"].strip()
        if text:  # an id, or part of the object's name
            entries = entries.filter(Q(object_id=text) | Q(object_repr__icontains=text))
    else:
        entries = search_entries(user=request.user).none()
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        "core/audit_search.html",
        "core/partials/audit_results.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )
