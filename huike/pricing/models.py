"""Member pricing (会员价与优惠, SPEC L4): member prices per dish and tier, and the rules that
discount an order — percent off discountable dishes (折扣), spend-X-save-Y (满减) and
spend-X-get-a-coupon-back (满返). ``huike.pricing.pricing.price_order`` applies them; see
decision 0018 for how they stack."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huike.core.money import MoneyField
from huike.core.tenancy import TenantScopedModel


class MemberPrice(TenantScopedModel):
    """A dish's member price (会员价) for one tier, or (no tier) for every member."""

    dish = models.ForeignKey(
        "menu.Dish", on_delete=models.CASCADE, related_name="+", verbose_name=_("dish")
    )
    tier = models.ForeignKey(
        "loyalty.Tier",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tier"),
        help_text=_("Empty: every member."),
    )
    price = MoneyField(_("member price"))

    class Meta:
        verbose_name = _("member price")
        verbose_name_plural = _("member prices")
        ordering = ["dish__code", "tier__rank", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="memberprice_not_negative"),
            models.UniqueConstraint(
                fields=["tenant", "dish", "tier"],
                condition=Q(tier__isnull=False),
                name="memberprice_dish_tier_unique",
            ),
            models.UniqueConstraint(
                fields=["tenant", "dish"],
                condition=Q(tier__isnull=True),
                name="memberprice_dish_all_unique",
            ),
        ]

    def __str__(self):
        return f"{self.dish_id}/{self.tier_id or '*'}: {self.price}"

    def clean(self):
        if self.price is not None and self.price < 0:
            raise ValidationError({"price": _("Must not be negative.")})


class PricingRule(TenantScopedModel):
    """An order discount rule (优惠规则) of a brand (or, no brand, of every brand without rules
    of that kind of its own), for one tier or (no tier) every member."""

    class Kind(models.TextChoices):
        PERCENT_OFF = "percent_off", _("percent off (折扣)")
        SPEND_SAVE = "spend_save", _("spend and save (满减)")
        SPEND_RETURN = "spend_return", _("spend and get a coupon (满返)")

    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    brand = models.ForeignKey(
        "org.Brand",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("brand"),
        help_text=_("Empty: every brand without rules of this kind of its own."),
    )
    tier = models.ForeignKey(
        "loyalty.Tier",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tier"),
        help_text=_("Empty: every member."),
    )
    percent_off = models.PositiveSmallIntegerField(
        _("percent off"), null=True, blank=True, help_text=_("1–99; 5 is 9.5折.")
    )
    threshold = MoneyField(_("spend at least"), null=True, blank=True)
    save_amount = MoneyField(_("save"), null=True, blank=True)
    repeat = models.BooleanField(
        _("for every full amount (每满)"),
        default=False,
        help_text=_("Save or return again for each full threshold spent."),
    )
    return_template = models.ForeignKey(
        "coupons.CouponTemplate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("coupon returned"),
    )
    active = models.BooleanField(_("active"), default=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("pricing rule")
        verbose_name_plural = _("pricing rules")
        ordering = ["kind", "brand", "tier", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="percent_off",
                        percent_off__gte=1,
                        percent_off__lte=99,
                        threshold__isnull=True,
                        save_amount__isnull=True,
                        return_template__isnull=True,
                    )
                    | Q(
                        kind="spend_save",
                        percent_off__isnull=True,
                        threshold__gt=0,
                        save_amount__gt=0,
                        save_amount__lt=models.F("threshold"),
                        return_template__isnull=True,
                    )
                    | Q(
                        kind="spend_return",
                        percent_off__isnull=True,
                        threshold__gt=0,
                        save_amount__isnull=True,
                        return_template__isnull=False,
                    )
                ),
                name="pricingrule_fields_of_kind",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="pricingrule_validity_ordered",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        """Field errors for what the CHECK constraints refuse."""
        errs: dict[str, str] = {}
        required = _("This field is required.")
        unused = _("Leave this empty for this kind of rule.")
        kind = self.kind
        uses = {
            "percent_off": kind == self.Kind.PERCENT_OFF,
            "threshold": kind in (self.Kind.SPEND_SAVE, self.Kind.SPEND_RETURN),
            "save_amount": kind == self.Kind.SPEND_SAVE,
            "return_template": kind == self.Kind.SPEND_RETURN,
        }
        for name, used in uses.items():
            value = getattr(self, f"{name}_id" if name == "return_template" else name)
            if used and value is None:
                errs[name] = required
            elif not used and value is not None:
                errs[name] = unused
        if uses["percent_off"] and self.percent_off is not None:
            if not 1 <= self.percent_off <= 99:
                errs["percent_off"] = _("Between 1 and 99.")
        if uses["threshold"] and self.threshold is not None and self.threshold <= 0:
            errs["threshold"] = _("Must be more than %(n)s.") % {"n": 0}
        if uses["save_amount"] and self.save_amount is not None:
            if self.save_amount <= 0:
                errs["save_amount"] = _("Must be more than %(n)s.") % {"n": 0}
            elif self.threshold is not None and self.save_amount >= self.threshold:
                errs["save_amount"] = _("Must be less than the amount to spend.")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errs["valid_until"] = _("The end must not be before the start.")
        if errs:
            raise ValidationError(errs)
