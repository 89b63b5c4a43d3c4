"""Menu (M1): dish categories and dishes with their three price tiers, per-store availability."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huike.core.money import MoneyField
from huike.core.tenancy import TenantScopedModel


class DishCategory(TenantScopedModel):
    """A menu category (菜品类别), e.g. 湘菜热菜, 点心, 酒水."""

    name = models.CharField(_("name"), max_length=60)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("dish category")
        verbose_name_plural = _("dish categories")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="dishcategory_name_unique")
        ]

    def __str__(self):
        return self.name


class Dish(TenantScopedModel):
    """A dish (菜品) or other menu item, with its regular, hall (大堂价) and VIP-room (贵宾包房价)
    prices. ``active`` switches it off everywhere; ``DishAvailability`` per store."""

    class Kind(models.TextChoices):
        DISH = "dish", _("dish")
        DIM_SUM = "dim_sum", _("dim sum")
        SERVICE = "service", _("service")
        DRINKS = "drinks", _("drinks")

    class PriceTier(models.TextChoices):
        REGULAR = "regular", _("regular price")
        HALL = "hall", _("hall price")
        VIP_ROOM = "vip_room", _("VIP-room price")

    category = models.ForeignKey(
        DishCategory, on_delete=models.PROTECT, related_name="dishes", verbose_name=_("category")
    )
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=60)
    unit = models.CharField(_("unit"), max_length=10, default="份")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DISH)
    price_regular = MoneyField(_("regular price"))
    price_hall = MoneyField(_("hall price"))
    price_vip_room = MoneyField(_("VIP-room price"))
    service_charge = MoneyField(_("service charge"), default=0)
    discountable = models.BooleanField(_("discountable"), default=True)
    recommended = models.BooleanField(_("recommended"), default=False)
    featured = models.BooleanField(_("featured for push"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("dish")
        verbose_name_plural = _("dishes")
        ordering = ["category__sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="dish_code_unique"),
            models.CheckConstraint(
                condition=Q(
                    price_regular__gte=0,
                    price_hall__gte=0,
                    price_vip_room__gte=0,
                    service_charge__gte=0,
                ),
                name="dish_prices_not_negative",
            ),
        ]

    def __str__(self):
        return self.name

    def price_for(self, tier: str):
        return {
            self.PriceTier.REGULAR: self.price_regular,
            self.PriceTier.HALL: self.price_hall,
            self.PriceTier.VIP_ROOM: self.price_vip_room,
        }[tier]


class DishAvailability(TenantScopedModel):
    """Whether a dish is on the menu of one store (no row: it is)."""

    dish = models.ForeignKey(Dish, on_delete=models.CASCADE, related_name="availability")
    store = models.ForeignKey("org.Store", on_delete=models.CASCADE, related_name="+")
    active = models.BooleanField(_("on the menu"), default=True)

    class Meta:
        verbose_name = _("dish availability")
        verbose_name_plural = _("dish availability")
        constraints = [
            models.UniqueConstraint(fields=["dish", "store"], name="dishavailability_unique")
        ]

    def __str__(self):
        return f"{self.dish_id}@{self.store_id}: {self.active}"


class FloorArea(TenantScopedModel):
    """A floor area (区域) of a store, e.g. 大堂, 包房区."""

    scope_paths = {"store": "store", "brand": "store__brand"}

    store = models.ForeignKey(
        "org.Store", on_delete=models.CASCADE, related_name="floor_areas", verbose_name=_("store")
    )
    name = models.CharField(_("name"), max_length=40)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("floor area")
        verbose_name_plural = _("floor areas")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["store", "name"], name="floorarea_name_unique")
        ]

    def __str__(self):
        return self.name


class DiningTable(TenantScopedModel):
    """A table (餐台) or private room (包房) of a store. ``features`` is a comma-separated list of
    short tags (e.g. "江景,K歌"); ``combinable_with`` lists tables it can be joined with."""

    class Kind(models.TextChoices):
        TABLE = "table", _("table")
        ROOM = "room", _("private room")

    scope_paths = {"store": "store", "brand": "store__brand"}

    store = models.ForeignKey(
        "org.Store", on_delete=models.CASCADE, related_name="dining_tables", verbose_name=_("store")
    )
    area = models.ForeignKey(
        FloorArea, on_delete=models.PROTECT, related_name="tables", verbose_name=_("area")
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TABLE)
    capacity_min = models.PositiveSmallIntegerField(_("minimum seats"), default=1)
    capacity_max = models.PositiveSmallIntegerField(_("maximum seats"), default=4)
    min_spend = MoneyField(_("minimum spend"), default=0)
    features = models.CharField(_("features"), max_length=200, blank=True)
    photo_url = models.CharField(_("photo URL"), max_length=300, blank=True)
    combinable_with = models.ManyToManyField(
        "self", blank=True, symmetrical=True, verbose_name=_("can be joined with")
    )
    featured = models.BooleanField(_("featured for push"), default=False)
    active = models.BooleanField(_("active"), default=True)
    # Set when a party leaves (a completed booking); cleared when staff mark it clean.
    cleaning_since = models.DateTimeField(_("being cleaned since"), null=True, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("dining table")
        verbose_name_plural = _("dining tables")
        ordering = ["area__sort_order", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["store", "code"], name="diningtable_code_unique"),
            models.CheckConstraint(
                condition=Q(capacity_min__gte=1) & Q(capacity_max__gte=models.F("capacity_min")),
                name="diningtable_capacity_valid",
            ),
            models.CheckConstraint(
                condition=Q(min_spend__gte=0), name="diningtable_min_spend_not_negative"
            ),
        ]

    def __str__(self):
        return self.name or self.code

    @property
    def feature_list(self) -> list[str]:
        return [f for f in (part.strip() for part in self.features.split(",")) if f]
