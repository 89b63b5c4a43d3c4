"""Competitors and partners (G6, 竞争对手与合作伙伴): their records, dated notes, and the dishes
they sell with prices, each optionally linked to our comparable dish for the price comparison."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huike.core.money import MoneyField
from huike.core.tenancy import TenantScopedModel


class Competitor(TenantScopedModel):
    """A competitor (竞争对手) or partner (合作伙伴) restaurant."""

    class Kind(models.TextChoices):
        COMPETITOR = "competitor", _("competitor")
        PARTNER = "partner", _("partner")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.COMPETITOR)
    name = models.CharField(_("name"), max_length=80)
    brand = models.CharField(_("brand"), max_length=80, blank=True)
    cuisine = models.CharField(_("cuisine"), max_length=40, blank=True)
    city = models.CharField(_("city"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    average_spend = MoneyField(_("average spend per head"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), max_length=200, blank=True)
    notes = models.TextField(
        _("notes"), max_length=2000, blank=True, validators=[MaxLengthValidator(2000)]
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("competitor or partner")
        verbose_name_plural = _("competitors and partners")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name", "city"], name="competitor_unique"),
            models.CheckConstraint(
                condition=Q(average_spend__gte=0) | Q(average_spend__isnull=True),
                name="competitor_average_spend_not_negative",
            ),
        ]

    def __str__(self):
        return self.name


class CompetitorNote(TenantScopedModel):
    """A dated note on a competitor (who wrote it, and when): a visit, a promotion seen …"""

    competitor = models.ForeignKey(
        Competitor,
        on_delete=models.CASCADE,
        related_name="dated_notes",
        verbose_name=_("competitor"),
    )
    text = models.TextField(_("note"), max_length=2000, validators=[MaxLengthValidator(2000)])
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("competitor note")
        verbose_name_plural = _("competitor notes")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.text[:40]


class CompetitorDish(TenantScopedModel):
    """A dish a competitor sells, at the price seen on ``observed_at``; ``our_dish`` is our
    comparable dish (菜品对标), which puts it on the comparison page."""

    competitor = models.ForeignKey(
        Competitor, on_delete=models.CASCADE, related_name="dishes", verbose_name=_("competitor")
    )
    name = models.CharField(_("name"), max_length=80)
    category = models.CharField(_("category"), max_length=40, blank=True)
    price = MoneyField(_("price"))
    observed_at = models.DateField(_("observed on"))
    our_dish = models.ForeignKey(
        "menu.Dish",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("our comparable dish"),
    )

    class Meta:
        verbose_name = _("competitor dish")
        verbose_name_plural = _("competitor dishes")
        ordering = ["name", "-observed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=0), name="competitordish_price_not_negative"
            ),
        ]

    def __str__(self):
        return self.name
