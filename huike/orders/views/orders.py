"""Orders: the list with filters (HTMX) and one order's detail."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator

from huike.core.htmx import render_page
from huike.core.permissions import check_perm, has_perm
from huike.core.timeutils import DEFAULT_TIME_ZONE, day_bounds

from .. import permissions as perms
from .. import selectors
from ..forms import OrderFilterForm
from .followups import correctable, refundable

PAGE_SIZE = 50


@login_required
def order_list(request):
    check_perm(request.user, perms.VIEW_ORDERS)
    filters = OrderFilterForm(request.GET, user=request.user)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    store = chosen.get("store")
    orders = selectors.order_list(
        user=request.user,
        store_id=store.pk if store else None,
        since=day_bounds(chosen["since"], DEFAULT_TIME_ZONE)[0] if chosen.get("since") else None,
        until=day_bounds(chosen["until"], DEFAULT_TIME_ZONE)[1] if chosen.get("until") else None,
        search=chosen.get("q", ""),
    )
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        "orders/order_list.html",
        "orders/partials/order_table.html",
        {"filters": filters, "page": page, "orders": page.object_list, "query": query.urlencode()},
    )


@login_required
def order_detail(request, pk: int):
    check_perm(request.user, perms.VIEW_ORDERS)
    order = selectors.order_get(user=request.user, order_id=pk)
    may_post = has_perm(request.user, perms.POST_ORDERS)
    return render_page(
        request,
        "orders/order_detail.html",
        "orders/order_detail.html",
        {
            "order": order,
            "may_post": may_post,
            "refundable": may_post and refundable(order),
            "correctable": may_post and correctable(order),
        },
    )
