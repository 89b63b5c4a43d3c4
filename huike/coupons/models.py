"""Coupons (优惠券/代金券, SPEC L7): the templates marketing designs, the coupons issued to guests
from them (each with a unique, unguessable code that its QR code carries), and the append-only
log of every coupon's life, which is the coupon part of the ledger (L8). See decision 0015.
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

MONEY_KINDS = ("cash", "referral")
DISH_KINDS = ("free_dish", "trial", "spend_gift")


class CouponTemplate(TenantScopedModel):
    """A kind of coupon (券模板) with its value, rules and validity; coupons are issued from it."""

    class Kind(models.TextChoices):
        CASH = "cash", _("cash voucher")
        PERCENT = "percent", _("percent off")
        FREE_DISH = "free_dish", _("free dish")
        TRIAL = "trial", _("new-dish trial")
        SPEND_GIFT = "spend_gift", _("gift with spend")
        REFERRAL = "referral", _("referral reward")

    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    face_value = MoneyField(_("face value"), null=True, blank=True)
    percent_off = models.PositiveSmallIntegerField(
        _("percent off"), null=True, blank=True, help_text=_("12 means 12% off.")
    )
    max_discount = MoneyField(_("at most"), null=True, blank=True)
    dish = models.ForeignKey(
        "menu.Dish",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("dish"),
    )
    min_spend = MoneyField(_("minimum spend"), default=ZERO)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    valid_days = models.PositiveIntegerField(_("valid for days"), null=True, blank=True)
    wait_days = models.PositiveIntegerField(_("usable after days"), default=0)
    stores = models.ManyToManyField(
        "org.Store", blank=True, related_name="+", verbose_name=_("stores")
    )
    total_limit = models.PositiveIntegerField(_("total limit"), null=True, blank=True)
    per_guest_limit = models.PositiveIntegerField(_("limit per guest"), null=True, blank=True)
    issued_count = models.PositiveIntegerField(_("issued"), default=0)
    stacks_with_member_pricing = models.BooleanField(_("stacks with member pricing"), default=False)
    stacks_with_other_coupons = models.BooleanField(_("stacks with other coupons"), default=False)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("coupon template")
        verbose_name_plural = _("coupon templates")
        ordering = ["-active", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=MONEY_KINDS) | Q(face_value__gt=0),
                name="coupon_tpl_face_value",
            ),
            models.CheckConstraint(
                condition=~Q(kind="percent") | Q(percent_off__gte=1, percent_off__lte=99),
                name="coupon_tpl_percent_off",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=DISH_KINDS) | Q(dish__isnull=False),
                name="coupon_tpl_dish",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=False) | Q(valid_days__gt=0),
                name="coupon_tpl_validity",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="coupon_tpl_validity_ordered",
            ),
            models.CheckConstraint(
                condition=Q(min_spend__gte=0)
                & (Q(max_discount__isnull=True) | Q(max_discount__gt=0)),
                name="coupon_tpl_amounts",
            ),
            models.CheckConstraint(
                condition=Q(total_limit__isnull=True)
                | Q(issued_count__lte=models.F("total_limit")),
                name="coupon_tpl_within_limit",
            ),
        ]

    def __str__(self):
        return self.name

    def audit_label(self) -> str:
        return self.name


class Coupon(TenantScopedModel):
    """One issued coupon (已发放的券) of a guest. Its code is unique in the whole database and
    unguessable; it is redeemed (核销) at most once."""

    class Status(models.TextChoices):
        ISSUED = "issued", pgettext_lazy("coupon status", "unused")
        REDEEMED = "redeemed", pgettext_lazy("coupon status", "used")
        VOIDED = "voided", pgettext_lazy("coupon status", "voided")
        EXPIRED = "expired", pgettext_lazy("coupon status", "expired")

    class Source(models.TextChoices):
        MANUAL = "manual", _("issued by hand")
        CAMPAIGN = "campaign", _("campaign")
        ORDER_RETURN = "order_return", _("spend reward")
        REFERRAL = "referral", _("referral")
        TOP_UP_GIFT = "top_up_gift", _("top-up gift")
        OTHER = "other", _("other")

    code = models.CharField(_("code"), max_length=16)
    template = models.ForeignKey(
        CouponTemplate, on_delete=models.PROTECT, related_name="coupons", verbose_name=_("template")
    )
    guest = models.ForeignKey(
        "guests.Guest", on_delete=models.PROTECT, related_name="coupons", verbose_name=_("guest")
    )
    card = models.ForeignKey(
        "loyalty.MembershipCard",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coupons",
        verbose_name=_("membership card"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ISSUED
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued_store = models.ForeignKey(
        "org.Store",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issuing store"),
    )
    source = models.CharField(
        _("source"), max_length=12, choices=Source.choices, default=Source.MANUAL
    )
    source_reference = models.CharField(_("source reference"), max_length=64, blank=True)
    redeemed_at = models.DateTimeField(_("used at"), null=True, blank=True)
    redeemed_store = models.ForeignKey(
        "org.Store",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("used at store"),
    )
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("redeemed by"),
    )
    redeemed_order = models.ForeignKey(
        "orders.Order",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coupons",
        verbose_name=_("order"),
    )
    redeemed_value = MoneyField(_("value used"), null=True, blank=True)

    class Meta:
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            # Unique in the whole database: the public page finds a coupon by its code alone.
            models.UniqueConstraint(fields=["code"], name="coupon_code_unique"),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")),
                name="coupon_validity_ordered",
            ),
            models.CheckConstraint(
                condition=Q(status="redeemed", redeemed_at__isnull=False)
                | (~Q(status="redeemed") & Q(redeemed_at__isnull=True)),
                name="coupon_redeemed_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["guest", "-issued_at"], name="coupon_guest"),
            models.Index(fields=["template", "guest"], name="coupon_template_guest"),
            models.Index(
                fields=["valid_until"], condition=Q(status="issued"), name="coupon_open_until"
            ),
        ]

    def __str__(self):
        return self.code

    def audit_label(self) -> str:
        return self.code


class CouponEvent(TenantScopedModel):
    """One step of a coupon's life (发放、核销、作废、过期): the coupon ledger. Append-only: the
    model refuses changes and deletes; on PostgreSQL a trigger refuses them too."""

    class Kind(models.TextChoices):
        ISSUED = "issued", pgettext_lazy("coupon event", "issued")
        REDEEMED = "redeemed", pgettext_lazy("coupon event", "redeemed")
        VOIDED = "voided", pgettext_lazy("coupon event", "voided")
        EXPIRED = "expired", pgettext_lazy("coupon event", "expired")

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("who"),
    )
    store = models.ForeignKey(
        "org.Store",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("store"),
    )
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    value = MoneyField(_("value"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    operation = models.UUIDField(_("operation"), default=uuid.uuid4)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("coupon event")
        verbose_name_plural = _("coupon events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["coupon", "created_at"], name="coupon_event_time")]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise errors.Conflict(_("Coupon events are append-only."), code="ledger_append_only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise errors.Conflict(_("Coupon events are append-only."), code="ledger_append_only")
