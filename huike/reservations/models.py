"""Table bookings (订台, R1): a booking of a guest's party at a store's table or private room
for a time slot, with its status history.

No table ever holds two active bookings (pending, confirmed, seated) whose [starts_at, ends_at)
overlap (R3): on PostgreSQL an exclusion constraint refuses it (migration 0002), on SQLite the
service checks under the database write lock. See decision 0021.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huike.core.money import ZERO, MoneyField
from huike.core.tenancy import TenantScopedModel


class Booking(TenantScopedModel):
    """A booking (预订) of a table or room."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("booking status", "pending")
        CONFIRMED = "confirmed", pgettext_lazy("booking status", "confirmed")
        SEATED = "seated", pgettext_lazy("booking status", "seated")
        COMPLETED = "completed", pgettext_lazy("booking status", "completed")
        CANCELLED = "cancelled", pgettext_lazy("booking status", "cancelled")
        NO_SHOW = "no_show", pgettext_lazy("booking status", "no-show")

    class Occasion(models.TextChoices):
        BIRTHDAY = "birthday", pgettext_lazy("occasion", "birthday")
        BUSINESS = "business", pgettext_lazy("occasion", "business")
        FAMILY = "family", pgettext_lazy("occasion", "family")
        WEDDING = "wedding", pgettext_lazy("occasion", "wedding")
        OTHER = "other", pgettext_lazy("occasion", "other")

    class Source(models.TextChoices):
        PHONE = "phone", pgettext_lazy("booking source", "phone")
        WALK_IN = "walk_in", pgettext_lazy("booking source", "walk-in")
        ONLINE = "online", pgettext_lazy("booking source", "online")

    scope_paths = {"store": "store", "brand": "store__brand"}
    ACTIVE = (Status.PENDING, Status.CONFIRMED, Status.SEATED)

    store = models.ForeignKey(
        "org.Store", on_delete=models.PROTECT, related_name="+", verbose_name=_("store")
    )
    table = models.ForeignKey(
        "menu.DiningTable",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("table or room"),
    )
    guest = models.ForeignKey(
        "guests.Guest", on_delete=models.PROTECT, related_name="bookings", verbose_name=_("guest")
    )
    party_size = models.PositiveSmallIntegerField(_("party size"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    status_reason = models.CharField(_("status reason"), max_length=200, blank=True)
    occasion = models.CharField(_("occasion"), max_length=10, choices=Occasion.choices, blank=True)
    deposit = MoneyField(_("deposit"), default=ZERO)
    notes = models.TextField(_("notes"), blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.PHONE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("booked by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")) & Q(party_size__gte=1) & Q(deposit__gte=0),
                name="booking_slot_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "starts_at"], name="booking_store_day"),
            models.Index(fields=["table", "starts_at"], name="booking_table_time"),
        ]

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    def __str__(self):
        return f"#{self.pk} {self.starts_at:%Y-%m-%d %H:%M} ×{self.party_size}"


class BookingEvent(TenantScopedModel):
    """One step in a booking's history: created, a status change, or a move."""

    class Kind(models.TextChoices):
        CREATED = "created", pgettext_lazy("booking event", "created")
        CONFIRMED = "confirmed", pgettext_lazy("booking event", "confirmed")
        SEATED = "seated", pgettext_lazy("booking event", "seated")
        COMPLETED = "completed", pgettext_lazy("booking event", "completed")
        CANCELLED = "cancelled", pgettext_lazy("booking event", "cancelled")
        NO_SHOW = "no_show", pgettext_lazy("booking event", "no-show")
        MOVED = "moved", pgettext_lazy("booking event", "moved")

    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, related_name="events", verbose_name=_("booking")
    )
    scope_paths = {"store": "booking__store", "brand": "booking__store__brand"}

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    from_status = models.CharField(_("from status"), max_length=10, blank=True)
    to_status = models.CharField(_("to status"), max_length=10, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("booking event")
        verbose_name_plural = _("booking events")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.booking_id} {self.kind}"
