"""Reads of the competitors app: the list, a competitor's notes and dishes, and the price
comparison of our dishes with the competitors' comparable ones (exact Decimal maths)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.money import cny
from huike.core.permissions import restrict
from huike.menu.models import Dish

from .models import Competitor, CompetitorDish, CompetitorNote

PERCENT_PLACE = Decimal("0.1")
TIERS = {Dish.PriceTier.REGULAR: "price_regular", Dish.PriceTier.HALL: "price_hall"}


def competitor_list(
    *, user, kind: str | None = None, active: bool | None = None, search: str = ""
) -> QuerySet[Competitor]:
    """Competitors and partners the user may see, each with ``dish_count``; ``search``
    matches name, brand, cuisine or city."""
    competitors = restrict(Competitor.objects.all(), user).annotate(dish_count=Count("dishes"))
    if kind:
        competitors = competitors.filter(kind=kind)
    if active is not None:
        competitors = competitors.filter(active=active)
    search = (search or "").strip()
    if search:
        competitors = competitors.filter(
            Q(name__icontains=search)
            | Q(brand__icontains=search)
            | Q(cuisine__icontains=search)
            | Q(city__icontains=search)
        )
    return competitors.order_by("name", "pk")


def competitor_notes(*, competitor: Competitor) -> QuerySet[CompetitorNote]:
    """The notes on ``competitor``, newest first, with their authors."""
    return CompetitorNote.objects.filter(competitor=competitor).select_related("author")


def competitor_dishes(*, competitor: Competitor) -> QuerySet[CompetitorDish]:
    """The dishes of ``competitor`` with our comparable dish joined."""
    return CompetitorDish.objects.filter(competitor=competitor).select_related("our_dish")


def price_difference(ours: Decimal, theirs: Decimal) -> tuple[Decimal, Decimal | None]:
    """``(theirs - ours, percent of ours)``; positive: they charge more. The percent has one
    decimal place, rounded half up, and is None when our price is zero."""
    difference = cny(theirs) - cny(ours)
    if cny(ours) == 0:
        return difference, None
    percent = (difference * 100 / cny(ours)).quantize(PERCENT_PLACE, rounding=ROUND_HALF_UP)
    return difference, percent


@dataclass
class ComparisonEntry:
    competitor: Competitor
    dish: CompetitorDish
    price: Decimal
    difference: Decimal
    percent: Decimal | None


@dataclass
class ComparisonRow:
    dish: Dish
    our_price: Decimal
    entries: list[ComparisonEntry] = field(default_factory=list)


def price_comparison(*, user, tier: str = Dish.PriceTier.REGULAR) -> list[ComparisonRow]:
    """For each of our dishes linked from an active competitor's dish: our price at ``tier``
    (regular or hall) against each competitor's latest observed price for it."""
    if tier not in TIERS:
        raise errors.InvalidInput(
            fields={"tier": [_("Choose one of: %(options)s.") % {"options": ", ".join(TIERS)}]}
        )
    competitors = restrict(Competitor.objects.filter(active=True), user)
    linked = (
        CompetitorDish.objects.filter(competitor__in=competitors, our_dish__isnull=False)
        .select_related("competitor", "our_dish")
        .order_by("-observed_at", "-pk")
    )
    rows: dict[int, ComparisonRow] = {}
    seen: set[tuple[int, int]] = set()
    for theirs in linked:
        key = (theirs.our_dish_id, theirs.competitor_id)
        if key in seen:
            continue  # an older observation of the same dish at the same competitor
        seen.add(key)
        ours = theirs.our_dish
        row = rows.get(ours.pk)
        if row is None:
            row = rows[ours.pk] = ComparisonRow(dish=ours, our_price=getattr(ours, TIERS[tier]))
        difference, percent = price_difference(row.our_price, theirs.price)
        row.entries.append(
            ComparisonEntry(theirs.competitor, theirs, theirs.price, difference, percent)
        )
    for row in rows.values():
        row.entries.sort(key=lambda e: (e.competitor.name, e.competitor.pk))
    return sorted(rows.values(), key=lambda r: (r.dish.code, r.dish.pk))
