"""Reads of the organisation app, narrowed to the user's row scope."""

from __future__ import annotations

from django.db.models import QuerySet

from huike.core.permissions import restrict

from .models import Store


def store_list(*, user, brand_id: int | None = None, active: bool | None = None,
               search: str = "") -> QuerySet[Store]:
    stores = restrict(Store.objects.select_related("brand"), user)
    if brand_id is not None:
        stores = stores.filter(brand_id=brand_id)
    if active is not None:
        stores = stores.filter(active=active)
    if search:
        stores = stores.filter(name__icontains=search) | stores.filter(city__icontains=search)
    return stores.order_by("brand__name", "name")
