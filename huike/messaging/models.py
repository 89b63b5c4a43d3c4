"""The outbox (发件箱): every message to a guest is a row here before any gateway sees it.

A row is written in the caller's transaction (``services.message_enqueue``) and sent by a job
after commit; its status moves queued → sending → sent → delivered, or to failed with the
reason. The dedupe key makes enqueueing the same message twice store it once.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from huike.core.tenancy import TenantScopedModel


class Message(TenantScopedModel):
    """消息 (发件箱中的一条)."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Email")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    recipient = models.CharField(
        _("recipient"), max_length=254, help_text=_("E.164 phone number or email address")
    )
    purpose = models.CharField(
        _("purpose"), max_length=64, help_text=_("Template code, e.g. loyalty.coupon_issued")
    )
    params = models.JSONField(_("template parameters"), default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    reference = models.CharField(
        _("about"),
        max_length=100,
        blank=True,
        help_text=_("What it is about, e.g. loyalty.coupon:123"),
    )
    dedupe_key = models.CharField(_("dedupe key"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    provider = models.CharField(_("provider"), max_length=32, blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=100, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "dedupe_key"], name="messaging_message_dedupe_per_tenant"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "sending", "sent", "delivered", "failed"]),
                name="messaging_message_status_known",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "next_attempt_at"], name="messaging_due"),
            models.Index(fields=["provider", "provider_message_id"], name="messaging_provider_id"),
            models.Index(fields=["tenant", "-created_at"], name="messaging_recent"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.purpose} #{self.pk}"

    @property
    def client_reference(self) -> str:
        """What the gateway gets as our own reference for this message (its SessionContext):
        the same on every attempt, so the gateway can recognise a repeat."""
        return f"huike:{self.tenant_id}:{self.pk}"
