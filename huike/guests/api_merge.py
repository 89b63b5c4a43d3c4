"""Dedupe and merge API (G4): /api/v1/guests/duplicates (the candidate pairs, a scan, dismissing a
pair) and /api/v1/guests/merges (merge two guests, the records, undo by HQ). Thin: schema in,
service or selector, schema out. Guests appear as the caller's guest sheet shows them."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from huike.core.idempotency import respond_once
from huike.core.permissions import check_perm, visible_fields
from huike.core.schemas import MAX_PAGE
from huike.core.tenancy import require_active_tenant
from huike.org.schemas import StrictIn

from . import merge_selectors as selectors
from . import permissions as perms
from .dedupe import candidate_dismiss
from .merging import guest_merge, guest_merge_undo

router = Router(tags=["guests"])


class GuestBriefOut(Schema):
    id: int
    name: str
    phone: str


class CandidateOut(Schema):
    id: int
    guest_a: GuestBriefOut
    guest_b: GuestBriefOut
    reason: str
    reason_label: str
    score: int
    found_at: dt.datetime


class CandidatePage(Schema):
    count: int
    items: list[CandidateOut]


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0)


class MovedOut(Schema):
    kind: str
    label: str
    count: int


class MergeOut(Schema):
    id: int
    survivor: GuestBriefOut
    merged: GuestBriefOut
    moved: list[MovedOut]
    filled: list[str]
    reason: str
    merged_by: str
    merged_at: dt.datetime
    undone_at: dt.datetime | None
    undone_by: str
    undo_reason: str


class MergePage(Schema):
    count: int
    items: list[MergeOut]


class MergeIn(StrictIn):
    survivor: int = Field(..., description="The guest that is kept")
    merged: int = Field(..., description="The duplicate, merged into the survivor")
    reason: str = Field(default="", max_length=200)


class UndoIn(StrictIn):
    reason: str = Field(default="", max_length=200)


class ScanOut(Schema):
    queued: bool


@router.get("/guests/duplicates", response=CandidatePage, summary="Possible duplicate guests")
def list_candidates(request, query: Query[PageQuery]):
    candidates = selectors.candidates_for_user(user=request.user)
    visible = visible_fields(request.user, "guest")
    page = candidates[query.offset : query.offset + query.limit]
    return {
        "count": candidates.count(),
        "items": [
            selectors.candidate_item(user=request.user, candidate=c, visible=visible) for c in page
        ],
    }


@router.post(
    "/guests/duplicates/scan",
    response={202: ScanOut},
    summary="Queue a duplicate scan of the brand group (also run nightly)",
)
def scan_candidates(request):
    from .tasks import duplicate_scan_tenant

    check_perm(request.user, perms.MERGE_GUESTS)
    duplicate_scan_tenant(require_active_tenant().pk)
    return Status(202, {"queued": True})


@router.post(
    "/guests/duplicates/{candidate_id}/dismiss",
    response=CandidateOut,
    summary="Not the same person: the pair is not offered again",
)
def dismiss_candidate(request, candidate_id: int):
    candidate = selectors.candidate_get(user=request.user, candidate_id=candidate_id)
    candidate = candidate_dismiss(acting_user=request.user, candidate=candidate)
    visible = visible_fields(request.user, "guest")
    return selectors.candidate_item(user=request.user, candidate=candidate, visible=visible)


@router.get("/guests/merges", response=MergePage, summary="Guest merges, latest first")
def list_merges(request, query: Query[PageQuery]):
    merges = selectors.merges_for_user(user=request.user)
    visible = visible_fields(request.user, "guest")
    page = merges[query.offset : query.offset + query.limit]
    return {
        "count": merges.count(),
        "items": [selectors.merge_item(user=request.user, merge=m, visible=visible) for m in page],
    }


@router.post("/guests/merges", response={201: MergeOut}, summary="Merge a duplicate guest")
def create_merge(request, response: HttpResponse, payload: MergeIn):
    def perform():
        survivor = selectors.merge_guest_get(
            user=request.user, guest_id=payload.survivor, field="survivor"
        )
        merged = selectors.merge_guest_get(
            user=request.user, guest_id=payload.merged, field="merged"
        )
        merge = guest_merge(
            acting_user=request.user, survivor=survivor, merged=merged, reason=payload.reason
        )
        return 201, selectors.merge_item(user=request.user, merge=merge)

    return respond_once(request, response, scope="guests.merge", perform=perform)


@router.get("/guests/merges/{merge_id}", response=MergeOut, summary="One guest merge")
def get_merge(request, merge_id: int):
    merge = selectors.merge_get(user=request.user, merge_id=merge_id)
    return selectors.merge_item(user=request.user, merge=merge)


@router.post(
    "/guests/merges/{merge_id}/undo",
    response=MergeOut,
    summary="Undo a merge (HQ): the same rows move back, the duplicate is a guest again",
)
def undo_merge(request, response: HttpResponse, merge_id: int, payload: UndoIn):
    def perform():
        merge = selectors.merge_get(user=request.user, merge_id=merge_id)
        merge = guest_merge_undo(acting_user=request.user, merge=merge, reason=payload.reason)
        return 200, selectors.merge_item(user=request.user, merge=merge)

    return respond_once(request, response, scope=f"guests.merge_undo:{merge_id}", perform=perform)
