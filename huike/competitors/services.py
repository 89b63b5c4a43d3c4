"""Every write of the competitors app (G6): competitors and partners, their dated notes and
their dishes with prices. One function per business action, one transaction each,
permission-checked (``competitors.manage``) and audited. Prices are CNY decimals, never
negative, never floats."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.money import cny
from huike.core.permissions import check_perm, restrict
from huike.core.services import delete_audited, only_known_fields, save_changes, save_new
from huike.menu.models import Dish
from huike.menu.services import price_error

from . import permissions as perms
from .models import Competitor, CompetitorDish, CompetitorNote

TEXT_FIELDS = ("name", "brand", "cuisine", "city", "address", "phone", "website", "notes")
COMPETITOR_FIELDS = {"kind", *TEXT_FIELDS, "average_spend", "active"}
DISH_FIELDS = {"name", "category", "price", "observed_at", "our_dish"}


def _money(name: str, value, *, required: bool):
    """``value`` as a CNY decimal (None when optional and empty); a bad one is a field error."""
    if value is None or value == "":
        if required:
            raise errors.InvalidInput(fields={name: [_("This field is required.")]})
        return None
    problem = price_error(value)
    if problem:
        raise errors.InvalidInput(fields={name: [problem]})
    return cny(value)


def _strip(data: dict) -> dict:
    for name in (*TEXT_FIELDS, "category", "text"):
        if isinstance(data.get(name), str):
            data[name] = data[name].strip()
    return data


def _our_dish(value, *, user) -> Dish | None:
    """Our dish (by instance or id) of the active tenant, or None; anything else is a field
    error (a dish of another brand group is "not found", as one that does not exist)."""
    if value is None or value == "":
        return None
    pk = value.pk if isinstance(value, Dish) else value
    try:
        return restrict(Dish.objects.all(), user).get(pk=pk)
    except (Dish.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.InvalidInput(fields={"our_dish": [_("Not found.")]}) from exc


# --- Competitors -----------------------------------------------------------------------------
@transaction.atomic
def competitor_create(
    *,
    acting_user,
    name: str,
    kind: str = Competitor.Kind.COMPETITOR,
    brand: str = "",
    cuisine: str = "",
    city: str = "",
    address: str = "",
    average_spend=None,
    phone: str = "",
    website: str = "",
    notes: str = "",
    active: bool = True,
) -> Competitor:
    check_perm(acting_user, perms.MANAGE_COMPETITORS)
    data = _strip(
        {
            "name": name or "",
            "brand": brand or "",
            "cuisine": cuisine or "",
            "city": city or "",
            "address": address or "",
            "phone": phone or "",
            "website": website or "",
            "notes": notes or "",
        }
    )
    competitor = Competitor(
        kind=kind,
        average_spend=_money("average_spend", average_spend, required=False),
        active=active,
        **data,
    )
    return save_new(competitor, actor=acting_user)


@transaction.atomic
def competitor_update(*, acting_user, competitor: Competitor, **changes) -> Competitor:
    check_perm(acting_user, perms.MANAGE_COMPETITORS)
    changes = _strip(dict(only_known_fields(changes, COMPETITOR_FIELDS)))
    for name in TEXT_FIELDS:
        if name in changes and changes[name] is None:
            changes[name] = ""
    if "average_spend" in changes:
        changes["average_spend"] = _money("average_spend", changes["average_spend"], required=False)
    return save_changes(competitor, actor=acting_user, changes=changes)


# --- Notes -----------------------------------------------------------------------------------
@transaction.atomic
def competitor_note_add(*, acting_user, competitor: Competitor, text: str) -> CompetitorNote:
    """A dated note on ``competitor``, signed by ``acting_user``."""
    check_perm(acting_user, perms.MANAGE_COMPETITORS)
    note = CompetitorNote(competitor=competitor, text=(text or "").strip(), author=acting_user)
    return save_new(note, actor=acting_user)


# --- Dishes ----------------------------------------------------------------------------------
@transaction.atomic
def competitor_dish_add(
    *,
    acting_user,
    competitor: Competitor,
    name: str,
    price,
    observed_at: dt.date,
    category: str = "",
    our_dish=None,
) -> CompetitorDish:
    check_perm(acting_user, perms.MANAGE_COMPETITORS)
    dish = CompetitorDish(
        competitor=competitor,
        name=(name or "").strip(),
        category=(category or "").strip(),
        price=_money("price", price, required=True),
        observed_at=observed_at,
        our_dish=_our_dish(our_dish, user=acting_user),
    )
    return save_new(dish, actor=acting_user)


@transaction.atomic
def competitor_dish_update(*, acting_user, dish: CompetitorDish, **changes) -> CompetitorDish:
    check_perm(acting_user, perms.MANAGE_COMPETITORS)
    changes = _strip(dict(only_known_fields(changes, DISH_FIELDS)))
    if "price" in changes:
        changes["price"] = _money("price", changes["price"], required=True)
    if "our_dish" in changes:
        changes["our_dish"] = _our_dish(changes["our_dish"], user=acting_user)
    if "category" in changes and changes["category"] is None:
        changes["category"] = ""
    return save_changes(dish, actor=acting_user, changes=changes)


@transaction.atomic
def competitor_dish_delete(*, acting_user, dish: CompetitorDish) -> None:
    check_perm(acting_user, perms.MANAGE_COMPETITORS)
    delete_audited(dish, actor=acting_user)
