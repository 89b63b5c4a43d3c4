from django import forms
from django.utils.translation import gettext_lazy as _

from huike.core.forms import ConsoleForm

from .models import Message


class MessageFilterForm(ConsoleForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Message.Status.choices],
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", _("Any channel")), *Message.Channel.choices],
    )
    reference = forms.CharField(
        label=_("About"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. loyalty.coupon:123")}),
    )
