"""Console forms of the coupons app: they parse input only; services write (and check)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from huike.core.forms import ConsoleForm

from .models import CouponTemplate

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _token(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


class TemplateForm(ConsoleForm):
    """A coupon template: what it is worth, when and where it can be used, how many."""

    name = forms.CharField(label=_("Name"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=CouponTemplate.Kind.choices)
    face_value = forms.CharField(
        label=_("Face value (CNY)"),
        max_length=20,
        required=False,
        help_text=_("For cash vouchers and referral rewards."),
    )
    percent_off = forms.CharField(
        label=_("Percent off"),
        max_length=3,
        required=False,
        help_text=_("For percent-off coupons: 12 means 12% off the discountable dishes."),
    )
    max_discount = forms.CharField(
        label=_("At most (CNY)"),
        max_length=20,
        required=False,
        help_text=_("Percent-off coupons: the largest discount. Empty: no cap."),
    )
    dish = forms.ModelChoiceField(
        label=_("Dish"),
        queryset=None,
        required=False,
        help_text=_("For free-dish, new-dish trial and gift-with-spend coupons."),
    )
    min_spend = forms.CharField(
        label=_("Minimum spend (CNY)"), max_length=20, required=False, initial="0"
    )
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DATE)
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DATE,
        help_text=_("Fixed dates; or leave empty and give a number of days."),
    )
    valid_days = forms.CharField(
        label=_("Valid for days after issue"), max_length=5, required=False
    )
    wait_days = forms.CharField(
        label=_("Usable after days"),
        max_length=5,
        required=False,
        initial="0",
        help_text=_("0: usable on the day it is issued."),
    )
    stores = forms.ModelMultipleChoiceField(
        label=_("Stores"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every store of the brand group."),
    )
    total_limit = forms.CharField(
        label=_("How many in all"), max_length=9, required=False, help_text=_("Empty: no limit.")
    )
    per_guest_limit = forms.CharField(
        label=_("How many per guest"), max_length=9, required=False, help_text=_("Empty: no limit.")
    )
    stacks_with_member_pricing = forms.BooleanField(
        label=_("Can be used on member prices"),
        required=False,
        help_text=_(
            "Ticked: a member who already pays member prices can use this coupon as well. "
            "Not ticked: the coupon is refused on a bill with member prices."
        ),
    )
    stacks_with_other_coupons = forms.BooleanField(
        label=_("Can be used together with other coupons"),
        required=False,
        help_text=_(
            "Ticked: several coupons can be used on one bill, as long as each of them allows "
            "it. Not ticked: this coupon is used alone."
        ),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, dishes, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dish"].queryset = dishes
        self.fields["stores"].queryset = stores

    @staticmethod
    def initial_of(template: CouponTemplate) -> dict:
        names = [
            "name",
            "kind",
            "face_value",
            "percent_off",
            "max_discount",
            "dish",
            "min_spend",
            "valid_from",
            "valid_until",
            "valid_days",
            "wait_days",
            "total_limit",
            "per_guest_limit",
            "stacks_with_member_pricing",
            "stacks_with_other_coupons",
            "active",
        ]
        initial = {n: getattr(template, n) for n in names}
        initial["stores"] = list(template.stores.all())
        return initial


class IssueForm(ConsoleForm):
    """发券 by the guest's phone. The hidden token makes a double submit issue once."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=60)
    guest_phone = forms.CharField(label=_("Guest's phone"), max_length=30)
    store = forms.ModelChoiceField(label=_("Issuing store"), queryset=None, required=False)
    send = forms.BooleanField(label=_("Text the coupon to the guest"), required=False, initial=True)

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
        if not self.is_bound:
            self.initial.setdefault("token", _token("CI"))


class VoidForm(ConsoleForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ScanForm(ConsoleForm):
    """What the scanner types (the code, then Enter) at the chosen store."""

    store = forms.ModelChoiceField(label=_("Store"), queryset=None)
    code = forms.CharField(
        label=_("Coupon code"),
        max_length=100,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "off", "autocapitalize": "characters"}
        ),
    )

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores


class RedeemForm(ConsoleForm):
    """核销 the checked coupon; the token makes a second click (or reload) redeem once."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=60)
    code = forms.CharField(widget=forms.HiddenInput, max_length=100)
    store = forms.IntegerField(widget=forms.HiddenInput)
    amount = forms.CharField(
        label=_("Bill amount (CNY)"),
        max_length=20,
        required=False,
        help_text=_("Optional: checks the minimum spend."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    reference = forms.CharField(label=_("Receipt number"), max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", _token("CR"))
