"""Console forms of rooms and tables: they parse input; ``huike.menu.tables`` validates and
writes. Minimum spend is read as text (the service parses CNY decimals)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from huike.core.forms import ConsoleForm

from .models import DiningTable, FloorArea


class AreaForm(ConsoleForm):
    name = forms.CharField(label=_("Name"), max_length=40)
    sort_order = forms.IntegerField(
        label=_("Sort order"), min_value=0, max_value=100_000, initial=0
    )


class TableForm(ConsoleForm):
    area = forms.ModelChoiceField(label=_("Area"), queryset=FloorArea.all_tenants.none())
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=40, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=DiningTable.Kind.choices, initial=DiningTable.Kind.TABLE
    )
    capacity_min = forms.IntegerField(label=_("Minimum seats"), min_value=1, initial=1)
    capacity_max = forms.IntegerField(label=_("Maximum seats"), min_value=1, initial=4)
    min_spend = forms.CharField(label=_("Minimum spend"), max_length=20, required=False)
    features = forms.CharField(
        label=_("Features"),
        max_length=200,
        required=False,
        help_text=_("Short tags separated by commas, e.g. 江景,K歌"),
    )
    combinable_with = forms.ModelMultipleChoiceField(
        label=_("Can be joined with"), queryset=DiningTable.all_tenants.none(), required=False
    )
    featured = forms.BooleanField(label=_("Featured for push"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    sort_order = forms.IntegerField(
        label=_("Sort order"), min_value=0, max_value=100_000, initial=0
    )

    def __init__(self, *args, store, table: DiningTable | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = FloorArea.objects.filter(store=store)
        others = DiningTable.objects.filter(store=store)
        if table is not None:
            others = others.exclude(pk=table.pk)
        self.fields["combinable_with"].queryset = others
        self.fields["min_spend"].widget.attrs.update({"inputmode": "decimal"})

    @staticmethod
    def initial_for(table: DiningTable) -> dict:
        return {
            "area": table.area_id,
            "code": table.code,
            "name": table.name,
            "kind": table.kind,
            "capacity_min": table.capacity_min,
            "capacity_max": table.capacity_max,
            "min_spend": f"{table.min_spend:.2f}",
            "features": table.features,
            "combinable_with": [t.pk for t in table.combinable_with.all()],
            "featured": table.featured,
            "active": table.active,
            "sort_order": table.sort_order,
        }
