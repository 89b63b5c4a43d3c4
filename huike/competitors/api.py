"""Competitors API (G6): /api/v1/competitors with their notes and dishes, and
/api/v1/competitors/comparison. Thin: schema in, service or selector, schema out."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Query, Router, Status

from huike.core.idempotency import respond_once
from huike.core.permissions import check_perm, get_for_user

from . import permissions as perms
from . import selectors, services
from .models import Competitor, CompetitorDish
from .schemas import (
    ComparisonOut,
    CompetitorIn,
    CompetitorOut,
    CompetitorPatch,
    DishIn,
    DishOut,
    DishPatch,
    Kind,
    NoteIn,
    NoteOut,
    Tier,
)

router = Router(tags=["competitors"])


def _json(schema, obj) -> dict:
    return schema.model_validate(obj, from_attributes=True).model_dump(mode="json")


def _competitor(request, competitor_id: int) -> Competitor:
    check_perm(request.user, perms.VIEW_COMPETITORS)
    return get_for_user(Competitor.objects.all(), request.user, pk=competitor_id)


def _dish(request, competitor_id: int, dish_id: int) -> CompetitorDish:
    competitor = _competitor(request, competitor_id)
    return get_for_user(
        CompetitorDish.objects.filter(competitor=competitor), request.user, pk=dish_id
    )


def _comparison(rows, tier: str) -> dict:
    return {
        "tier": tier,
        "rows": [
            {
                "dish": row.dish.pk,
                "code": row.dish.code,
                "name": row.dish.name,
                "price_regular": row.dish.price_regular,
                "price_hall": row.dish.price_hall,
                "our_price": row.our_price,
                "entries": [
                    {
                        "competitor": e.competitor.pk,
                        "competitor_name": e.competitor.name,
                        "dish": e.dish.pk,
                        "dish_name": e.dish.name,
                        "observed_at": e.dish.observed_at,
                        "price": e.price,
                        "difference": e.difference,
                        "percent": e.percent,
                    }
                    for e in row.entries
                ],
            }
            for row in rows
        ],
    }


@router.get("/competitors", response=list[CompetitorOut], summary="List competitors and partners")
def list_competitors(
    request,
    kind: Kind | None = None,
    active: bool | None = None,
    search: str = Query("", max_length=80),
):
    check_perm(request.user, perms.VIEW_COMPETITORS)
    return selectors.competitor_list(user=request.user, kind=kind, active=active, search=search)


@router.post("/competitors", response={201: CompetitorOut}, summary="Record a competitor")
def create_competitor(request, response: HttpResponse, payload: CompetitorIn):
    def perform():
        competitor = services.competitor_create(acting_user=request.user, **payload.model_dump())
        return 201, _json(CompetitorOut, competitor)

    return respond_once(request, response, scope="competitors.create", perform=perform)


@router.get(
    "/competitors/comparison",
    response=ComparisonOut,
    summary="Our dishes' prices against the competitors' comparable dishes",
)
def comparison(request, tier: Tier = "regular"):
    check_perm(request.user, perms.VIEW_COMPETITORS)
    return _comparison(selectors.price_comparison(user=request.user, tier=tier), tier)


@router.get("/competitors/{competitor_id}", response=CompetitorOut, summary="One competitor")
def get_competitor(request, competitor_id: int):
    return _competitor(request, competitor_id)


@router.patch("/competitors/{competitor_id}", response=CompetitorOut, summary="Change one")
def update_competitor(request, competitor_id: int, payload: CompetitorPatch):
    competitor = _competitor(request, competitor_id)
    return services.competitor_update(
        acting_user=request.user, competitor=competitor, **payload.model_dump(exclude_unset=True)
    )


@router.get(
    "/competitors/{competitor_id}/notes", response=list[NoteOut], summary="Notes, newest first"
)
def list_notes(request, competitor_id: int):
    competitor = _competitor(request, competitor_id)
    return selectors.competitor_notes(competitor=competitor)


@router.post(
    "/competitors/{competitor_id}/notes", response={201: NoteOut}, summary="Add a dated note"
)
def add_note(request, competitor_id: int, payload: NoteIn):
    competitor = _competitor(request, competitor_id)
    note = services.competitor_note_add(
        acting_user=request.user, competitor=competitor, text=payload.text
    )
    return Status(201, note)


@router.get("/competitors/{competitor_id}/dishes", response=list[DishOut], summary="Their dishes")
def list_dishes(request, competitor_id: int):
    competitor = _competitor(request, competitor_id)
    return selectors.competitor_dishes(competitor=competitor)


@router.post(
    "/competitors/{competitor_id}/dishes", response={201: DishOut}, summary="Record a dish"
)
def add_dish(request, competitor_id: int, payload: DishIn):
    competitor = _competitor(request, competitor_id)
    dish = services.competitor_dish_add(
        acting_user=request.user, competitor=competitor, **payload.model_dump()
    )
    return Status(201, dish)


@router.patch(
    "/competitors/{competitor_id}/dishes/{dish_id}", response=DishOut, summary="Change a dish"
)
def update_dish(request, competitor_id: int, dish_id: int, payload: DishPatch):
    dish = _dish(request, competitor_id, dish_id)
    return services.competitor_dish_update(
        acting_user=request.user, dish=dish, **payload.model_dump(exclude_unset=True)
    )


@router.delete(
    "/competitors/{competitor_id}/dishes/{dish_id}",
    response={204: None},
    summary="Delete a dish",
)
def delete_dish(request, competitor_id: int, dish_id: int):
    dish = _dish(request, competitor_id, dish_id)
    services.competitor_dish_delete(acting_user=request.user, dish=dish)
    return Status(204, None)
