"""Member recruitment API: /api/v1/recruitment — targets (list, create, update, delete) and
progress per store over a month. Thin: schema in, service or selector, schema out."""

from __future__ import annotations

from ninja import Query, Router, Status

from . import selectors, services
from .schemas import ProgressQuery, StoreProgressOut, TargetIn, TargetOut, TargetPatch, TargetQuery

router = Router(tags=["recruitment"])


@router.get("/recruitment/targets", response=list[TargetOut], summary="Recruitment targets")
def list_targets(request, query: Query[TargetQuery]):
    start, end = selectors.month_of(query.period) if query.period else (None, None)
    targets = selectors.target_list(user=request.user, store=query.store, start=start, end=end)
    return [selectors.target_data(t) for t in targets]


@router.post("/recruitment/targets", response={201: TargetOut}, summary="Set a target")
def create_target(request, payload: TargetIn):
    target = services.target_create(acting_user=request.user, **payload.model_dump())
    return Status(201, selectors.target_data(target))


@router.patch("/recruitment/targets/{target_id}", response=TargetOut, summary="Change a target")
def update_target(request, target_id: int, payload: TargetPatch):
    target = selectors.target_get_for_user(user=request.user, target_id=target_id)
    done = services.target_update(
        acting_user=request.user,
        recruitment_target=target,
        **payload.model_dump(exclude_unset=True),
    )
    return selectors.target_data(done)


@router.delete("/recruitment/targets/{target_id}", response={204: None}, summary="Remove a target")
def delete_target(request, target_id: int):
    target = selectors.target_get_for_user(user=request.user, target_id=target_id)
    services.target_delete(acting_user=request.user, recruitment_target=target)
    return Status(204, None)


@router.get(
    "/recruitment/progress",
    response=list[StoreProgressOut],
    summary="New members per store over a month: targets, percent, days left, staff ranking",
)
def get_progress(request, query: Query[ProgressQuery]):
    stores = selectors.progress(user=request.user, store=query.store, period=query.period)
    return [selectors.store_progress_data(s) for s in stores]
