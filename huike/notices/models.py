"""Booking notices (预订通知, R5): what the guest is told about their booking, and how.

``NoticePolicy`` is the brand group's setting (the row without a store) or one store's own:
which notices go out, when the reminder goes, and the text of each. ``BookingNotice`` is one
notice of one booking with the outbox message that carries it, so the booking page shows its
delivery status; its ``dedupe_key`` is unique, so every notice is sent once.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huike.core.tenancy import TenantScopedModel

# The placeholders a notice text may use, in the order they go to the SMS gateway as template
# parameters ({1} … {7} of the template registered with Tencent Cloud).
PLACEHOLDERS = ("guest", "store", "date", "time", "party", "table", "reference")

MAX_REMINDER_MINUTES = 7 * 24 * 60

DEFAULT_TEXTS = {
    "confirmation": "{guest}您好，您在{store}{date} {time}的{party}位预订已确认，座位：{table}，"
    "预订号{reference}。如需更改请致电门店。",
    "change": "{guest}您好，您在{store}的预订已变更为{date} {time}，{party}位，座位：{table}，"
    "预订号{reference}。",
    "cancellation": "{guest}您好，您在{store}{date} {time}的预订（预订号{reference}）已取消，"
    "期待您再次光临。",
    "reminder": "{guest}您好，温馨提醒：您在{store}的预订是{date} {time}，{party}位，"
    "座位：{table}，预订号{reference}。恭候光临！",
}


class NoticeKind(models.TextChoices):
    CONFIRMATION = "confirmation", pgettext_lazy("booking notice", "confirmation")
    CHANGE = "change", pgettext_lazy("booking notice", "change")
    CANCELLATION = "cancellation", pgettext_lazy("booking notice", "cancellation")
    REMINDER = "reminder", pgettext_lazy("booking notice", "reminder")


class NoticePolicy(TenantScopedModel):
    """预订通知设置: the brand group's (no store) or one store's."""

    scope_paths = {"store": "store", "brand": "store__brand"}

    store = models.ForeignKey(
        "org.Store",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("store"),
        help_text=_("Empty: every store without a policy of its own."),
    )
    confirmation_on = models.BooleanField(_("send confirmations"), default=True)
    change_on = models.BooleanField(_("send changes"), default=True)
    cancellation_on = models.BooleanField(_("send cancellations"), default=True)
    reminder_on = models.BooleanField(_("send reminders"), default=True)
    reminder_minutes = models.PositiveIntegerField(
        _("reminder minutes before the slot"),
        default=120,
        validators=[MaxValueValidator(MAX_REMINDER_MINUTES)],
    )
    reminder_day_before_at = models.TimeField(
        _("or the day before at"),
        null=True,
        blank=True,
        help_text=_("Set: the reminder goes the day before the slot at this time (store time)."),
    )
    confirmation_text = models.TextField(
        _("confirmation text"), default=DEFAULT_TEXTS["confirmation"]
    )
    change_text = models.TextField(_("change text"), default=DEFAULT_TEXTS["change"])
    cancellation_text = models.TextField(
        _("cancellation text"), default=DEFAULT_TEXTS["cancellation"]
    )
    reminder_text = models.TextField(_("reminder text"), default=DEFAULT_TEXTS["reminder"])
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notice policy")
        verbose_name_plural = _("notice policies")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "store"],
                condition=Q(store__isnull=False),
                name="notices_policy_one_per_store",
            ),
            models.UniqueConstraint(
                fields=["tenant"],
                condition=Q(store__isnull=True),
                name="notices_policy_one_default",
            ),
            models.CheckConstraint(
                condition=Q(reminder_minutes__lte=MAX_REMINDER_MINUTES),
                name="notices_policy_reminder_in_range",
            ),
        ]

    def __str__(self):
        return str(self.store) if self.store_id else str(_("brand group default"))

    def is_on(self, kind: str) -> bool:
        return bool(getattr(self, f"{kind}_on"))

    def text(self, kind: str) -> str:
        return getattr(self, f"{kind}_text")


class BookingNotice(TenantScopedModel):
    """One notice of a booking to its guest (预订通知记录) and the message carrying it."""

    scope_paths = {"store": "booking__store", "brand": "booking__store__brand"}

    booking = models.ForeignKey(
        "reservations.Booking",
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name=_("booking"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=NoticeKind.choices)
    channel = models.CharField(_("channel"), max_length=8, blank=True)
    message = models.ForeignKey(
        "messaging.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("message"),
    )
    note = models.CharField(
        _("note"), max_length=200, blank=True, help_text=_("Why no message was sent.")
    )
    dedupe_key = models.CharField(_("dedupe key"), max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("booking notice")
        verbose_name_plural = _("booking notices")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "dedupe_key"], name="notices_booking_notice_once"
            ),
        ]

    def __str__(self):
        return f"{self.booking_id} {self.kind}"
