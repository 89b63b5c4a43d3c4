"""Reads of the menu app: the dish list, a store's menu at one price tier, lookups by code."""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.permissions import restrict
from huike.org.models import Store

from .models import Dish, DishAvailability, DishCategory

TIER_FIELDS = {
    Dish.PriceTier.REGULAR: "price_regular",
    Dish.PriceTier.HALL: "price_hall",
    Dish.PriceTier.VIP_ROOM: "price_vip_room",
}


def category_list(*, user) -> QuerySet[DishCategory]:
    """Categories in menu order, each with ``dish_count``."""
    return (
        restrict(DishCategory.objects.all(), user)
        .annotate(dish_count=Count("dishes"))
        .order_by("sort_order", "name")
    )


def dish_list(
    *,
    user,
    category=None,
    kind: str | None = None,
    active: bool | None = None,
    search: str = "",
) -> QuerySet[Dish]:
    """Dishes the user may see, their category joined; ``search`` matches name or code."""
    dishes = restrict(Dish.objects.select_related("category"), user)
    if category is not None:
        dishes = dishes.filter(category_id=getattr(category, "pk", category))
    if kind:
        dishes = dishes.filter(kind=kind)
    if active is not None:
        dishes = dishes.filter(active=active)
    search = (search or "").strip()
    if search:
        dishes = dishes.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return dishes.order_by("category__sort_order", "category__name", "code")


def store_menu(*, store: Store, tier: str) -> QuerySet[Dish]:
    """The dishes on the menu of ``store`` (active, and not switched off for that store), each
    with ``price``: its price at ``tier`` (regular / hall / vip_room). Used by orders and
    self-ordering."""
    field = TIER_FIELDS.get(tier)
    if field is None:
        raise errors.InvalidInput(
            fields={
                "tier": [
                    _("Choose one of: %(options)s.")
                    % {"options": ", ".join(str(t) for t in TIER_FIELDS)}
                ]
            }
        )
    switched_off = DishAvailability.objects.filter(
        dish=OuterRef("pk"), store_id=store.pk, active=False
    )
    return (
        Dish.objects.filter(active=True)
        .exclude(Exists(switched_off))
        .select_related("category")
        .annotate(price=F(field))
        .order_by("category__sort_order", "category__name", "code")
    )


def dish_by_code(code: str) -> Dish | None:
    """The active tenant's dish with this code (codes are unique per tenant), or None."""
    return Dish.objects.select_related("category").filter(code=(code or "").strip()).first()


def dishes_by_code(codes) -> dict[str, Dish]:
    """``{code: dish}`` for the codes that exist, in one query (for imports of orders)."""
    wanted = {str(c).strip() for c in codes if c}
    return {d.code: d for d in Dish.objects.select_related("category").filter(code__in=wanted)}


def dish_availability(*, user, dish: Dish) -> list[dict]:
    """Per store the user may see: whether ``dish`` is on its menu (no row: it is)."""
    off = set(
        DishAvailability.objects.filter(dish=dish, active=False).values_list("store_id", flat=True)
    )
    stores = restrict(Store.objects.select_related("brand"), user).order_by("brand__name", "name")
    return [{"store": s, "active": s.pk not in off} for s in stores]
