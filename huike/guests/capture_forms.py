"""Console forms of the six collection points (G2): one short tablet form each. They only parse
what was typed; ``capture.fact_capture`` validates it with the point's model and its messages
land beside these fields (``run_service``). Labels come from ``capture.FIELD_LABELS``, which the
360's feedback section shows too."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from huike.core.forms import ConsoleForm
from huike.core.permissions import access_for
from huike.org.models import Store
from huike.org.selectors import store_list

from . import capture

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _yes_no(name: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=capture.FIELD_LABELS[name],
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )


def _text(name: str, max_length: int, *, area: bool = False, placeholder=None) -> forms.CharField:
    attrs = {"placeholder": placeholder} if placeholder else {}
    widget = forms.Textarea(attrs={"rows": 2, **attrs}) if area else forms.TextInput(attrs=attrs)
    return forms.CharField(
        label=capture.FIELD_LABELS[name], max_length=max_length, required=False, widget=widget
    )


def _choice(name: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=capture.FIELD_LABELS[name],
        choices=[("", "—"), *capture.CHOICES_OF[name].choices],
        required=False,
    )


class CaptureForm(ConsoleForm):
    """Base of the point forms: the store it happened at (the staff member's own by default)."""

    point: str = ""
    store = forms.ModelChoiceField(
        label=_("Store"), queryset=Store.all_tenants.none(), required=False, empty_label="—"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        stores = store_list(user=user, active=True)
        self.fields["store"].queryset = stores
        own = access_for(user).store_id
        if own and not self.is_bound:
            self.initial.setdefault("store", own)
        self.order_fields([name for name in self.fields if name != "store"])

    @property
    def spec(self) -> capture.PointSpec:
        return capture.POINTS[self.point]

    def capture_data(self) -> dict:
        """The point's fields for ``fact_capture`` (empty answers left out)."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "store" and value not in ("", None, [])
        }

    def point_fields(self):
        return [self[name] for name in self.fields if name != "store"]


class CallCentreForm(CaptureForm):
    point = capture.Point.CALL_CENTRE
    surname = _text("surname", 20, placeholder=_("e.g. 王"))
    gender = _choice("gender")
    phone = _text("phone", 30)
    room_preference = _text("room_preference", 100, placeholder=_("e.g. private room 牡丹厅"))


class CallCentreByPhoneForm(CallCentreForm):
    """The call-centre form for a caller who is not yet known: the phone is required."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].required = True
        self.order_fields(["phone", "surname", "gender", "room_preference", "store"])


class ArrivalForm(CaptureForm):
    point = capture.Point.ARRIVAL
    booked = _yes_no("booked")
    companions_count = forms.IntegerField(
        label=capture.FIELD_LABELS["companions_count"], required=False, min_value=0, max_value=500
    )
    companions = _text("companions", 200, placeholder=_("e.g. two colleagues, a child"))


class OrderingForm(CaptureForm):
    point = capture.Point.ORDERING
    age_band = _choice("age_band")
    taste = _text("taste", 300, placeholder=_("e.g. likes it spicy, little salt"))
    companion_group = _choice("companion_group")
    taboos = _text("taboos", 300, placeholder=_("e.g. no coriander, peanut allergy"))


class TableVisitForm(CaptureForm):
    point = capture.Point.TABLE_VISIT
    name = _text("name", 60)
    company = _text("company", 100)
    job_title = _text("job_title", 60)
    phone = _text("phone", 30)
    address = _text("address", 200)
    meal_type = _choice("meal_type")
    suggestions = _text("suggestions", 500, area=True)
    taboos = _text("taboos", 300, placeholder=_("e.g. no coriander, peanut allergy"))


class CheckoutForm(CaptureForm):
    point = capture.Point.CHECKOUT
    experience = _text("experience", 500, area=True)
    satisfied = _yes_no("satisfied")
    habits = _text("habits", 300, placeholder=_("e.g. always orders fish, pays by card"))


class CallbackForm(CaptureForm):
    point = capture.Point.CALLBACK
    recommend_score = forms.TypedChoiceField(
        label=capture.FIELD_LABELS["recommend_score"],
        choices=[(str(n), str(n)) for n in range(11)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    cares_about = forms.MultipleChoiceField(
        label=capture.FIELD_LABELS["cares_about"],
        choices=capture.Concern.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    cares_note = _text("cares_note", 300)
    discount_sensitive = _yes_no("discount_sensitive")


FORMS: dict[str, type[CaptureForm]] = {
    form.point: form
    for form in [
        CallCentreForm,
        ArrivalForm,
        OrderingForm,
        TableVisitForm,
        CheckoutForm,
        CallbackForm,
    ]
}
