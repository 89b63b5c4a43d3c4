"""The waitlist (候位/等位, R4): a party that could not be booked, waiting for a table at a store on
a day between an earliest and a latest start. The next free slot is offered to it; accepting
the offer books it through ``reservations.services.booking_create``.

waiting → offered → booked, or cancelled / expired. See decision 0025.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huike.core.tenancy import TenantScopedModel


class WaitlistEntry(TenantScopedModel):
    """A party on a store's waitlist (候位)."""

    class Status(models.TextChoices):
        WAITING = "waiting", pgettext_lazy("waitlist status", "waiting")
        OFFERED = "offered", pgettext_lazy("waitlist status", "offered")
        BOOKED = "booked", pgettext_lazy("waitlist status", "booked")
        CANCELLED = "cancelled", pgettext_lazy("waitlist status", "cancelled")
        EXPIRED = "expired", pgettext_lazy("waitlist status", "expired")

    scope_paths = {"store": "store", "brand": "store__brand"}
    OPEN = (Status.WAITING, Status.OFFERED)

    store = models.ForeignKey(
        "org.Store", on_delete=models.PROTECT, related_name="+", verbose_name=_("store")
    )
    guest = models.ForeignKey(
        "guests.Guest",
        on_delete=models.PROTECT,
        related_name="waitlist_entries",
        verbose_name=_("guest"),
    )
    party_size = models.PositiveSmallIntegerField(_("party size"))
    day = models.DateField(_("day"))
    earliest = models.TimeField(_("earliest start"))
    latest = models.TimeField(_("latest start"))
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    status_reason = models.CharField(_("status reason"), max_length=200, blank=True)
    offered_table = models.ForeignKey(
        "menu.DiningTable",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("offered table"),
    )
    offered_starts_at = models.DateTimeField(_("offered start"), null=True, blank=True)
    offered_ends_at = models.DateTimeField(_("offered end"), null=True, blank=True)
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    offer_message = models.ForeignKey(
        "messaging.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("offer texted to the guest"),
    )
    booking = models.OneToOneField(
        "reservations.Booking",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="waitlist_entry",
        verbose_name=_("booking"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist entries")
        ordering = ["day", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latest__gte=F("earliest")) & Q(party_size__gte=1),
                name="waitlist_window_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="booked") | Q(booking__isnull=False),
                name="waitlist_booked_has_booking",
            ),
        ]
        indexes = [models.Index(fields=["store", "day", "status"], name="waitlist_store_day")]

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def __str__(self):
        return f"#{self.pk} {self.day} {self.earliest:%H:%M}–{self.latest:%H:%M} ×{self.party_size}"
