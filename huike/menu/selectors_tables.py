"""Reads of rooms and tables (M2): a store's areas and tables, and the tables a party fits."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import DiningTable, FloorArea


def tables_for_store(store, *, active: bool | None = True) -> QuerySet[DiningTable]:
    """The tables and rooms of ``store`` in floor order (``active=None``: all of them)."""
    rows = DiningTable.objects.filter(store=store).select_related("area")
    if active is not None:
        rows = rows.filter(active=active)
    return rows.order_by("area__sort_order", "area__name", "sort_order", "code")


def areas_with_tables(store) -> list[FloorArea]:
    """The floor areas of ``store``, each with ``.table_rows`` (all its tables, in order)."""
    tables = DiningTable.objects.order_by("sort_order", "code").prefetch_related("combinable_with")
    return list(
        FloorArea.objects.filter(store=store)
        .order_by("sort_order", "name")
        .prefetch_related(Prefetch("tables", queryset=tables, to_attr="table_rows"))
    )


def tables_fitting(store, party_size: int) -> list[list[DiningTable]]:
    """Active seating for a party of ``party_size``: single tables whose capacity range holds it,
    smallest first, then pairs of combinable tables that together hold it (no single table fits
    such a party on its own)."""
    tables = list(tables_for_store(store).prefetch_related("combinable_with"))
    singles = [t for t in tables if t.capacity_min <= party_size <= t.capacity_max]
    singles.sort(key=lambda t: (t.capacity_max, t.min_spend, t.code))
    by_pk = {t.pk: t for t in tables}
    pairs = []
    for table in tables:
        for partner in table.combinable_with.all():
            other = by_pk.get(partner.pk)
            if other is None or other.code <= table.code:
                continue
            if table.capacity_max < party_size and other.capacity_max < party_size:
                if table.capacity_max + other.capacity_max >= party_size:
                    pairs.append([table, other])
    pairs.sort(key=lambda p: (p[0].capacity_max + p[1].capacity_max, p[0].code, p[1].code))
    return [[t] for t in singles] + pairs
