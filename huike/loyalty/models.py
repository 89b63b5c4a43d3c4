"""Membership and loyalty (会员): tiers, membership cards with their history, the append-only
ledger of points and stored value (储值, principal and bonus apart), the points lots that make
expiry and closest-to-expiry spending exact, and the top-up bonus rules.

The ledger is the truth; the balances on the card are a cache written in the same transaction
as the entries, under the card's row lock, and checked against the ledger every night
(``huike.loyalty.ledger.ledger_check``). See decision 0013.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huike.core import errors
from huike.core.money import CENT, ZERO, MoneyField
from huike.core.tenancy import TenantScopedModel


class Tier(TenantScopedModel):
    """A membership tier (会员等级) with its qualification rules and benefits (L2)."""

    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=60)
    rank = models.PositiveSmallIntegerField(_("rank"), default=0, help_text=_("Higher is better."))
    # Qualification (L2): reaching any one threshold in the rolling window qualifies; a tier
    # without thresholds is a base tier every card qualifies for (decision 0016).
    qualify_points = models.PositiveIntegerField(
        _("points earned to qualify"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    qualify_spend = MoneyField(
        _("spend to qualify"), null=True, blank=True, validators=[MinValueValidator(CENT)]
    )
    qualify_visits = models.PositiveIntegerField(
        _("visits to qualify"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    window_days = models.PositiveSmallIntegerField(
        _("window (days)"),
        default=365,
        validators=[MinValueValidator(1), MaxValueValidator(3660)],
        help_text=_("The rolling window the thresholds are measured in, ending today."),
    )
    benefits = models.TextField(_("benefits"), blank=True, help_text=_("Shown to staff."))
    points_multiplier = models.DecimalField(
        _("points multiplier"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    class Meta:
        verbose_name = _("membership tier")
        verbose_name_plural = _("membership tiers")
        ordering = ["rank", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="tier_code_unique"),
            models.CheckConstraint(
                condition=Q(points_multiplier__gt=0)
                & Q(window_days__gte=1)
                & (Q(qualify_points__isnull=True) | Q(qualify_points__gt=0))
                & (Q(qualify_spend__isnull=True) | Q(qualify_spend__gt=0))
                & (Q(qualify_visits__isnull=True) | Q(qualify_visits__gt=0)),
                name="tier_rules_positive",
            ),
        ]

    @property
    def has_thresholds(self) -> bool:
        return any(
            v is not None for v in (self.qualify_points, self.qualify_spend, self.qualify_visits)
        )

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
    # Points a refund should have taken back but the card no longer held (they were spent):
    # the next points earned pay this first, so buying and refunding never keeps points.
    points_owed = models.BigIntegerField(_("points owed"), default=0)
    # Tier evaluation (L2, decision 0016): when the card reached its tier, and the date from which
    # it must qualify again to keep it (the "re-qualification date" downgrade policy).
    tier_since = models.DateField(_("tier since"), null=True, blank=True)
    requalify_on = models.DateField(_("re-qualify on"), null=True, blank=True)

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
                condition=Q(points_owed__gte=0), name="card_points_owed_not_negative"
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
        TIER_UP = "tier_up", _("tier upgraded")
        TIER_DOWN = "tier_down", _("tier downgraded")

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
        REVERSAL = "reversal", pgettext_lazy("ledger cause", "reversal")
        GIFT = "gift", pgettext_lazy("ledger cause", "gift")

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
    """A top-up bonus tier (充值赠送): pay at least ``pay_at_least``, get ``bonus`` on top and,
    with ``gift``, a coupon of that template (充值送礼). Rules of the card's brand (its issuing
    store's) apply when it has any; otherwise the brand group's rules (no brand). The highest
    rule reached applies, once per top-up."""

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
    gift = models.ForeignKey(
        "coupons.CouponTemplate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("gift coupon"),
        help_text=_("A coupon of this kind is given with the top-up."),
    )
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


class TierPolicy(TenantScopedModel):
    """How a brand's cards move down a tier (降级规则): never, at once when they no longer
    qualify, or on a re-qualification date (a yearly month-day, or N months after the last
    upgrade). One per brand; the row without a brand is the brand group's default."""

    class Downgrade(models.TextChoices):
        NEVER = "never", pgettext_lazy("downgrade", "never")
        AT_ONCE = "at_once", pgettext_lazy("downgrade", "at once")
        ON_DATE = "on_date", pgettext_lazy("downgrade", "on the re-qualification date")

    brand = models.ForeignKey(
        "org.Brand",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("brand"),
        help_text=_("Empty: every brand without a policy of its own."),
    )
    downgrade = models.CharField(
        _("downgrade"), max_length=10, choices=Downgrade.choices, default=Downgrade.NEVER
    )
    requalify_month = models.PositiveSmallIntegerField(
        _("re-qualify every year in month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    requalify_day = models.PositiveSmallIntegerField(
        _("on day"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    requalify_months = models.PositiveSmallIntegerField(
        _("or months after the last upgrade"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )

    class Meta:
        verbose_name = _("tier downgrade policy")
        verbose_name_plural = _("tier downgrade policies")
        ordering = ["brand", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "brand"], name="tierpolicy_brand_unique"),
            models.UniqueConstraint(
                fields=["tenant"],
                condition=Q(brand__isnull=True),
                name="tierpolicy_group_default_unique",
            ),
        ]

    def clean(self):
        super().clean()
        yearly = self.requalify_month is not None or self.requalify_day is not None
        if self.downgrade != self.Downgrade.ON_DATE:
            self.requalify_month = self.requalify_day = self.requalify_months = None
            return
        if yearly and self.requalify_months is not None:
            raise ValidationError(
                {"requalify_months": _("Give a yearly date or a number of months, not both.")}
            )
        if not yearly and self.requalify_months is None:
            raise ValidationError(
                {"requalify_months": _("Give a yearly date or a number of months.")}
            )
        if yearly:
            if self.requalify_month is None or self.requalify_day is None:
                field = "requalify_day" if self.requalify_day is None else "requalify_month"
                raise ValidationError({field: _("Give both the month and the day.")})
            try:
                dt.date(2024, self.requalify_month, self.requalify_day)  # a leap year
            except ValueError as exc:
                raise ValidationError({"requalify_day": _("No such day in this month.")}) from exc

    def __str__(self):
        return str(self.brand or _("brand group default"))


class AccrualSettings(TenantScopedModel):
    """A brand's points caps and expiry (积分上限与有效期); the row without a brand is the brand
    group's default. Without any row: no caps, and points expire at the end of next year."""

    class Expiry(models.TextChoices):
        NEXT_YEAR_END = "next_year_end", _("at the end of the following year")
        MONTHS = "months", _("N months after earning")

    brand = models.ForeignKey(
        "org.Brand",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("brand"),
        help_text=_("Empty: every brand without settings of its own."),
    )
    order_cap = models.PositiveIntegerField(
        _("at most points per order"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    day_cap = models.PositiveIntegerField(
        _("at most points per card and day"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    expiry = models.CharField(
        _("points expire"), max_length=15, choices=Expiry.choices, default=Expiry.NEXT_YEAR_END
    )
    expiry_months = models.PositiveSmallIntegerField(
        _("months"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )

    class Meta:
        verbose_name = _("points settings")
        verbose_name_plural = _("points settings")
        ordering = ["brand", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "brand"], name="accrualsettings_brand_unique"
            ),
            models.UniqueConstraint(
                fields=["tenant"],
                condition=Q(brand__isnull=True),
                name="accrualsettings_default_unique",
            ),
            models.CheckConstraint(
                condition=(Q(order_cap__isnull=True) | Q(order_cap__gt=0))
                & (Q(day_cap__isnull=True) | Q(day_cap__gt=0)),
                name="accrualsettings_caps_positive",
            ),
        ]

    def clean(self):
        super().clean()
        if self.expiry == self.Expiry.MONTHS and self.expiry_months is None:
            raise ValidationError({"expiry_months": _("Give the number of months.")})
        if self.expiry != self.Expiry.MONTHS:
            self.expiry_months = None

    def __str__(self):
        return str(self.brand or _("brand group default"))


class AccrualRule(TenantScopedModel):
    """A points accrual rule (积分规则). Rules of the card's brand apply when it has any active
    ones; otherwise the brand group's (no brand). Kinds combine in a fixed order (decision
    0016): per amount plus dish and category extras, times the highest campaign multiplier and
    the tier's multiplier, then the caps of ``AccrualSettings``."""

    class Kind(models.TextChoices):
        PER_AMOUNT = "per_amount", _("points per amount spent")
        PER_DISH = "per_dish", _("extra points per dish")
        PER_CATEGORY = "per_category", _("extra points per dish of a category")
        CAMPAIGN = "campaign", _("campaign multiplier")

    brand = models.ForeignKey(
        "org.Brand",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("brand"),
        help_text=_("Empty: every brand without rules of its own."),
    )
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60)
    points = models.PositiveIntegerField(
        _("points"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    per_amount = MoneyField(
        _("per amount (CNY)"), null=True, blank=True, validators=[MinValueValidator(CENT)]
    )
    dish = models.ForeignKey(
        "menu.Dish",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("dish"),
    )
    category = models.ForeignKey(
        "menu.DishCategory",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("category"),
    )
    multiplier = models.DecimalField(
        _("multiplier"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    birthday_week = models.BooleanField(
        _("in the guest's birthday week"),
        default=False,
        help_text=_("Monday to Sunday of the week with the guest's birthday."),
    )
    tier = models.ForeignKey(
        Tier,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("only for tier"),
        help_text=_("Empty: every card."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("points accrual rule")
        verbose_name_plural = _("points accrual rules")
        ordering = ["brand", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(points__isnull=True) | Q(points__gt=0))
                & (Q(per_amount__isnull=True) | Q(per_amount__gt=0))
                & (Q(multiplier__isnull=True) | Q(multiplier__gt=0)),
                name="accrualrule_values_positive",
            ),
        ]

    # The fields each kind needs; the others are cleared.
    NEEDS = {
        Kind.PER_AMOUNT: ("points", "per_amount"),
        Kind.PER_DISH: ("points", "dish"),
        Kind.PER_CATEGORY: ("points", "category"),
        Kind.CAMPAIGN: ("multiplier",),
    }
    OPTIONAL = ("points", "per_amount", "dish", "category", "multiplier")

    def clean(self):
        super().clean()
        needs = self.NEEDS.get(self.kind, ())
        missing = {
            name: _("This field is required.")
            for name in needs
            if getattr(self, self._meta.get_field(name).attname) is None
        }
        if missing:
            raise ValidationError(missing)
        for name in self.OPTIONAL:
            if name not in needs:
                setattr(self, name, None)
        if self.kind != self.Kind.CAMPAIGN:
            self.birthday_week = False
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end must not be before the start.")})
        if self.kind == self.Kind.CAMPAIGN and not (
            self.birthday_week or self.starts_on or self.ends_on
        ):
            raise ValidationError(
                {"starts_on": _("Give a date range or choose the birthday week.")}
            )

    def __str__(self):
        return self.name


class PointsOwed(TenantScopedModel):
    """Points a refund should have taken back from a card that had already spent them (欠积分):
    added to the card's ``points_owed``, which the next points earned pay first."""

    card = models.ForeignKey(MembershipCard, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="+", verbose_name=_("order")
    )
    refund = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="+", verbose_name=_("refund")
    )
    points = models.BigIntegerField(_("points"))
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("points owed")
        verbose_name_plural = _("points owed")
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="points_owed_positive")
        ]
