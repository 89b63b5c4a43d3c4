"""Every write of rooms and tables (M2): floor areas, tables (餐台) and private rooms (包房) of a
store. One transaction each, checked against ``menu.manage_tables`` and the user's store scope,
audited. ``features`` are stored as comma-separated short tags ("江景,K歌")."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.audit import Action, audit_record
from huike.core.money import cny
from huike.core.permissions import check_perm, get_for_user
from huike.core.services import delete_audited, only_known_fields, save_changes, save_new
from huike.org.models import Store

from . import permissions as perms
from .models import DiningTable, FloorArea
from .services import price_error

AREA_FIELDS = {"name", "sort_order"}
TABLE_FIELDS = {
    "area",
    "code",
    "name",
    "kind",
    "capacity_min",
    "capacity_max",
    "min_spend",
    "features",
    "featured",
    "active",
    "sort_order",
    "combinable_with",
}
MAX_SEATS = 200


def _store(store, user) -> Store:
    """The store (instance or id) if the user's scope reaches it; otherwise ``NotFound``."""
    pk = store.pk if isinstance(store, Store) else store
    return get_for_user(Store.objects.all(), user, pk=pk)


def _area(value, store: Store) -> FloorArea:
    if value is None or value == "":
        raise errors.InvalidInput(fields={"area": [_("This field is required.")]})
    pk = value.pk if isinstance(value, FloorArea) else value
    try:
        return FloorArea.objects.get(pk=pk, store=store)
    except (FloorArea.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.InvalidInput(fields={"area": [_("Choose an area of this store.")]}) from exc


def features_text(value) -> str:
    """Tags (a list, or text split on commas, 、 or ，) as one comma-separated string."""
    if value is None:
        return ""
    parts = value if isinstance(value, list | tuple) else str(value).replace("，", ",").split(",")
    tags: list[str] = []
    for part in parts:
        for tag in str(part).replace("、", ",").split(","):
            tag = tag.strip()
            if tag and tag not in tags:
                tags.append(tag)
    return ",".join(tags)


def _clean_table_data(data: dict, table: DiningTable) -> dict:
    """Normalise and check the fields of ``data`` against ``table``'s current values; every
    problem is reported at once."""
    problems: dict[str, list] = {}
    for name in ("capacity_min", "capacity_max"):
        if name in data:
            value = data[name]
            if isinstance(value, str) and value.strip().isdigit():
                value = int(value.strip())
            if isinstance(value, bool) or not isinstance(value, int):
                problems[name] = [_("Enter a whole number.")]
            elif not 1 <= value <= MAX_SEATS:
                problems[name] = [_("Enter a number from 1 to %(n)s.") % {"n": MAX_SEATS}]
            else:
                data[name] = value
    if not problems:
        low = data.get("capacity_min", table.capacity_min)
        high = data.get("capacity_max", table.capacity_max)
        if low > high:
            problems["capacity_max"] = [_("The maximum cannot be below the minimum.")]
    if "min_spend" in data:
        value = data["min_spend"]
        if value is None or value == "":
            value = "0"
        error = price_error(value)
        if error:
            problems["min_spend"] = [error]
        else:
            data["min_spend"] = cny(value)
    if "features" in data:
        data["features"] = features_text(data["features"])
        if len(data["features"]) > 200:
            problems["features"] = [_("Too many features.")]
    for name in ("code", "name"):
        if isinstance(data.get(name), str):
            data[name] = data[name].strip()
    if data.get("code") is not None and data["code"] != table.code:
        taken = DiningTable.objects.filter(store_id=table.store_id, code=data["code"])
        if taken.exclude(pk=table.pk).exists():
            problems["code"] = [_("This store already has a table with this code.")]
    if problems:
        raise errors.InvalidInput(fields=problems)
    return data


def _partners(values, table: DiningTable) -> list[DiningTable]:
    pks = [v.pk if isinstance(v, DiningTable) else v for v in values or []]
    try:
        found = list(DiningTable.objects.filter(pk__in=pks))
    except (ValueError, TypeError) as exc:
        raise errors.InvalidInput(fields={"combinable_with": [_("Not found.")]}) from exc
    if len(found) != len(set(pks)):
        raise errors.InvalidInput(fields={"combinable_with": [_("Not found.")]})
    if any(t.store_id != table.store_id for t in found):
        raise errors.InvalidInput(
            fields={"combinable_with": [_("Only tables of the same store can be joined.")]}
        )
    if any(t.pk == table.pk for t in found):
        raise errors.InvalidInput(
            fields={"combinable_with": [_("A table cannot be joined with itself.")]}
        )
    return found


def _set_partners(table: DiningTable, partners: list[DiningTable], *, actor) -> None:
    before = sorted(table.combinable_with.values_list("code", flat=True))
    table.combinable_with.set(partners)
    after = sorted(t.code for t in partners)
    if before != after:
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            obj=table,
            changes={"combinable_with": {"old": before, "new": after}},
        )


