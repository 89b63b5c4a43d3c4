"""Membership and loyalty (会员): tiers, membership cards with their history, the append-only
ledger of points and stored value (储值, principal and bonus apart), the points lots that make
expiry and closest-to-expiry spending exact, and the top-up bonus rules.

The ledger is the truth; the balances on the card are a cache written in the same transaction
as the entries, under the card's row lock, and checked against the ledger every night
(``huike.loyalty.ledger.ledger_check``). See decision 0013.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huike.core import errors
from huike.core.money import ZERO, MoneyField
from huike.core.tenancy import TenantScopedModel


class Tier(TenantScopedModel):
    """A membership tier (会员等级). Rules for moving between tiers come later (L2)."""

    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=60)
    rank = models.PositiveSmallIntegerField(_("rank"), default=0, help_text=_("Higher is better."))

    class Meta:
        verbose_name = _("membership tier")
        verbose_name_plural = _("membership tiers")
        ordering = ["rank", "pk"]
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="tier_code_unique")]

    def __str__(self):
        return self.name


class MembershipCard(TenantScopedModel):
    """A membership card (会员卡). A guest may hold several. The three balances are a cache of
    the ledger's sums, never negative (database CHECK constraints)."""

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("card status", "active")
        FROZEN = "frozen", pgettext_lazy("card status", "frozen")
        LOST = "lost", pgettext_lazy("card status", "lost")
        EXPIRED = "expired", pgettext_lazy("card status", "expired")

    number = models.CharField(_("card number"), max_length=40)
    guest = models.ForeignKey(
        "guests.Guest", on_delete=models.PROTECT, related_name="cards", verbose_name=_("guest")
    )
    tier = models.ForeignKey(
        Tier,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cards",
        verbose_name=_("tier"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    store = models.ForeignKey(
        "org.Store", on_delete=models.PROTECT, related_name="+", verbose_name=_("issuing store")
    )
    signed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("signed up by"),
    )
    issued_at = models.DateTimeField(_("issued at"))
    replaced_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaces",
        verbose_name=_("replaced by"),
    )
    # The cache of the ledger (checked nightly against it).
    points_balance = models.BigIntegerField(_("points"), default=0)
    principal_balance = MoneyField(_("stored value (principal)"), default=ZERO)
    bonus_balance = MoneyField(_("stored value (bonus)"), default=ZERO)

    class Meta:
        verbose_name = _("membership card")
        verbose_name_plural = _("membership cards")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="card_number_unique"),
            models.CheckConstraint(
                condition=Q(points_balance__gte=0), name="card_points_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(principal_balance__gte=0), name="card_principal_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(bonus_balance__gte=0), name="card_bonus_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="card_validity_ordered",
            ),
        ]
        indexes = [models.Index(fields=["guest"], name="card_guest")]

    def __str__(self):
        return self.number

    def audit_label(self) -> str:
        return self.number

    @property
    def stored_value(self):
        return self.principal_balance + self.bonus_balance


