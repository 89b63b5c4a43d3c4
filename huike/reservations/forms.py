"""Console forms of the reservations app: they parse input only; services write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from huike.core.forms import ConsoleForm
from huike.core.timeutils import local_today

from .models import Booking


class DayForm(ConsoleForm):
    store = forms.ModelChoiceField(label=_("Store"), queryset=None)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores

    @classmethod
    def choose(cls, query, stores):
        """``(form, store, day)`` a page of one store's day shows for ``?store=&date=``: what
        the query names, else the first store and its today; a value that does not parse shows
        its error in the form and the page keeps to the defaults."""
        first = stores.first()
        today = local_today(first.time_zone if first else None)
        data = {"store": first.pk if first else "", "date": today.isoformat()}
        data.update({name: query[name] for name in ("store", "date") if query.get(name)})
        form = cls(data, stores=stores)
        if form.is_valid():
            return form, form.cleaned_data["store"], form.cleaned_data["date"]
        return form, first, today


class BookingForm(ConsoleForm):
    """订台: the guest by phone, the slot, the party and optionally the table."""

    guest_phone = forms.CharField(label=_("Guest's phone"), max_length=30)
    guest_name = forms.CharField(
        label=_("Guest's name (a new guest)"), max_length=60, required=False
    )
    store = forms.ModelChoiceField(label=_("Store"), queryset=None)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}))
    party_size = forms.IntegerField(label=_("Party size"), min_value=1, max_value=200)
    table = forms.ModelChoiceField(
        label=_("Table or room"),
        queryset=None,
        required=False,
        help_text=_("Empty: the best free table."),
    )
    occasion = forms.ChoiceField(
        label=_("Occasion"), choices=[("", "—"), *Booking.Occasion.choices], required=False
    )
    deposit = forms.DecimalField(
        label=_("Deposit (CNY)"), min_value=0, decimal_places=2, required=False
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    override = forms.BooleanField(
        label=_("Book past the slot's pacing and held-back places (override the rules)"),
        required=False,
    )

    def __init__(self, *args, stores, tables, may_override: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
        self.fields["table"].queryset = tables
        if not may_override:
            del self.fields["override"]


class ReasonForm(ConsoleForm):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
