"""Console forms of the guests app: they parse input; the services validate and write.

The guest form leaves out the fields of the guest sheet the user may not see, so they are
neither shown (a masked phone never lands in an input's value) nor changed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huike.core import errors
from huike.core.forms import ConsoleForm
from huike.org.models import Store

from .autotags import OPS, metric_choices
from .models import Guest, GuestTag, ImportantDate
from .selectors import SHEET_KEYS, guest_by_phone


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# Form field → the guest-sheet field that governs it (fields not listed: always shown).
FORM_SHEET_FIELDS = {
    **{name: code for name, code in SHEET_KEYS.items() if name in Guest.__dict__},
    "primary_phone": "phone",
    "referrer_phone": "contacts",
}


class GuestForm(ConsoleForm):
    """Every field of G1 (G1 phones, dates, contacts and tags are managed on the guest page)."""

    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=60, required=False)
    surname = forms.CharField(label=_("Surname"), max_length=20, required=False)
    title = forms.CharField(
        label=_("Form of address"),
        max_length=30,
        required=False,
        help_text=_("E.g. 王先生; left empty, it is made from the surname and gender."),
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=Guest.Gender.choices, required=False)
    primary_phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    birthday = forms.DateField(label=_("Birthday"), required=False, widget=_date_input())
    company = forms.CharField(label=_("Company"), max_length=100, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=60, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    referrer_phone = forms.CharField(
        label=_("Referred by (phone)"),
        max_length=30,
        required=False,
        help_text=_("The phone number of the guest who introduced them."),
    )
    taste_preferences = forms.CharField(
        label=_("Taste preferences"), max_length=300, required=False
    )
    dish_requirements = forms.CharField(
        label=_("Dish requirements"), max_length=300, required=False
    )
    likes = forms.CharField(label=_("Likes"), max_length=300, required=False)
    taboos = forms.CharField(label=_("Taboos and allergies"), max_length=300, required=False)
    preferred_room = forms.CharField(label=_("Preferred room"), max_length=100, required=False)
    meal_type = forms.ChoiceField(
        label=_("Meal type"), choices=Guest.MealType.choices, required=False
    )
    preferred_channel = forms.ChoiceField(
        label=_("Preferred contact channel"),
        choices=Guest.Channel.choices,
        initial=Guest.Channel.SMS,
    )
    marketing_consent = forms.BooleanField(label=_("Agrees to marketing"), required=False)
    consent_source = forms.CharField(
        label=_("Consent source"),
        max_length=60,
        required=False,
        help_text=_("Where and how the guest agreed, e.g. 收银台口头同意."),
    )
    home_store = forms.ModelChoiceField(
        label=_("Home store"),
        queryset=Store.all_tenants.none(),
        required=False,
        empty_label=_("None"),
    )
    notes = forms.CharField(
        label=_("Notes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, visible: frozenset[str], creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_store"].queryset = Store.objects.filter(active=True).order_by("name")
        for name, code in FORM_SHEET_FIELDS.items():
            if code not in visible and not (creating and name == "primary_phone"):
                self.fields.pop(name, None)

    @staticmethod
    def initial_for(guest: Guest) -> dict:
        computed = {"home_store", "referrer_phone"}
        initial = {name: getattr(guest, name) for name in GuestForm.base_fields.keys() - computed}
        initial["home_store"] = guest.home_store_id
        initial["referrer_phone"] = guest.referrer.primary_phone if guest.referrer_id else ""
        return initial

    def clean(self):
        data = super().clean()
        if "referrer_phone" in data:
            phone = (data.pop("referrer_phone") or "").strip()
            data["referrer"] = None
            if phone:
                try:
                    referrer = guest_by_phone(phone)
                except errors.InvalidInput as exc:
                    self.add_error("referrer_phone", exc.fields.get("phone"))
                    return data
                if referrer is None:
                    self.add_error("referrer_phone", _("No guest has this phone number."))
                data["referrer"] = referrer
        if data.get("marketing_consent") and not (data.get("consent_source") or "").strip():
            self.add_error("consent_source", _("Say where and how the guest agreed."))
        return data


class GuestFilterForm(ConsoleForm):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=60, required=False)
    phone_tail = forms.RegexField(
        label=_("Phone tail"),
        regex=r"^\d{4}$",
        required=False,
        error_messages={"invalid": _("Enter the last four digits of the phone number.")},
    )
    tag = forms.ModelChoiceField(
        label=_("Tag"),
        queryset=GuestTag.all_tenants.none(),
        required=False,
        empty_label=_("All tags"),
    )
    store = forms.ModelChoiceField(
        label=_("Home store"),
        queryset=Store.all_tenants.none(),
        required=False,
        empty_label=_("All stores"),
    )
    last_visit_from = forms.DateField(
        label=_("Last visit from"), required=False, widget=_date_input()
    )
    last_visit_to = forms.DateField(label=_("Last visit to"), required=False, widget=_date_input())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].queryset = GuestTag.objects.order_by("name")
        self.fields["store"].queryset = Store.objects.order_by("name")
        self.fields["name"].widget.attrs["placeholder"] = _("Name or form of address")
        self.fields["phone_tail"].widget.attrs.update(
            {"placeholder": _("Last 4 digits"), "inputmode": "numeric", "maxlength": "4"}
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("last_visit_from"), data.get("last_visit_to")
        if start and end and end < start:
            self.add_error("last_visit_to", _("The end is before the start."))
        return data

    def filters(self) -> dict:
        """Keyword arguments of ``selectors.guest_list`` (empty when the form is invalid)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "name": data.get("name") or None,
            "phone_tail": data.get("phone_tail") or None,
            "tag": data["tag"].pk if data.get("tag") else None,
            "store": data["store"].pk if data.get("store") else None,
            "last_visit_from": data.get("last_visit_from"),
            "last_visit_to": data.get("last_visit_to"),
        }


class PhoneForm(ConsoleForm):
    phone = forms.CharField(label=_("Phone"), max_length=30)
    label = forms.CharField(label=_("Label"), max_length=30, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["label"].widget.attrs["placeholder"] = _("e.g. office")


class ImportantDateForm(ConsoleForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=ImportantDate.Kind.choices)
    date = forms.DateField(label=_("Date"), widget=_date_input())
    label = forms.CharField(label=_("Note"), max_length=60, required=False)


class ContactForm(ConsoleForm):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=60)
    relation = forms.CharField(label=_("Relation"), max_length=30, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)


class TaggingForm(ConsoleForm):
    tag = forms.ModelChoiceField(label=_("Tag"), queryset=GuestTag.all_tenants.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].queryset = GuestTag.objects.order_by("name")


class TagForm(ConsoleForm):
    class RuleField(forms.JSONField):
        """The rule as JSON, shown empty (not ``null``) for a tag set by hand."""

        def prepare_value(self, value):
            return "" if value is None else super().prepare_value(value)

    name = forms.CharField(label=_("Name"), max_length=30)
    colour = forms.CharField(
        label=_("Colour"),
        max_length=7,
        initial="#206bc4",
        widget=forms.TextInput(attrs={"type": "color", "class": "form-control form-control-color"}),
    )
    rule = RuleField(
        label=_("Auto-tag rule"),
        required=False,
        help_text=_(
            "Conditions that must all hold; the tag is then put on and taken off guests by "
            "itself. Empty for a tag set by hand."
        ),
        widget=forms.Textarea(attrs={"rows": 2, "x-ref": "rule", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.metric_choices = metric_choices()
        self.ops = OPS

    @staticmethod
    def initial_for(tag: GuestTag) -> dict:
        return {"name": tag.name, "colour": tag.colour, "rule": tag.rule}
