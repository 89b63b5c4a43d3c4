"""Telephony (来电弹屏, R2): the lines a PBX posts calls for, and the calls it posted.

A line belongs to one store and holds the shared secret its PBX signs webhook calls with
(decision 0023). An incoming call is stored once per line and PBX call id, with the caller in
E.164 when the number is valid, else as the PBX sent it.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from huike.core.tenancy import TenantScopedModel


def new_secret() -> str:
    return secrets.token_hex(32)


class TelephonyLine(TenantScopedModel):
    """A PBX line (trunk or queue) ringing at one store's reservation desk."""

    store = models.ForeignKey(
        "org.Store", on_delete=models.PROTECT, related_name="+", verbose_name=_("store")
    )
    name = models.CharField(_("name"), max_length=60)
    code = models.SlugField(_("code"), max_length=40, help_text=_("What the PBX sends."))
    secret = models.CharField(_("shared secret"), max_length=128, default=new_secret)
    # After a rotation the old secret still signs until ``previous_secret_until``, so the PBX
    # can be given the new one without a missed call.
    previous_secret = models.CharField(_("previous secret"), max_length=128, blank=True)
    previous_secret_until = models.DateTimeField(
        _("previous secret valid until"), null=True, blank=True
    )
    secret_rotated_at = models.DateTimeField(_("secret rotated at"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    scope_paths = {"store": "store", "brand": "store__brand"}

    class Meta:
        verbose_name = _("telephone line")
        verbose_name_plural = _("telephone lines")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="telephony_line_code_unique")
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def secrets_valid_at(self, now) -> list[str]:
        """The secrets that sign for this line at ``now``: its own, and the previous one
        during the grace period after a rotation."""
        valid = [self.secret]
        if self.previous_secret and self.previous_secret_until and now < self.previous_secret_until:
            valid.append(self.previous_secret)
        return valid


class IncomingCall(TenantScopedModel):
    """One ringing inbound call as the PBX reported it."""

    class Source(models.TextChoices):
        WEBHOOK = "webhook", _("Webhook")
        AMI = "ami", _("Asterisk AMI")

    line = models.ForeignKey(
        TelephonyLine,
        on_delete=models.PROTECT,
        related_name="calls",
        verbose_name=_("telephone line"),
    )
    store = models.ForeignKey(
        "org.Store", on_delete=models.PROTECT, related_name="+", verbose_name=_("store")
    )
    call_id = models.CharField(_("call id"), max_length=100)
    caller = models.CharField(_("caller"), max_length=40, blank=True)
    caller_valid = models.BooleanField(_("caller number valid"), default=False)
    called = models.CharField(_("called number"), max_length=40, blank=True)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    guest = models.ForeignKey(
        "guests.Guest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("guest"),
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)

    scope_paths = {"store": "store", "brand": "store__brand"}

    class Meta:
        verbose_name = _("incoming call")
        verbose_name_plural = _("incoming calls")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["line", "call_id"], name="telephony_call_id_unique")
        ]

    def __str__(self):
        return f"{self.caller} → {self.line.code} ({self.call_id})"
