"""Table bookings (订台, R1): a booking of a guest's party at a store's table or private room
for a time slot, with its status history.

No table ever holds two active bookings (pending, confirmed, seated) whose [starts_at, ends_at)
overlap (R3): on PostgreSQL an exclusion constraint refuses it (migration 0002), on SQLite the
service checks under the database write lock. See decision 0021.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
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


SLOT_MINUTES = (15, 30, 60)


def validate_turn_times(value) -> None:
    """``[[max_party, minutes], …]``: party sizes strictly ascending, minutes positive (at most
    12 hours). A party larger than the last size takes the last entry's minutes."""
    if not isinstance(value, list):
        raise ValidationError(_("Turn times must be a list of party sizes and minutes."))
    previous = 0
    for entry in value:
        if (
            not isinstance(entry, list | tuple)
            or len(entry) != 2
            or not all(isinstance(n, int) and not isinstance(n, bool) for n in entry)
        ):
            raise ValidationError(
                _("A turn time is a party size and minutes, like 4 and 90."), code="turn_format"
            )
        size, minutes = entry
        if size <= previous:
            raise ValidationError(
                _("Party sizes of the turn times must be positive and ascending."),
                code="turn_order",
            )
        if not 1 <= minutes <= 720:
            raise ValidationError(
                _("A turn time is between 1 and 720 minutes."), code="turn_minutes"
            )
        previous = size


class BookingRule(TenantScopedModel):
    """The booking rules (订台规则) of a store, or of one floor area of it (an area's rule
    replaces the store's for that area's tables): the slot grid, how long a party keeps its
    table, how many may start per slot, how soon and how far ahead guests may book, the
    cancellation cut-off and capacity held back for some guests. See decision 0024."""

    scope_paths = {"store": "store", "brand": "store__brand"}

    store = models.ForeignKey(
        "org.Store", on_delete=models.CASCADE, related_name="+", verbose_name=_("store")
    )
    area = models.ForeignKey(
        "menu.FloorArea",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("floor area"),
        help_text=_("Empty for the whole store; an area's rule replaces the store's there."),
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot length (minutes)"),
        default=30,
        choices=[(m, str(m)) for m in SLOT_MINUTES],
    )
    turn_times = models.JSONField(
        _("turn times"),
        default=list,
        blank=True,
        validators=[validate_turn_times],
        help_text=_("How long a party keeps its table, by party size."),
    )
    max_covers_per_slot = models.PositiveIntegerField(
        _("most guests starting per slot"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty for no limit."),
    )
    max_parties_per_slot = models.PositiveIntegerField(
        _("most parties starting per slot"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty for no limit."),
    )
    min_lead_minutes = models.PositiveIntegerField(_("book at least (minutes ahead)"), default=0)
    max_days_ahead = models.PositiveIntegerField(
        _("book at most (days ahead)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty for no limit."),
    )
    cancel_cutoff_hours = models.PositiveIntegerField(
        _("cancellation cut-off (hours before)"),
        null=True,
        blank=True,
        help_text=_("Empty for none. After it only staff allowed to override rules may cancel."),
    )
    held_covers = models.PositiveIntegerField(
        _("guests held back per slot"),
        default=0,
        help_text=_("Kept for the guests below; needs a most guests per slot."),
    )
    held_tables = models.ManyToManyField(
        "menu.DiningTable",
        blank=True,
        related_name="+",
        verbose_name=_("tables held back"),
    )
    held_for_tags = models.ManyToManyField(
        "guests.GuestTag",
        blank=True,
        related_name="+",
        verbose_name=_("held for guests tagged"),
    )
    held_for_tiers = models.ManyToManyField(
        "loyalty.Tier",
        blank=True,
        related_name="+",
        verbose_name=_("held for membership tiers"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("booking rule")
        verbose_name_plural = _("booking rules")
        ordering = ["store", "area__sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["store"], condition=Q(area__isnull=True), name="bookingrule_store_unique"
            ),
            models.UniqueConstraint(fields=["store", "area"], name="bookingrule_area_unique"),
            models.CheckConstraint(
                condition=Q(slot_minutes__in=SLOT_MINUTES), name="bookingrule_slot_minutes"
            ),
        ]

    def __str__(self):
        return f"{self.store_id}:{self.area_id or '*'}"

    def turn_minutes(self, party_size: int) -> int | None:
        """The minutes a party of this size keeps its table (None: no turn times set)."""
        for size, minutes in self.turn_times or []:
            if party_size <= size:
                return minutes
        return self.turn_times[-1][1] if self.turn_times else None
