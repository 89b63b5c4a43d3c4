"""Console forms of points-for-gifts: they parse input only; services write."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from huike.core.forms import ConsoleForm


class GiftForm(ConsoleForm):
    """A gift of the catalogue; the opening stock only when it is created."""

    name = forms.CharField(label=_("Name"), max_length=80)
    points_cost = forms.CharField(
        label=_("Points each"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    stock = forms.CharField(
        label=_("Opening stock"),
        max_length=12,
        initial="0",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    brand = forms.ModelChoiceField(
        label=_("Brand"), queryset=None, required=False, empty_label=_("Every brand")
    )
    stores = forms.ModelMultipleChoiceField(
        label=_("Stores"),
        queryset=None,
        required=False,
        help_text=_("None chosen: every store (of the brand)."),
    )
    sort_order = forms.IntegerField(
        label=_("Sort order"), initial=0, min_value=-32768, max_value=32767
    )
    active = forms.BooleanField(label=_("Offered"), required=False, initial=True)

    def __init__(self, *args, brands, stores, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brand"].queryset = brands
        self.fields["stores"].queryset = stores
        if editing:
            del self.fields["stock"]

    @staticmethod
    def initial_for(gift) -> dict:
        return {
            "name": gift.name,
            "points_cost": gift.points_cost,
            "description": gift.description,
            "brand": gift.brand_id,
            "stores": list(gift.stores.all()),
            "sort_order": gift.sort_order,
            "active": gift.active,
        }


class StockForm(ConsoleForm):
    change = forms.CharField(
        label=_("Change (+ delivery, − breakage)"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)


class CardFindForm(ConsoleForm):
    q = forms.CharField(label=_("Card number or phone"), max_length=30, required=False)


class RedeemForm(ConsoleForm):
    """The till's redemption: a gift, how many, where. The hidden token makes a double submit
    replay the first redemption instead of spending twice."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=60)
    gift = forms.ModelChoiceField(label=_("Gift"), queryset=None)
    qty = forms.CharField(
        label=_("Quantity"),
        max_length=6,
        initial="1",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    store = forms.ModelChoiceField(label=_("Store"), queryset=None)

    def __init__(self, *args, gifts, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gift"].queryset = gifts
        self.fields["store"].queryset = stores
        if not self.is_bound:
            self.initial.setdefault("token", f"GR-{uuid.uuid4().hex}")
            if stores.count() == 1:
                self.initial.setdefault("store", stores.first())


class CancelForm(ConsoleForm):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=200)
