"""Dishes ordered with a booking (预点菜) and from the table's QR code (扫码点餐, R6).

* ``PreOrderedDish``: the dishes a guest chose when booking, priced at the booking table's tier
  (private room → VIP-room price, hall table → hall price) when the list was saved.
* ``TableCode``: the unguessable token in a table's QR code; regenerating it changes the token,
  so an old printed QR stops working.
* ``TableOrderTicket`` with its ``TableOrderLine``: what a guest sent from the table's phone
  page, waiting for the floor staff to confirm or reject it. Prices are the server's, never
  the phone's. See decision 0027.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huike.core.money import ZERO, MoneyField
from huike.core.tenancy import TenantScopedModel


class PreOrderedDish(TenantScopedModel):
    """One dish pre-ordered with a booking (预点菜)."""

    scope_paths = {"store": "booking__store", "brand": "booking__store__brand"}

    booking = models.ForeignKey(
        "reservations.Booking",
        on_delete=models.CASCADE,
        related_name="pre_ordered_dishes",
        verbose_name=_("booking"),
    )
    dish = models.ForeignKey(
        "menu.Dish", on_delete=models.PROTECT, related_name="+", verbose_name=_("dish")
    )
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    unit_price = MoneyField(_("unit price"))
    price_tier = models.CharField(_("price tier"), max_length=10)
    note = models.CharField(_("note"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("pre-ordered dish")
        verbose_name_plural = _("pre-ordered dishes")
        ordering = ["booking", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["booking", "dish"], name="preordereddish_unique"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(unit_price__gte=0),
                name="preordereddish_valid",
            ),
        ]

    def __str__(self):
        return f"{self.booking_id}: {self.dish_id} ×{self.quantity}"

    @property
    def amount(self):
        return self.unit_price * self.quantity


class TableCode(TenantScopedModel):
    """The QR code of one table or room (桌台二维码): ``token`` is the unguessable part of its
    public URL ``/t/<token>/``."""

    scope_paths = {"store": "table__store", "brand": "table__store__brand"}

    table = models.OneToOneField(
        "menu.DiningTable",
        on_delete=models.CASCADE,
        related_name="order_code",
        verbose_name=_("table or room"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    regenerated_at = models.DateTimeField(_("regenerated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("table QR code")
        verbose_name_plural = _("table QR codes")

    def __str__(self):
        return str(self.table_id)


class TableOrderTicket(TenantScopedModel):
    """An order a guest sent from the table's QR page (扫码点餐单), until staff handle it."""

    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("table order status", "new")
        CONFIRMED = "confirmed", pgettext_lazy("table order status", "confirmed")
        REJECTED = "rejected", pgettext_lazy("table order status", "rejected")

    scope_paths = {"store": "store", "brand": "store__brand"}

    store = models.ForeignKey(
        "org.Store", on_delete=models.PROTECT, related_name="+", verbose_name=_("store")
    )
    table = models.ForeignKey(
        "menu.DiningTable",
        on_delete=models.PROTECT,
        related_name="order_tickets",
        verbose_name=_("table or room"),
    )
    price_tier = models.CharField(_("price tier"), max_length=10)
    total = MoneyField(_("total"), default=ZERO)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW
    )
    client_key = models.CharField(_("submission key"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("rejected by"),
    )
    reject_reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("table order")
        verbose_name_plural = _("table orders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "client_key"], name="tableorderticket_key_unique"
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="tableorderticket_total"),
        ]
        indexes = [
            models.Index(fields=["store", "status"], name="tableorder_store_status"),
            models.Index(fields=["table", "created_at"], name="tableorder_table_time"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.table_id}"


class TableOrderLine(TenantScopedModel):
    """One dish of a table order, at the server's price of the table's tier."""

    scope_paths = {"store": "ticket__store", "brand": "ticket__store__brand"}

    ticket = models.ForeignKey(
        TableOrderTicket, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order")
    )
    dish = models.ForeignKey(
        "menu.Dish", on_delete=models.PROTECT, related_name="+", verbose_name=_("dish")
    )
    dish_name = models.CharField(_("dish"), max_length=60)
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    unit_price = MoneyField(_("unit price"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("table order line")
        verbose_name_plural = _("table order lines")
        ordering = ["ticket", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(unit_price__gte=0), name="tableorderline_valid"
            ),
        ]

    def __str__(self):
        return f"{self.dish_name} ×{self.quantity}"

    @property
    def amount(self):
        return self.unit_price * self.quantity
