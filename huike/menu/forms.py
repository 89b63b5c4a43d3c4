"""Console forms of the menu app: they parse input; the services validate and write. Prices are
read as text and handed to the services, which parse them as CNY decimals (never floats)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from huike.core.forms import ConsoleForm

from . import selectors
from .models import Dish, DishCategory


class CategoryForm(ConsoleForm):
    name = forms.CharField(label=_("Name"), max_length=60)
    sort_order = forms.IntegerField(
        label=_("Sort order"), min_value=0, max_value=100_000, initial=0
    )

    @staticmethod
    def initial_for(category: DishCategory) -> dict:
        return {"name": category.name, "sort_order": category.sort_order}


def _price_field(label, *, required: bool = True) -> forms.CharField:
    field = forms.CharField(label=label, required=required, max_length=20)
    field.widget.attrs.update({"inputmode": "decimal", "placeholder": "0.00"})
    return field


class DishForm(ConsoleForm):
    category = forms.ModelChoiceField(label=_("Category"), queryset=DishCategory.all_tenants.none())
    code = forms.CharField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=60)
    unit = forms.CharField(label=_("Unit"), max_length=10, initial="份")
    kind = forms.ChoiceField(label=_("Kind"), choices=Dish.Kind.choices, initial=Dish.Kind.DISH)
    price_regular = _price_field(_("Regular price"))
    price_hall = _price_field(_("Hall price"))
    price_vip_room = _price_field(_("VIP-room price"))
    service_charge = _price_field(_("Service charge"), required=False)
    discountable = forms.BooleanField(label=_("Discountable"), required=False, initial=True)
    recommended = forms.BooleanField(label=_("Recommended"), required=False)
    featured = forms.BooleanField(label=_("Featured for push"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = selectors.category_list(user=user)

    def clean_service_charge(self):
        return self.cleaned_data.get("service_charge") or "0"

    @staticmethod
    def initial_for(dish: Dish) -> dict:
        return {
            "category": dish.category_id,
            "code": dish.code,
            "name": dish.name,
            "unit": dish.unit,
            "kind": dish.kind,
            "price_regular": f"{dish.price_regular:.2f}",
            "price_hall": f"{dish.price_hall:.2f}",
            "price_vip_room": f"{dish.price_vip_room:.2f}",
            "service_charge": f"{dish.service_charge:.2f}",
            "discountable": dish.discountable,
            "recommended": dish.recommended,
            "featured": dish.featured,
            "active": dish.active,
        }


ACTIVE_CHOICES = [("", _("Active and inactive")), ("yes", _("Active")), ("no", _("Inactive"))]


class DishFilterForm(ConsoleForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=60)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=DishCategory.all_tenants.none(),
        required=False,
        empty_label=_("All categories"),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Dish.Kind.choices]
    )
    active = forms.ChoiceField(label=_("Active"), required=False, choices=ACTIVE_CHOICES)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = selectors.category_list(user=user)
        self.fields["q"].widget.attrs["placeholder"] = _("Name or code")

    def selector_filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "search": data.get("q", ""),
            "category": data.get("category"),
            "kind": data.get("kind") or None,
            "active": {"yes": True, "no": False}.get(data.get("active") or ""),
        }


class DishImportForm(ConsoleForm):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        help_text=_("The layout of the export: one header row, then one dish per row."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = (
            ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
