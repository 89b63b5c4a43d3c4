"""Console pages of the organisation app."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from huike.core.permissions import check_perm

from . import permissions as perms
from . import selectors


@login_required
def store_list(request):
    check_perm(request.user, perms.VIEW_ORG)
    stores = selectors.store_list(user=request.user, search=request.GET.get("q", ""))
    return render(request, "org/store_list.html", {"stores": stores})
