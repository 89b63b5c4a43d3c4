"""The notice policy form: parses input; ``services.notice_policy_set`` checks and saves."""

from django import forms
from django.utils.translation import gettext_lazy as _

from huike.core.forms import ConsoleForm

from .models import PLACEHOLDERS

TEXT = forms.Textarea(attrs={"rows": 3})


class NoticePolicyForm(ConsoleForm):
    store = forms.ModelChoiceField(
        label=_("store"), queryset=None, required=False, empty_label=_("brand group default")
    )
    confirmation_on = forms.BooleanField(label=_("send confirmations"), required=False)
    change_on = forms.BooleanField(label=_("send changes"), required=False)
    cancellation_on = forms.BooleanField(label=_("send cancellations"), required=False)
    reminder_on = forms.BooleanField(label=_("send reminders"), required=False)
    reminder_minutes = forms.IntegerField(
        label=_("reminder minutes before the slot"),
        help_text=_("For example 120: two hours before."),
    )
    reminder_day_before_at = forms.TimeField(
        label=_("or the day before at"),
        required=False,
        help_text=_("Set: the reminder goes the day before the slot at this time (store time)."),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    confirmation_text = forms.CharField(label=_("confirmation text"), widget=TEXT, strip=True)
    change_text = forms.CharField(label=_("change text"), widget=TEXT, strip=True)
    cancellation_text = forms.CharField(label=_("cancellation text"), widget=TEXT, strip=True)
    reminder_text = forms.CharField(label=_("reminder text"), widget=TEXT, strip=True)

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
        hint = _("Placeholders: %(names)s") % {
            "names": " ".join("{" + p + "}" for p in PLACEHOLDERS)
        }
        for kind in ("confirmation", "change", "cancellation", "reminder"):
            self.fields[f"{kind}_text"].help_text = hint
