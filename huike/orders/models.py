"""POS orders (消费单, T1): the header, its lines and payments, and the per-guest tallies that
posting keeps up to date (T3) so the 360° view finds top dishes and preferred rooms by index
instead of scanning every order line."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _

from huike.core.money import MoneyField
from huike.core.tenancy import TenantScopedModel


class Order(TenantScopedModel):
    """One POS order (消费单): a sale, a refund (退单) of a sale, or a correction (更正) that
    replaces an order's effect. ``total = subtotal - discount + service_charge``, all ≥ 0."""

    class Kind(models.TextChoices):
        SALE = "sale", _("sale")
        REFUND = "refund", _("refund")
        CORRECTION = "correction", _("correction")

    class Status(models.TextChoices):
        POSTED = "posted", _("posted")
        SUPERSEDED = "superseded", _("replaced by a correction")

    class Source(models.TextChoices):
        API = "api", _("POS (API)")
        IMPORT = "import", _("import")
        MANUAL = "manual", _("manual entry")

    store = models.ForeignKey(
        "org.Store", on_delete=models.PROTECT, related_name="+", verbose_name=_("store")
    )
    pos_order_id = models.CharField(_("POS order number"), max_length=64)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.SALE)
    original = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        verbose_name=_("original order"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.POSTED
    )
    guest = models.ForeignKey(
        "guests.Guest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("guest"),
    )
    member_card = models.CharField(_("member card number"), max_length=40, blank=True)
    table_label = models.CharField(_("table or room"), max_length=40, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"))
    party_size = models.PositiveSmallIntegerField(_("party size"), null=True, blank=True)
    subtotal = MoneyField(_("subtotal"))
    discount = MoneyField(_("discount"), default=0)
    service_charge = MoneyField(_("service charge"), default=0)
    total = MoneyField(_("total"))
    # What refunds took back of this order so far (sales and corrections only).
    refunded_amount = MoneyField(_("refunded"), default=0)
    # True while this order counts as one visit of its guest: a sale or correction that is
    # neither replaced by a correction nor refunded in full.
    visit_counted = models.BooleanField(_("counts as a visit"), default=False)
    fingerprint = models.CharField(max_length=64, editable=False)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.API
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("posted by"),
    )
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)

    scope_paths = {"own": "created_by", "store": "store", "brand": "store__brand"}

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-closed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "store", "pos_order_id"], name="order_pos_id_unique"
            ),
            models.CheckConstraint(
                condition=Q(
                    subtotal__gte=0,
                    discount__gte=0,
                    service_charge__gte=0,
                    total__gte=0,
                    refunded_amount__gte=0,
                ),
                name="order_amounts_not_negative",
            ),
            models.CheckConstraint(
                # Rounded: SQLite computes with floats (6 - 0.35 + 0.57 = 6.2199…).
                condition=Q(
                    total=Round(F("subtotal") - F("discount") + F("service_charge"), precision=2)
                ),
                name="order_total_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__lte=F("total")), name="order_refund_within_total"
            ),
            models.CheckConstraint(
                condition=Q(kind="sale", original__isnull=True)
                | Q(kind__in=["refund", "correction"], original__isnull=False),
                name="order_original_by_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "-closed_at"], name="order_tenant_closed"),
            models.Index(fields=["guest", "-closed_at"], name="order_guest_closed"),
            models.Index(fields=["store", "-closed_at"], name="order_store_closed"),
        ]

    def __str__(self):
        return f"{self.pos_order_id}"


