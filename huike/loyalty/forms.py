"""Console forms of the loyalty app: they parse input only; services write."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from huike.core.forms import ConsoleForm


class TopUpForm(ConsoleForm):
    """A cashier's top-up (充值) at the till. The hidden token makes a double submit (a second
    click, a reload) replay the first top-up instead of paying twice."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=60)
    amount = forms.CharField(
        label=_("Amount paid (CNY)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    reference = forms.CharField(label=_("Receipt number"), max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", f"TU-{uuid.uuid4().hex}")


class CardSearchForm(ConsoleForm):
    q = forms.CharField(label=_("Card number or phone"), max_length=30, required=False)


class CardIssueForm(ConsoleForm):
    """开卡: the guest by phone, the issuing store, optionally a number and a tier."""

    guest_phone = forms.CharField(label=_("Guest's phone"), max_length=30)
    store = forms.ModelChoiceField(label=_("Issuing store"), queryset=None)
    number = forms.CharField(
        label=_("Card number"),
        max_length=30,
        required=False,
        help_text=_("Empty: a number is generated."),
    )
    tier = forms.ModelChoiceField(label=_("Tier"), queryset=None, required=False)

    def __init__(self, *args, stores, tiers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
        self.fields["tier"].queryset = tiers
