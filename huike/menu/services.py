"""Every write of the menu app (M1): categories, dishes and their availability per store. One
function per business action, one transaction each, permission-checked (``menu.manage``) and
audited. Prices are CNY decimals (``huike.core.money.cny``), never floats, and never negative."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.audit import Action, audit_record
from huike.core.money import CENT, cny
from huike.core.permissions import check_perm, restrict
from huike.core.services import delete_audited, only_known_fields, save_changes, save_new
from huike.core.tenancy import require_active_tenant
from huike.org.models import Store

from . import permissions as perms
from .models import Dish, DishAvailability, DishCategory

CATEGORY_FIELDS = {"name", "sort_order"}
MAX_PRICE = Decimal("1000000")  # ¥1,000,000: no menu item costs more
PRICE_FIELDS = ("price_regular", "price_hall", "price_vip_room", "service_charge")
DISH_FIELDS = {
    "category",
    "code",
    "name",
    "unit",
    "kind",
    *PRICE_FIELDS,
    "discountable",
    "recommended",
    "featured",
    "active",
}


def price_error(value) -> str | None:
    """Why ``value`` is not a menu price, or None when it is one (shared with the Excel import)."""
    if isinstance(value, float):
        return _("Enter the amount as text or a decimal, not a float.")
    try:
        amount = cny(value)
        exact = value if isinstance(value, Decimal) else Decimal(str(value).strip())
        if exact != exact.quantize(CENT):
            return _("At most 2 decimal places.")
    except (errors.InvalidInput, InvalidOperation):
        return _("Enter an amount such as 38 or 38.50.")
    if amount < 0:
        return _("A price cannot be negative.")
    if amount >= MAX_PRICE:
        return _("The amount is too large.")
    return None


def _prices(data: dict) -> dict:
    """The price fields of ``data`` as CNY decimals; every bad one is reported at once."""
    problems = {}
    for name in PRICE_FIELDS:
        if name not in data:
            continue
        if data[name] is None or data[name] == "":
            problems[name] = [_("This field is required.")]
            continue
        error = price_error(data[name])
        if error:
            problems[name] = [error]
        else:
            data[name] = cny(data[name])
    if problems:
        raise errors.InvalidInput(fields=problems)
    return data


def _category(value, *, user) -> DishCategory:
    """A category of the active tenant (by instance or id); anything else is a field error."""
    if value is None or value == "":
        raise errors.InvalidInput(fields={"category": [_("This field is required.")]})
    if isinstance(value, DishCategory) and value.tenant_id == require_active_tenant().pk:
        return value  # read through the tenant-scoped manager already (the Excel import)
    pk = value.pk if isinstance(value, DishCategory) else value
    try:
        return restrict(DishCategory.objects.all(), user).get(pk=pk)
    except (DishCategory.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.InvalidInput(fields={"category": [_("Not found.")]}) from exc


# --- Categories ------------------------------------------------------------------------------
@transaction.atomic
def category_create(*, acting_user, name: str, sort_order: int = 0) -> DishCategory:
    check_perm(acting_user, perms.MANAGE_MENU)
    category = DishCategory(name=(name or "").strip(), sort_order=sort_order)
    return save_new(category, actor=acting_user)


@transaction.atomic
def category_update(*, acting_user, category: DishCategory, **changes) -> DishCategory:
    check_perm(acting_user, perms.MANAGE_MENU)
    changes = dict(only_known_fields(changes, CATEGORY_FIELDS))
    if isinstance(changes.get("name"), str):
        changes["name"] = changes["name"].strip()
    return save_changes(category, actor=acting_user, changes=changes)


@transaction.atomic
def category_delete(*, acting_user, category: DishCategory) -> None:
    """Delete an empty category; refused while it holds dishes (move or delete them first)."""
    check_perm(acting_user, perms.MANAGE_MENU)
    if Dish.objects.filter(category=category).exists():
        raise errors.Conflict(
            _("This category still holds dishes. Move them to another category first."),
            code="in_use",
        )
    delete_audited(category, actor=acting_user)


# --- Dishes ----------------------------------------------------------------------------------
@transaction.atomic
def dish_create(
    *,
    acting_user,
    category,
    code: str,
    name: str,
    price_regular,
    price_hall,
    price_vip_room,
    service_charge="0",
    unit: str = "份",
    kind: str = Dish.Kind.DISH,
    discountable: bool = True,
    recommended: bool = False,
    featured: bool = False,
    active: bool = True,
) -> Dish:
    check_perm(acting_user, perms.MANAGE_MENU)
    prices = _prices(
        {
            "price_regular": price_regular,
            "price_hall": price_hall,
            "price_vip_room": price_vip_room,
            "service_charge": service_charge,
        }
    )
    dish = Dish(
        category=_category(category, user=acting_user),
        code=(code or "").strip(),
        name=(name or "").strip(),
        unit=(unit or "").strip(),
        kind=kind,
        discountable=discountable,
        recommended=recommended,
        featured=featured,
        active=active,
        **prices,
    )
    return save_new(dish, actor=acting_user)


@transaction.atomic
def dish_update(*, acting_user, dish: Dish, **changes) -> Dish:
    check_perm(acting_user, perms.MANAGE_MENU)
    changes = _prices(dict(only_known_fields(changes, DISH_FIELDS)))
    if "category" in changes:
        changes["category"] = _category(changes["category"], user=acting_user)
    for name in ("code", "name", "unit"):
        if isinstance(changes.get(name), str):
            changes[name] = changes[name].strip()
    return save_changes(dish, actor=acting_user, changes=changes)


@transaction.atomic
def dish_set_availability(*, acting_user, dish: Dish, store: Store, active: bool) -> bool:
    """Put ``dish`` on (``active``) or off the menu of one store; returns the new state. Audited
    on the dish when it changes."""
    check_perm(acting_user, perms.MANAGE_MENU)
    if store.tenant_id != dish.tenant_id:
        raise errors.NotFound()
    row = DishAvailability.objects.select_for_update().filter(dish=dish, store=store).first()
    was = row.active if row else True
    if was == active:
        return active
    if row is None:
        DishAvailability(dish=dish, store=store, active=active).save()
    else:
        DishAvailability.objects.filter(pk=row.pk).update(active=active)
    audit_record(
        action=Action.UPDATE,
        actor=acting_user,
        obj=dish,
        changes={"store_availability": {"store": store.pk, "store_name": store.name, "on": active}},
    )
    return active