class OrderLine(TenantScopedModel):
    """A line of an order (消费明细): the dish as it was when ordered, qty and price tier.
    ``line_total = qty × unit_price``, rounded half-up to the cent."""

    class PriceTier(models.TextChoices):
        REGULAR = "regular", _("regular price")
        HALL = "hall", _("hall price")
        VIP_ROOM = "vip_room", _("VIP-room price")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveSmallIntegerField(_("line"))
    dish = models.ForeignKey(
        "menu.Dish",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("dish"),
    )
    dish_code = models.CharField(_("dish code"), max_length=30)
    dish_name = models.CharField(_("dish"), max_length=60)
    qty = models.DecimalField(_("quantity"), max_digits=10, decimal_places=3)
    unit_price = MoneyField(_("unit price"))
    price_tier = models.CharField(
        _("price tier"), max_length=10, choices=PriceTier.choices, default=PriceTier.REGULAR
    )
    line_total = MoneyField(_("line total"))
    # Of a sale or correction: how much of ``qty`` refunds took back so far.
    refunded_qty = models.DecimalField(
        _("refunded quantity"), max_digits=10, decimal_places=3, default=0
    )
    # Of a refund: the line of the original order it takes back.
    refund_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="orderline_no_unique"),
            models.CheckConstraint(
                condition=Q(qty__gt=0, unit_price__gte=0, line_total__gte=0, refunded_qty__gte=0),
                name="orderline_amounts_valid",
            ),
            models.CheckConstraint(
                condition=Q(refunded_qty__lte=F("qty")), name="orderline_refund_within_qty"
            ),
        ]
        indexes = [models.Index(fields=["dish"], name="orderline_dish")]

    def __str__(self):
        return f"{self.dish_name} × {self.qty}"

    @property
    def remaining_qty(self):
        return self.qty - self.refunded_qty


class OrderPayment(TenantScopedModel):
    """How an order was paid (or, of a refund, paid back); the amounts add up to the total."""

    class Method(models.TextChoices):
        CASH = "cash", _("cash")
        CARD = "card", _("bank card")
        WECHAT = "wechat", _("WeChat Pay")
        ALIPAY = "alipay", _("Alipay")
        STORED_VALUE = "stored_value", _("stored value")
        COUPON = "coupon", _("coupon")
        OTHER = "other", _("other")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    method = models.CharField(_("payment method"), max_length=15, choices=Method.choices)
    amount = MoneyField(_("amount"))

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="orderpayment_amount_positive")
        ]

    def __str__(self):
        return f"{self.get_method_display()} {self.amount}"


class GuestDishTally(TenantScopedModel):
    """How often a guest ordered a dish (derived from posted orders; their favourite dishes)."""

    guest = models.ForeignKey("guests.Guest", on_delete=models.CASCADE, related_name="+")
    dish = models.ForeignKey("menu.Dish", on_delete=models.CASCADE, related_name="+")
    times_ordered = models.PositiveIntegerField(_("orders"), default=0)
    qty = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3, default=0)
    last_ordered_at = models.DateTimeField(_("last ordered"), null=True, blank=True)

    class Meta:
        verbose_name = _("guest's dish tally")
        verbose_name_plural = _("guests' dish tallies")
        constraints = [
            models.UniqueConstraint(fields=["guest", "dish"], name="guestdishtally_unique"),
            models.CheckConstraint(condition=Q(qty__gte=0), name="guestdishtally_qty"),
        ]
        indexes = [
            models.Index(fields=["guest", "-times_ordered"], name="guestdishtally_top"),
        ]

    def __str__(self):
        return f"{self.guest_id}:{self.dish_id} ×{self.times_ordered}"


class GuestPlaceTally(TenantScopedModel):
    """How often a guest sat at a store's table or room (their preferred rooms); an empty
    ``table_label`` counts the visits at the store without a table recorded."""

    guest = models.ForeignKey("guests.Guest", on_delete=models.CASCADE, related_name="+")
    store = models.ForeignKey("org.Store", on_delete=models.CASCADE, related_name="+")
    table_label = models.CharField(_("table or room"), max_length=40, blank=True)
    visits = models.PositiveIntegerField(_("visits"), default=0)

    class Meta:
        verbose_name = _("guest's place tally")
        verbose_name_plural = _("guests' place tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["guest", "store", "table_label"], name="guestplacetally_unique"
            ),
        ]
        indexes = [models.Index(fields=["guest", "-visits"], name="guestplacetally_top")]

    def __str__(self):
        return f"{self.guest_id}@{self.store_id}/{self.table_label} ×{self.visits}"
