"""Console forms of dedupe and merge (G4): picking two guests to compare, the merge itself (which
of the two is kept) and the undo."""

from django import forms
from django.utils.translation import gettext_lazy as _

from huike.core.forms import ConsoleForm


class PickPairForm(ConsoleForm):
    """Two guests by their number (#123) or by phone."""

    first = forms.CharField(label=_("First guest"), max_length=30)
    second = forms.CharField(label=_("Second guest"), max_length=30)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first", "second"):
            self.fields[name].widget.attrs["placeholder"] = _("Guest number or phone")


class MergeForm(ConsoleForm):
    survivor = forms.TypedChoiceField(
        label=_("Keep this profile"), coerce=int, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        required=False,
        help_text=_("For example: the same guest booked with a second phone."),
    )

    def __init__(self, *args, first, second, suggested: int, **kwargs):
        kwargs.setdefault("initial", {"survivor": suggested})
        super().__init__(*args, **kwargs)
        self.fields["survivor"].choices = [
            (guest.pk, f"#{guest.pk} {guest}") for guest in (first, second)
        ]


class UndoMergeForm(ConsoleForm):
    reason = forms.CharField(label=_("Reason for the undo"), max_length=200)
