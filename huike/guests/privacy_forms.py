"""The erasure confirmation form (X4): the reason is required, and so is ticking that the
erasure cannot be undone."""

from django import forms
from django.utils.translation import gettext_lazy as _

from huike.core.forms import ConsoleForm


class EraseForm(ConsoleForm):
    reason = forms.CharField(
        label=_("Reason for the erasure"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the guest asked for it by phone on this date."),
    )
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone"),
        required=True,
    )
