"""Console forms of the competitors app: they parse input; the services validate and write.
Amounts are read as text and parsed by the services as CNY decimals."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huike.core.forms import ConsoleForm
from huike.menu import selectors as menu_selectors
from huike.menu.models import Dish

from .models import Competitor, CompetitorDish


def _money_field(label, *, required: bool) -> forms.CharField:
    field = forms.CharField(label=label, required=required, max_length=20)
    field.widget.attrs.update({"inputmode": "decimal", "placeholder": "0.00"})
    return field


class CompetitorForm(ConsoleForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Competitor.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=80)
    brand = forms.CharField(label=_("Brand"), max_length=80, required=False)
    cuisine = forms.CharField(label=_("Cuisine"), max_length=40, required=False)
    city = forms.CharField(label=_("City"), max_length=40, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    average_spend = _money_field(_("Average spend per head"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    website = forms.CharField(label=_("Website"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("Notes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    @staticmethod
    def initial_for(competitor: Competitor) -> dict:
        spend = competitor.average_spend
        return {
            "kind": competitor.kind,
            "name": competitor.name,
            "brand": competitor.brand,
            "cuisine": competitor.cuisine,
            "city": competitor.city,
            "address": competitor.address,
            "average_spend": f"{spend:.2f}" if spend is not None else "",
            "phone": competitor.phone,
            "website": competitor.website,
            "notes": competitor.notes,
            "active": competitor.active,
        }


class NoteForm(ConsoleForm):
    text = forms.CharField(
        label=_("Note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CompetitorDishForm(ConsoleForm):
    name = forms.CharField(label=_("Dish"), max_length=80)
    category = forms.CharField(label=_("Category"), max_length=40, required=False)
    price = _money_field(_("Price"), required=True)
    observed_at = forms.DateField(
        label=_("Observed on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    our_dish = forms.ModelChoiceField(
        label=_("Our comparable dish"),
        queryset=Dish.all_tenants.none(),
        required=False,
        empty_label=_("None"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["our_dish"].queryset = menu_selectors.dish_list(user=user)
        self.fields["observed_at"].initial = timezone.localdate()

    @staticmethod
    def initial_for(dish: CompetitorDish) -> dict:
        return {
            "name": dish.name,
            "category": dish.category,
            "price": f"{dish.price:.2f}",
            "observed_at": dish.observed_at,
            "our_dish": dish.our_dish_id,
        }


ACTIVE_CHOICES = [("", _("Active and inactive")), ("yes", _("Active")), ("no", _("Inactive"))]


class CompetitorFilterForm(ConsoleForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=80)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Competitors and partners")), *Competitor.Kind.choices],
    )
    active = forms.ChoiceField(label=_("Active"), required=False, choices=ACTIVE_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Name, brand, cuisine or city")

    def selector_filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "search": data.get("q", ""),
            "kind": data.get("kind") or None,
            "active": {"yes": True, "no": False}.get(data.get("active") or ""),
        }


class ComparisonForm(ConsoleForm):
    tier = forms.ChoiceField(
        label=_("Our price"),
        required=False,
        choices=[
            (Dish.PriceTier.REGULAR, _("regular price")),
            (Dish.PriceTier.HALL, _("hall price")),
        ],
    )

    def tier_value(self) -> str:
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("tier") or Dish.PriceTier.REGULAR
