"""Points for gifts (积分换礼): the gift catalogue with its stock, and each redemption.

A redemption spends the card's points through the loyalty ledger (cause ``gift``) and takes
the stock in the same transaction; cancelling it gives both back once. See decision 0017.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huike.core.tenancy import TenantScopedModel


class Gift(TenantScopedModel):
    """A gift in the catalogue (礼品). Offered at every store of the brand group, or of one
    brand, or at the stores listed."""

    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    points_cost = models.PositiveIntegerField(_("points each"))
    stock = models.IntegerField(_("stock"), default=0)
    active = models.BooleanField(_("active"), default=True)
    brand = models.ForeignKey(
        "org.Brand",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("brand"),
        help_text=_("Empty: every brand."),
    )
    stores = models.ManyToManyField(
        "org.Store",
        blank=True,
        related_name="+",
        verbose_name=_("stores"),
        help_text=_("Empty: every store (of the brand)."),
    )
    sort_order = models.SmallIntegerField(_("sort order"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("gift")
        verbose_name_plural = _("gifts")
        ordering = ["sort_order", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="gift_name_unique"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="gift_stock_not_negative"),
            models.CheckConstraint(condition=Q(points_cost__gt=0), name="gift_cost_positive"),
        ]

    def __str__(self):
        return self.name

    def offered_at(self, store) -> bool:
        """Whether the gift may be redeemed at ``store`` (its brand, its store list)."""
        if self.brand_id is not None and store.brand_id != self.brand_id:
            return False
        store_ids = {s.pk for s in self.stores.all()}
        return not store_ids or store.pk in store_ids


class GiftRedemption(TenantScopedModel):
    """One redemption of points for a gift (兑换记录): who, which card, how many, where, and the
    ledger operation that spent the points; cancelled at most once."""

    class Status(models.TextChoices):
        REDEEMED = "redeemed", pgettext_lazy("gift redemption", "redeemed")
        CANCELLED = "cancelled", pgettext_lazy("gift redemption", "cancelled")

    gift = models.ForeignKey(
        Gift, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("gift")
    )
    card = models.ForeignKey(
        "loyalty.MembershipCard",
        on_delete=models.PROTECT,
        related_name="gift_redemptions",
        verbose_name=_("membership card"),
    )
    guest = models.ForeignKey(
        "guests.Guest", on_delete=models.PROTECT, related_name="+", verbose_name=_("guest")
    )
    qty = models.PositiveIntegerField(_("quantity"))
    points = models.BigIntegerField(_("points"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REDEEMED
    )
    store = models.ForeignKey(
        "org.Store", on_delete=models.PROTECT, related_name="+", verbose_name=_("store")
    )
    reference = models.CharField(_("reference"), max_length=64)
    operation = models.UUIDField(_("ledger operation"))
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("redeemed by"),
    )
    redeemed_at = models.DateTimeField(_("redeemed at"))
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    refund_operation = models.UUIDField(_("ledger operation of the refund"), null=True, blank=True)

    scope_paths = {"store": "store", "brand": "store__brand"}

    class Meta:
        verbose_name = _("gift redemption")
        verbose_name_plural = _("gift redemptions")
        ordering = ["-redeemed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(qty__gt=0) & Q(points__gt=0), name="gift_redemption_positive"
            ),
            models.CheckConstraint(
                condition=(Q(status="redeemed") & Q(cancelled_at__isnull=True))
                | (Q(status="cancelled") & Q(cancelled_at__isnull=False)),
                name="gift_redemption_cancelled_at",
            ),
            models.UniqueConstraint(
                fields=["tenant", "reference"], name="gift_redemption_reference_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["card", "-redeemed_at"], name="gift_redemption_card"),
            models.Index(fields=["gift", "-redeemed_at"], name="gift_redemption_gift"),
        ]

    def __str__(self):
        return self.reference

    def audit_label(self) -> str:
        return self.reference
