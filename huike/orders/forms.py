"""Console forms of the orders app: they parse input only; ``order_post`` writes."""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huike.core.forms import ConsoleForm, style_widget
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

    def order_store(self, data: dict):
        """The store whose time zone the times are read in."""
        return data.get("store")

    def clean(self):
        data = super().clean()
        store = self.order_store(data)
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

    def editor_rows(self) -> tuple[list[dict], list[dict]]:
        """The line editor's rows as typed, to show them again beside the errors."""
        post = self.data
        lines = [
            {"dish": d, "qty": q, "tier": t, "price": p}
            for d, q, t, p in zip(
                post.getlist("line_dish"),
                post.getlist("line_qty"),
                post.getlist("line_tier"),
                post.getlist("line_price"),
                strict=False,
            )
        ]
        payments = [
            {"method": m, "amount": a}
            for m, a in zip(post.getlist("pay_method"), post.getlist("pay_amount"), strict=False)
        ]
        return lines, payments

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
            "store": data.get("store"),
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


class OrderCorrectionForm(OrderEntryForm):
    """A correction (更正) of ``original``: a complete new order at the original's store that
    replaces it, entered with the same line editor as a manual order and filled in from the
    original at first."""

    def __init__(self, *args, user, original, **kwargs):
        self.original = original
        super().__init__(*args, user=user, **kwargs)
        del self.fields["store"]
        self.fields["pos_order_id"].label = _("Correction receipt number")
        self.fields["pos_order_id"].help_text = _(
            "The POS number of the corrected order; empty: one is made up."
        )
        self.fields["guest_phone"].help_text = _("Empty: the guest of the original order.")
        if not self.is_bound:
            tz = zone(original.store.time_zone)
            self.initial.update(
                entry_token=f"C-{uuid.uuid4().hex[:16]}",
                closed_at=_local_input(original.closed_at, tz),
                opened_at=_local_input(original.opened_at, tz),
                table_label=original.table_label,
                party_size=original.party_size,
                member_card=original.member_card,
                discount=original.discount,
                service_charge=original.service_charge,
            )

    def order_store(self, data: dict):
        return self.original.store

    def order_arguments(self) -> dict:
        arguments = super().order_arguments()
        del arguments["store"]
        if not arguments["guest_phone"] and self.original.guest_id:
            arguments["guest"] = self.original.guest_id
        return arguments


def _local_input(value, tz) -> str:
    """An aware datetime as the value of a ``datetime-local`` input in ``tz``."""
    return value.astimezone(tz).strftime("%Y-%m-%dT%H:%M") if value else ""


class OrderRefundForm(ConsoleForm):
    """A refund (退单) of ``original``: everything not yet refunded, or the quantities typed
    beside its lines (one ``line_<number>`` field per line with something left to refund)."""

    WHOLE = "whole"
    LINES = "lines"

    refund_token = forms.CharField(widget=forms.HiddenInput, max_length=40)
    scope = forms.ChoiceField(
        label=_("What to refund"),
        choices=[(WHOLE, _("Everything not yet refunded")), (LINES, _("Chosen lines"))],
        widget=forms.RadioSelect,
        initial=WHOLE,
    )
    pos_order_id = forms.CharField(
        label=_("Refund receipt number"),
        required=False,
        max_length=64,
        help_text=_("The POS number of the refund; empty: one is made up."),
    )
    closed_at = forms.DateTimeField(
        label=_("Refunded at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In the store's time zone; empty: now."),
    )

    def __init__(self, *args, original, **kwargs):
        super().__init__(*args, **kwargs)
        self.original = original
        self.refundable = [ln for ln in original.lines.all() if ln.remaining_qty > 0]
        for line in self.refundable:
            name = self.line_field(line)
            label = _("Quantity to refund of line %(n)s") % {"n": line.line_no}
            self.fields[name] = forms.DecimalField(
                label=label,
                required=False,
                min_value=0,
                max_digits=10,
                decimal_places=3,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "aria-label": label}),
            )
            style_widget(self.fields[name].widget, name)
        if not self.is_bound:
            self.initial.setdefault("refund_token", f"R-{uuid.uuid4().hex[:16]}")

    @staticmethod
    def line_field(line) -> str:
        return f"line_{line.line_no}"

    def line_rows(self) -> list[tuple]:
        """(line, its quantity field) for the template."""
        return [(line, self[self.line_field(line)]) for line in self.refundable]

    def clean(self):
        data = super().clean()
        closed = data.get("closed_at")
        if isinstance(closed, dt.datetime):
            naive = timezone.make_naive(closed) if timezone.is_aware(closed) else closed
            data["closed_at"] = naive.replace(tzinfo=zone(self.original.store.time_zone))
        if data.get("scope") == self.LINES and not self.chosen_lines(data):
            self.add_error("scope", _("Type the quantity to refund beside at least one line."))
        return data

    def chosen_lines(self, data: dict | None = None) -> list[tuple]:
        """(line, quantity) of the lines with a quantity above 0."""
        data = self.cleaned_data if data is None else data
        return [
            (line, data[self.line_field(line)])
            for line in self.refundable
            if data.get(self.line_field(line))
        ]

    def refund_arguments(self) -> tuple[dict, dict]:
        """The keyword arguments of ``order_refund``, and the map from the service's field
        names to this form's (``lines.0.qty`` → ``line_3``)."""
        data = self.cleaned_data
        arguments = {
            "pos_order_id": data["pos_order_id"].strip() or data["refund_token"],
            "closed_at": data.get("closed_at"),
            "lines": None,
            "source": "manual",
        }
        field_map = {"lines": "scope"}
        if data["scope"] == self.LINES:
            chosen = self.chosen_lines()
            arguments["lines"] = [{"line": line.line_no, "qty": qty} for line, qty in chosen]
            for i, (line, _qty) in enumerate(chosen):
                field_map[f"lines.{i}.qty"] = field_map[f"lines.{i}.line"] = self.line_field(line)
        return arguments, field_map


class OrderImportForm(ConsoleForm):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV or Excel (.xlsx), one row per order line."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


TIER_CHOICES = OrderLine.PriceTier.choices
METHOD_CHOICES = OrderPayment.Method.choices
