"""Console forms of the tier and points rule pages: they parse input only; the services in
``tiers`` and ``accrual`` validate and write."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from huike.core.forms import ConsoleForm

from .models import AccrualRule, AccrualSettings, TierPolicy

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _int(label, **kw):
    return forms.IntegerField(label=label, required=False, **kw)


def _decimal(label, **kw):
    return forms.DecimalField(label=label, required=False, decimal_places=2, **kw)


class TierForm(ConsoleForm):
    code = forms.SlugField(label=_("code"), max_length=40)
    name = forms.CharField(label=_("name"), max_length=60)
    rank = forms.IntegerField(label=_("rank"), initial=0, help_text=_("Higher is better."))
    qualify_points = _int(_("points earned to qualify"))
    qualify_spend = _decimal(_("spend to qualify"))
    qualify_visits = _int(_("visits to qualify"))
    window_days = forms.IntegerField(label=_("window (days)"), initial=365)
    benefits = forms.CharField(
        label=_("benefits"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    points_multiplier = forms.DecimalField(label=_("points multiplier"), initial=Decimal("1.00"))


class TierPolicyForm(ConsoleForm):
    brand = forms.ModelChoiceField(
        label=_("brand"), queryset=None, required=False, empty_label=_("brand group default")
    )
    downgrade = forms.ChoiceField(label=_("downgrade"), choices=TierPolicy.Downgrade.choices)
    requalify_month = _int(_("re-qualify every year in month"))
    requalify_day = _int(_("on day"))
    requalify_months = _int(_("or months after the last upgrade"))

    def __init__(self, *args, brands, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brand"].queryset = brands


class AccrualRuleForm(ConsoleForm):
    kind = forms.ChoiceField(label=_("kind"), choices=AccrualRule.Kind.choices)
    name = forms.CharField(label=_("name"), max_length=60)
    brand = forms.ModelChoiceField(
        label=_("brand"), queryset=None, required=False, empty_label=_("brand group default")
    )
    points = _int(_("points"))
    per_amount = _decimal(_("per amount (CNY)"))
    dish = forms.ModelChoiceField(label=_("dish"), queryset=None, required=False)
    category = forms.ModelChoiceField(label=_("category"), queryset=None, required=False)
    multiplier = _decimal(_("multiplier"))
    starts_on = forms.DateField(label=_("from"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("until"), required=False, widget=DATE)
    birthday_week = forms.BooleanField(label=_("in the guest's birthday week"), required=False)
    tier = forms.ModelChoiceField(
        label=_("only for tier"), queryset=None, required=False, empty_label=_("every card")
    )

    def __init__(self, *args, brands, dishes, categories, tiers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brand"].queryset = brands
        self.fields["dish"].queryset = dishes
        self.fields["category"].queryset = categories
        self.fields["tier"].queryset = tiers


class AccrualSettingsForm(ConsoleForm):
    brand = forms.ModelChoiceField(
        label=_("brand"), queryset=None, required=False, empty_label=_("brand group default")
    )
    order_cap = _int(_("at most points per order"))
    day_cap = _int(_("at most points per card and day"))
    expiry = forms.ChoiceField(label=_("points expire"), choices=AccrualSettings.Expiry.choices)
    expiry_months = _int(_("months"))

    def __init__(self, *args, brands, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brand"].queryset = brands


class PointsTrialForm(ConsoleForm):
    """试算: a card, the amount paid and the dishes (one per line: code and quantity)."""

    card = forms.CharField(label=_("Card number"), max_length=40)
    amount = forms.DecimalField(label=_("Amount paid (CNY)"), decimal_places=2, min_value=0)
    dishes = forms.CharField(
        label=_("Dishes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "D001 2"}),
        help_text=_("One per line: the dish code and the quantity."),
    )

    def clean_dishes(self) -> list[tuple[str, Decimal]]:
        items = []
        for row in self.cleaned_data["dishes"].splitlines():
            parts = row.replace("×", " ").replace("*", " ").split()
            if not parts:
                continue
            try:
                qty = Decimal(parts[1]) if len(parts) > 1 else Decimal(1)
            except InvalidOperation as exc:
                raise forms.ValidationError(_("Write each dish as its code and quantity.")) from exc
            if len(parts) > 2 or not qty.is_finite() or qty <= 0:
                raise forms.ValidationError(_("Write each dish as its code and quantity."))
            items.append((parts[0], qty))
        return items


class TopUpRuleForm(ConsoleForm):
    """A top-up bonus tier (充值赠送): pay at least, bonus, optional gift coupon, brand."""

    brand = forms.ModelChoiceField(
        label=_("brand"), queryset=None, required=False, empty_label=_("brand group default")
    )
    pay_at_least = forms.CharField(label=_("pay at least"), max_length=20)
    bonus = forms.CharField(label=_("bonus"), max_length=20, required=False, initial="0")
    gift = forms.ModelChoiceField(label=_("gift coupon"), queryset=None, required=False)

    def __init__(self, *args, brands, gifts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brand"].queryset = brands
        self.fields["gift"].queryset = gifts
