"""The desk's quick "new guest" form, shown in the pop of an unknown number."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huike.core.forms import ConsoleForm


class QuickGuestForm(ConsoleForm):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=60)
    title = forms.CharField(label=_("Form of address"), max_length=30, required=False)
    primary_phone = forms.CharField(label=_("Phone"), max_length=40)


class LineForm(ConsoleForm):
    store = forms.ModelChoiceField(label=_("Store"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=60)
    code = forms.SlugField(label=_("Code"), max_length=40, help_text=_("What the PBX sends."))

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
