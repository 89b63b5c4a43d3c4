"""Console forms of the pricing app: they parse input only; services write, selectors quote."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from huike.core.forms import ConsoleForm
from huike.menu.models import Dish

from .models import PricingRule

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MemberPriceForm(ConsoleForm):
    dish = forms.ModelChoiceField(label=_("Dish"), queryset=None)
    tier = forms.ModelChoiceField(
        label=_("Tier"), queryset=None, required=False, empty_label=_("Every member")
    )
    price = forms.CharField(
        label=_("Member price (CNY)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def __init__(self, *args, dishes, tiers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dish"].queryset = dishes
        self.fields["tier"].queryset = tiers


class MemberPriceEditForm(ConsoleForm):
    price = forms.CharField(
        label=_("Member price (CNY)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class RuleForm(ConsoleForm):
    """A discount rule; the fields a kind does not use stay empty."""

    name = forms.CharField(label=_("Name"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=PricingRule.Kind.choices)
    brand = forms.ModelChoiceField(
        label=_("Brand"), queryset=None, required=False, empty_label=_("Every brand")
    )
    tier = forms.ModelChoiceField(
        label=_("Tier"), queryset=None, required=False, empty_label=_("Every member")
    )
    percent_off = forms.CharField(
        label=_("Percent off"),
        max_length=3,
        required=False,
        help_text=_("折扣: 1–99; 5 is 9.5折."),
    )
    threshold = forms.CharField(
        label=_("Spend at least (CNY)"), max_length=20, required=False, help_text=_("满减, 满返")
    )
    save_amount = forms.CharField(
        label=_("Save (CNY)"), max_length=20, required=False, help_text=_("满减")
    )
    repeat = forms.BooleanField(label=_("For every full amount (每满)"), required=False)
    return_template = forms.ModelChoiceField(
        label=_("Coupon returned"), queryset=None, required=False, help_text=_("满返")
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DATE)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DATE)

    def __init__(self, *args, brands, tiers, templates, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brand"].queryset = brands
        self.fields["tier"].queryset = tiers
        self.fields["return_template"].queryset = templates
        if editing:
            self.fields["kind"].disabled = True


class QuoteForm(ConsoleForm):
    """试算: a store, optionally a card, dishes and quantities (one ``code qty`` a line)."""

    store = forms.ModelChoiceField(label=_("Store"), queryset=None)
    member_card = forms.CharField(label=_("Card number"), max_length=40, required=False)
    price_tier = forms.ChoiceField(
        label=_("Price tier"), choices=Dish.PriceTier.choices, initial=Dish.PriceTier.REGULAR
    )
    lines = forms.CharField(
        label=_("Dishes"),
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "XC001 2\nXC003 1"}),
        help_text=_("One dish a line: its code and the quantity."),
    )
    service_charge = forms.CharField(label=_("Service charge (CNY)"), max_length=20, required=False)
    coupons = forms.CharField(
        label=_("Coupon codes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One code a line, in the order they are used."),
    )

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores

    def clean_lines(self) -> list[dict]:
        lines = []
        for number, text in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            parts = text.split()
            if not parts:
                continue
            if len(parts) > 2:
                raise forms.ValidationError(
                    _("Line %(n)s: a dish code and a quantity.") % {"n": number}
                )
            lines.append({"dish_code": parts[0], "qty": parts[1] if len(parts) > 1 else "1"})
        return lines

    def clean_coupons(self) -> list[str]:
        return self.cleaned_data["coupons"].split()
