"""Console forms of member recruitment: they parse input only; services write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from huike.core.forms import ConsoleForm


class PeriodForm(ConsoleForm):
    period = forms.CharField(
        label=_("Month"), required=False, widget=forms.TextInput(attrs={"type": "month"})
    )


class TargetForm(ConsoleForm):
    store = forms.ModelChoiceField(label=_("Store"), queryset=None)
    staff = forms.ModelChoiceField(
        label=_("Staff member"), queryset=None, required=False, empty_label=_("The whole store")
    )
    period_start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    target = forms.CharField(
        label=_("Target (new members)"),
        max_length=9,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, stores, staff, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
        self.fields["staff"].queryset = staff
        if editing:
            del self.fields["store"]

    @staticmethod
    def initial_for(target) -> dict:
        return {
            "staff": target.staff_id,
            "period_start": target.period_start,
            "period_end": target.period_end,
            "target": target.target,
        }