# --- Floor areas -----------------------------------------------------------------------------
@transaction.atomic
def area_create(*, acting_user, store, name: str, sort_order: int = 0) -> FloorArea:
    check_perm(acting_user, perms.MANAGE_TABLES)
    store = _store(store, acting_user)
    name = (name or "").strip()
    if name and FloorArea.objects.filter(store=store, name=name).exists():
        raise errors.InvalidInput(fields={"name": [_("This store already has this area.")]})
    return save_new(FloorArea(store=store, name=name, sort_order=sort_order), actor=acting_user)


@transaction.atomic
def area_update(*, acting_user, area: FloorArea, **changes) -> FloorArea:
    check_perm(acting_user, perms.MANAGE_TABLES)
    _store(area.store_id, acting_user)
    changes = only_known_fields(changes, AREA_FIELDS)
    if isinstance(changes.get("name"), str):
        changes["name"] = changes["name"].strip()
        same = FloorArea.objects.filter(store_id=area.store_id, name=changes["name"])
        if same.exclude(pk=area.pk).exists():
            raise errors.InvalidInput(fields={"name": [_("This store already has this area.")]})
    return save_changes(area, actor=acting_user, changes=changes)


@transaction.atomic
def area_delete(*, acting_user, area: FloorArea) -> None:
    """Delete an empty area; refused (``in_use``) while it holds tables."""
    check_perm(acting_user, perms.MANAGE_TABLES)
    _store(area.store_id, acting_user)
    if area.tables.exists():
        raise errors.Conflict(_("This area still holds tables."), code="in_use")
    delete_audited(area, actor=acting_user)


# --- Tables and rooms ------------------------------------------------------------------------
@transaction.atomic
def table_create(
    *,
    acting_user,
    store,
    area,
    code: str,
    capacity_min=1,
    capacity_max=4,
    kind: str = DiningTable.Kind.TABLE,
    name: str = "",
    min_spend="0",
    features="",
    featured: bool = False,
    active: bool = True,
    sort_order: int = 0,
    combinable_with=(),
) -> DiningTable:
    """A new table or room of ``store`` in ``area`` (an area of the same store)."""
    check_perm(acting_user, perms.MANAGE_TABLES)
    store = _store(store, acting_user)
    table = DiningTable(store=store, capacity_min=1, capacity_max=1)
    data = _clean_table_data(
        {
            "code": code,
            "name": name,
            "capacity_min": capacity_min,
            "capacity_max": capacity_max,
            "min_spend": min_spend,
            "features": features,
        },
        table,
    )
    for field, value in data.items():
        setattr(table, field, value)
    table.area = _area(area, store)
    table.kind, table.featured, table.active = kind, featured, active
    table.sort_order = sort_order
    partners = _partners(combinable_with, table)
    save_new(table, actor=acting_user)
    if partners:
        _set_partners(table, partners, actor=acting_user)
    return table


@transaction.atomic
def table_update(*, acting_user, table: DiningTable, **changes) -> DiningTable:
    check_perm(acting_user, perms.MANAGE_TABLES)
    _store(table.store_id, acting_user)
    changes = _clean_table_data(only_known_fields(changes, TABLE_FIELDS), table)
    if "area" in changes:
        changes["area"] = _area(changes["area"], table.store)
    partners = None
    if "combinable_with" in changes:
        partners = _partners(changes.pop("combinable_with"), table)
    save_changes(table, actor=acting_user, changes=changes)
    if partners is not None:
        _set_partners(table, partners, actor=acting_user)
    return table


def table_deactivate(*, acting_user, table: DiningTable) -> DiningTable:
    """Take a table or room out of service (it stays on record for past bookings)."""
    return table_update(acting_user=acting_user, table=table, active=False)
