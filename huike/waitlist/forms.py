"""Console forms of the waitlist: they parse input only; services write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from huike.core.forms import ConsoleForm


class WaitlistForm(ConsoleForm):
    """候位: the guest by phone, the party, and the window they can come in."""

    guest_phone = forms.CharField(label=_("Guest's phone"), max_length=30)
    guest_name = forms.CharField(
        label=_("Guest's name (a new guest)"), max_length=60, required=False
    )
    party_size = forms.IntegerField(label=_("Party size"), min_value=1, max_value=200)
    earliest = forms.TimeField(
        label=_("Earliest start"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    latest = forms.TimeField(
        label=_("Latest start"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    notes = forms.CharField(label=_("Notes"), max_length=2000, required=False)