class CardEvent(TenantScopedModel):
    """One step of a card's life (issued, frozen, unfrozen, reported lost, replaced, expired)."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("issued")
        FROZEN = "frozen", pgettext_lazy("card status", "frozen")
        UNFROZEN = "unfrozen", _("unfrozen")
        LOST = "lost", _("reported lost")
        REPLACED = "replaced", _("replaced")
        REPLACEMENT = "replacement", _("issued as a replacement")
        EXPIRED = "expired", pgettext_lazy("card status", "expired")

    card = models.ForeignKey(MembershipCard, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    related_card = models.ForeignKey(
        MembershipCard, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("who"),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("card event")
        verbose_name_plural = _("card events")
        ordering = ["created_at", "pk"]


class LedgerEntry(TenantScopedModel):
    """One movement of value on a card (积分/储值流水). Append-only: never updated or deleted
    (the model refuses; on PostgreSQL a trigger refuses too). Points move in ``points``
    (integers), stored value in ``amount`` (CNY), each entry of one kind only."""

    class Kind(models.TextChoices):
        POINTS = "points", _("points")
        PRINCIPAL = "principal", _("stored value (principal)")
        BONUS = "bonus", _("stored value (bonus)")

    class Cause(models.TextChoices):
        ORDER = "order", pgettext_lazy("ledger cause", "order")
        TOP_UP = "top_up", pgettext_lazy("ledger cause", "top-up")
        SPEND = "spend", pgettext_lazy("ledger cause", "spend")
        REFUND = "refund", pgettext_lazy("ledger cause", "refund")
        REDEMPTION = "redemption", pgettext_lazy("ledger cause", "redemption")
        EXPIRY = "expiry", pgettext_lazy("ledger cause", "expiry")
        ADJUSTMENT = "adjustment", pgettext_lazy("ledger cause", "adjustment")
        TRANSFER = "transfer", pgettext_lazy("ledger cause", "transfer")

    card = models.ForeignKey(MembershipCard, on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    points = models.BigIntegerField(_("points"), default=0)
    amount = MoneyField(_("amount"), default=ZERO)
    cause = models.CharField(_("cause"), max_length=20, choices=Cause.choices)
    reference = models.CharField(
        _("reference"),
        max_length=64,
        blank=True,
        help_text=_("What caused it: the POS order number, the till's receipt, …"),
    )
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    related_card = models.ForeignKey(
        MembershipCard, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    operation = models.UUIDField(
        _("operation"), default=uuid.uuid4, help_text=_("Entries written together.")
    )
    store = models.ForeignKey(
        "org.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("who"),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="points", amount=0) & ~Q(points=0))
                | (Q(kind__in=["principal", "bonus"], points=0) & ~Q(amount=0)),
                name="ledger_one_kind_nonzero",
            ),
        ]
        indexes = [
            models.Index(fields=["card", "-created_at"], name="ledger_card_time"),
            models.Index(fields=["card", "kind"], name="ledger_card_kind"),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise errors.Conflict(_("Ledger entries are append-only."), code="ledger_append_only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise errors.Conflict(_("Ledger entries are append-only."), code="ledger_append_only")

    @property
    def value(self):
        return self.points if self.kind == self.Kind.POINTS else self.amount


class PointsLot(TenantScopedModel):
    """Points earned together with one expiry date (积分批次). Spending and expiry take from the
    lots closest to expiry first; the sum of ``remaining`` equals the card's points balance."""

    card = models.ForeignKey(MembershipCard, on_delete=models.PROTECT, related_name="points_lots")
    points = models.BigIntegerField(_("points earned"))
    remaining = models.BigIntegerField(_("points remaining"))
    expires_on = models.DateField(_("expires on"))
    entry = models.ForeignKey(
        LedgerEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("points lot")
        verbose_name_plural = _("points lots")
        ordering = ["expires_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(remaining__gte=0) & Q(remaining__lte=models.F("points")),
                name="lot_remaining_in_range",
            ),
        ]
        indexes = [
            models.Index(
                fields=["card", "expires_on"],
                condition=Q(remaining__gt=0),
                name="lot_open_by_expiry",
            ),
            models.Index(
                fields=["expires_on"], condition=Q(remaining__gt=0), name="lot_open_expiry"
            ),
        ]


class TopUpRule(TenantScopedModel):
    """A top-up bonus tier (充值赠送): pay at least ``pay_at_least``, get ``bonus`` on top. Rules
    of the card's brand (its issuing store's) apply when it has any; otherwise the brand
    group's rules (no brand). The highest rule reached applies, once per top-up."""

    brand = models.ForeignKey(
        "org.Brand",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("brand"),
        help_text=_("Empty: every brand without rules of its own."),
    )
    pay_at_least = MoneyField(_("pay at least"))
    bonus = MoneyField(_("bonus"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("top-up bonus rule")
        verbose_name_plural = _("top-up bonus rules")
        ordering = ["brand", "pay_at_least"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pay_at_least__gt=0) & Q(bonus__gte=0), name="topup_rule_positive"
            ),
        ]

    def __str__(self):
        return f"{self.pay_at_least} → +{self.bonus}"
