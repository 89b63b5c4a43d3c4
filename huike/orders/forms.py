"""Console forms of the orders app: they parse input only; ``order_post`` writes."""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huike.core.forms import ConsoleForm
from huike.core.permissions import restrict
from huike.core.timeutils import zone
from huike.org.models import Store

from .models import OrderLine, OrderPayment


def _stores(user):
    return restrict(Store.objects.select_related("brand"), user).filter(active=True)


class OrderFilterForm(ConsoleForm):
    store = forms.ModelChoiceField(
        label=_("Store"),
        queryset=Store.all_tenants.none(),
        required=False,
        empty_label=_("Any store"),
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(
        label=_("POS order number"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": _("POS order number")}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = restrict(Store.objects.select_related("brand"), user)


class OrderEntryForm(ConsoleForm):
    """The header of a manually entered order; lines and payments come from the line editor
    (``line_dish``, ``line_qty``, ``line_tier``, ``line_price``; ``pay_method``,
    ``pay_amount``, one value per row)."""

    entry_token = forms.CharField(widget=forms.HiddenInput, max_length=40)
    store = forms.ModelChoiceField(label=_("Store"), queryset=Store.all_tenants.none())
    pos_order_id = forms.CharField(
        label=_("Receipt number"),
        required=False,
        max_length=64,
        help_text=_("The number on the POS receipt; empty: one is made up."),
    )
    closed_at = forms.DateTimeField(
        label=_("Closed at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In the store's time zone."),
    )
    opened_at = forms.DateTimeField(
        label=_("Opened at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    table_label = forms.CharField(label=_("Table or room"), required=False, max_length=40)
    party_size = forms.IntegerField(
        label=_("Party size"), required=False, min_value=1, max_value=1000
    )
    guest_phone = forms.CharField(
        label=_("Guest's phone"),
        required=False,
        max_length=30,
        help_text=_("An unknown number creates a guest."),
    )
    member_card = forms.CharField(label=_("Member card number"), required=False, max_length=40)
    discount = forms.DecimalField(
        label=_("Discount"), required=False, min_value=0, decimal_places=2, max_digits=14
    )
    service_charge = forms.DecimalField(
        label=_("Service charge"), required=False, min_value=0, decimal_places=2, max_digits=14
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = _stores(user)
        if not self.is_bound:
            self.initial.setdefault("entry_token", f"M-{uuid.uuid4().hex[:16]}")
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.initial.setdefault("closed_at", now.strftime("%Y-%m-%dT%H:%M"))

    def clean(self):
        data = super().clean()
        store = data.get("store")
        for name in ("closed_at", "opened_at"):
            value = data.get(name)
            if isinstance(value, dt.datetime) and store is not None:
                naive = timezone.make_naive(value) if timezone.is_aware(value) else value
                data[name] = naive.replace(tzinfo=zone(store.time_zone))
        return data

    def lines(self) -> list[dict]:
        post = self.data
        rows = zip(
            post.getlist("line_dish"),
            post.getlist("line_qty"),
            post.getlist("line_tier"),
            post.getlist("line_price"),
            strict=False,
        )
        lines = []
        for dish, qty, tier, price in rows:
            if not dish and not qty:
                continue
            line = {"dish": int(dish) if dish.isdigit() else None, "qty": qty, "price_tier": tier}
            if not line["dish"]:
                line = {"dish_code": dish, "qty": qty, "price_tier": tier}
            if price.strip():
                line["unit_price"] = price
            lines.append(line)
        return lines

    def payments(self) -> list[dict]:
        post = self.data
        return [
            {"method": method, "amount": amount}
            for method, amount in zip(
                post.getlist("pay_method"), post.getlist("pay_amount"), strict=False
            )
            if amount.strip()
        ]

    def order_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "store": data["store"],
            "pos_order_id": data["pos_order_id"].strip() or data["entry_token"],
            "closed_at": data["closed_at"],
            "opened_at": data.get("opened_at"),
            "table_label": data.get("table_label", ""),
            "party_size": data.get("party_size"),
            "guest_phone": data.get("guest_phone") or None,
            "member_card": data.get("member_card", ""),
            "discount": data.get("discount") or 0,
            "service_charge": data.get("service_charge") or 0,
            "lines": self.lines(),
            "payments": self.payments(),
            "source": "manual",
        }


class OrderImportForm(ConsoleForm):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV or Excel (.xlsx), one row per order line."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


TIER_CHOICES = OrderLine.PriceTier.choices
METHOD_CHOICES = OrderPayment.Method.choices
