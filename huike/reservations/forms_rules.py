"""Console forms of the booking rules (decision 0024): they parse input only; the rule services
validate and write."""

from __future__ import annotations

import re
import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from huike.core.forms import ConsoleForm
from huike.guests.models import GuestTag
from huike.loyalty.models import Tier
from huike.menu.models import DiningTable, FloorArea

from .models import SLOT_MINUTES

_TURN = re.compile(r"^(\d{1,3})\s*[:=]\s*(\d{1,4})$")


def parse_turn_times(text: str) -> list[list[int]]:
    """``4:90, 10:120, 20:150`` → ``[[4, 90], [10, 120], [20, 150]]`` (full-width too)."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    found = []
    for chunk in re.split(r"[,;、\s]+", text):
        if not chunk:
            continue
        match = _TURN.match(chunk)
        if not match:
            raise forms.ValidationError(
                _("Write turn times like 4:90, 10:120 (party size:minutes).")
            )
        found.append([int(match.group(1)), int(match.group(2))])
    return found


def format_turn_times(turns) -> str:
    return ", ".join(f"{size}:{minutes}" for size, minutes in turns or [])


class BookingRuleForm(ConsoleForm):
    area = forms.ModelChoiceField(
        label=_("Floor area"),
        queryset=None,
        required=False,
        empty_label=_("The whole store"),
        help_text=_("An area's rule replaces the store's for the tables of that area."),
    )
    slot_minutes = forms.TypedChoiceField(
        label=_("Slot length (minutes)"),
        coerce=int,
        choices=[(m, str(m)) for m in SLOT_MINUTES],
        initial=30,
    )
    turn_times = forms.CharField(
        label=_("Turn times"),
        required=False,
        help_text=_(
            "Party size:minutes, ascending, like 4:90, 10:120, 20:150. Larger parties take "
            "the last. Empty: 90, 120 or 150 minutes by party size."
        ),
    )
    max_parties_per_slot = forms.IntegerField(
        label=_("Most parties starting per slot"),
        required=False,
        min_value=1,
        help_text=_("Empty for no limit."),
    )
    max_covers_per_slot = forms.IntegerField(
        label=_("Most guests starting per slot"),
        required=False,
        min_value=1,
        help_text=_("Empty for no limit."),
    )
    min_lead_minutes = forms.IntegerField(
        label=_("Book at least (minutes ahead)"), required=False, min_value=0, initial=0
    )
    max_days_ahead = forms.IntegerField(
        label=_("Book at most (days ahead)"),
        required=False,
        min_value=1,
        help_text=_("Empty for no limit."),
    )
    cancel_cutoff_hours = forms.IntegerField(
        label=_("Cancellation cut-off (hours before)"),
        required=False,
        min_value=0,
        help_text=_("Empty for none. After it only managers may cancel."),
    )
    held_covers = forms.IntegerField(
        label=_("Guests held back per slot"),
        required=False,
        min_value=0,
        initial=0,
        help_text=_("Kept for the guests below; needs a most guests per slot."),
    )
    held_tables = forms.ModelMultipleChoiceField(
        label=_("Tables held back"), queryset=None, required=False
    )
    held_for_tags = forms.ModelMultipleChoiceField(
        label=_("Held for guests tagged"), queryset=None, required=False
    )
    held_for_tiers = forms.ModelMultipleChoiceField(
        label=_("Held for membership tiers"), queryset=None, required=False
    )

    def __init__(self, *args, store, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = FloorArea.objects.filter(store=store).order_by(
            "sort_order", "name"
        )
        if editing:
            del self.fields["area"]
        self.fields["held_tables"].queryset = DiningTable.objects.filter(
            store=store, active=True
        ).order_by("area__sort_order", "sort_order", "code")
        self.fields["held_for_tags"].queryset = GuestTag.objects.order_by("name")
        self.fields["held_for_tiers"].queryset = Tier.objects.order_by("rank", "name")

    def clean_turn_times(self):
        return parse_turn_times(self.cleaned_data.get("turn_times", ""))

    def clean_min_lead_minutes(self):
        return self.cleaned_data.get("min_lead_minutes") or 0

    def clean_held_covers(self):
        return self.cleaned_data.get("held_covers") or 0

    @staticmethod
    def initial_for(rule) -> dict:
        return {
            "slot_minutes": rule.slot_minutes,
            "turn_times": format_turn_times(rule.turn_times),
            "max_parties_per_slot": rule.max_parties_per_slot,
            "max_covers_per_slot": rule.max_covers_per_slot,
            "min_lead_minutes": rule.min_lead_minutes,
            "max_days_ahead": rule.max_days_ahead,
            "cancel_cutoff_hours": rule.cancel_cutoff_hours,
            "held_covers": rule.held_covers,
            "held_tables": list(rule.held_tables.all()),
            "held_for_tags": list(rule.held_for_tags.all()),
            "held_for_tiers": list(rule.held_for_tiers.all()),
        }


class SlotPickForm(ConsoleForm):
    """The availability partial of the booking form: the store, the day and the party."""

    store = forms.ModelChoiceField(label=_("Store"), queryset=None)
    date = forms.DateField(label=_("Date"))
    party_size = forms.IntegerField(label=_("Party size"), min_value=1, max_value=200)
    guest_phone = forms.CharField(required=False, max_length=30)

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
