"""Merging duplicate guests (G4), and undoing a merge.

``guest_merge`` folds a duplicate profile into the one that is kept: every row that belongs to
the duplicate moves to the survivor, the survivor's blank profile fields are filled from the
duplicate (and its free-text preferences and taboos are joined, never dropped), and the
duplicate stays behind as a redirect (``merged_into``), so its phone still finds the guest. A
``GuestMerge`` record keeps the ids of every row that moved and the fields that changed, which
is what lets an HQ admin undo the merge exactly.

Each app moves its own rows. An app with rows that belong to a guest gives itself a
``merging.py`` that calls ``register_mover`` (the orders app moves orders and recounts both
guests' history); the registry imports every installed app's ``merging`` module on first use,
as the 360 finds its sections, so loyalty, bookings and service records join without touching
this file.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huike.core import errors
from huike.core.permissions import check_perm
from huike.core.services import save_changes, save_new

from . import permissions as perms
from .autotags import guest_autotags_refresh
from .models import (
    CollectedFact,
    Guest,
    GuestContact,
    GuestMerge,
    GuestPhone,
    GuestTagging,
    ImportantDate,
    MergeCandidate,
)

# Move the rows of ``source`` to ``target``; return the ids moved.
MoveFn = Callable[[Guest, Guest], list[int]]
# Move the rows of these ids from ``source`` (the survivor) back to ``target`` (the duplicate).
MoveBackFn = Callable[[Guest, Guest, list[int]], None]


@dataclass(frozen=True)
class Mover:
    code: str
    label: object  # lazy translation: "orders", "phones" …
    move: MoveFn
    move_back: MoveBackFn
    order: int


_MOVERS: dict[str, Mover] = {}
_discovered = False
_lock = threading.Lock()


def register_mover(code: str, label, move: MoveFn, move_back: MoveBackFn, *, order: int) -> None:
    """Add (or replace, by ``code``) how one kind of row follows a guest merge. Both functions
    run inside the merge's transaction with both guests locked; ``move`` returns the ids it
    moved (kept in the merge record) and ``move_back`` gets the same ids on undo."""
    _MOVERS[code] = Mover(code, label, move, move_back, order)


def movers() -> list[Mover]:
    global _discovered
    if not _discovered:
        with _lock:
            if not _discovered:
                autodiscover_modules("merging")
                _discovered = True
    return sorted(_MOVERS.values(), key=lambda m: (m.order, m.code))


def mover_labels() -> dict[str, str]:
    return {m.code: str(m.label) for m in movers()}


# --- The guests app's own rows ------------------------------------------------------------------
def _moving(model, *, unless=None):
    """A mover for rows with a ``guest`` foreign key: all of them follow the guest, except
    those matching ``unless(target)`` (a Q of rows the survivor already has the like of)."""

    def move(source: Guest, target: Guest) -> list[int]:
        rows = model.objects.filter(guest=source)
        if unless is not None:
            rows = rows.exclude(unless(target))
        ids = sorted(rows.values_list("pk", flat=True))
        model.objects.filter(pk__in=ids).update(guest=target)
        return ids

    def move_back(source: Guest, target: Guest, ids: list[int]) -> None:
        model.objects.filter(guest=source, pk__in=ids).update(guest=target)

    return move, move_back


def _phone_held(target: Guest) -> Q:
    """A further phone the survivor already has (as primary or further phone) stays behind."""
    return Q(phone__in=[target.primary_phone, *target.phones.values_list("phone", flat=True)])


def _tag_held_or_auto(target: Guest) -> Q:
    """Rule tags stay (the rules are re-evaluated after); so does a tag the survivor has."""
    return Q(auto=True) | Q(tag_id__in=list(target.taggings.values_list("tag_id", flat=True)))


def _move_referrals(source: Guest, target: Guest) -> list[int]:
    """Guests the duplicate referred now name the survivor as their referrer."""
    ids = sorted(
        Guest.objects.filter(referrer=source).exclude(pk=target.pk).values_list("pk", flat=True)
    )
    Guest.objects.filter(pk__in=ids).update(referrer=target)
    return ids


def _move_referrals_back(source: Guest, target: Guest, ids: list[int]) -> None:
    Guest.objects.filter(referrer=source, pk__in=ids).update(referrer=target)


for _code, _label, _model, _unless, _order in [
    ("phones", gettext_lazy("phones"), GuestPhone, _phone_held, 10),
    ("dates", gettext_lazy("important dates"), ImportantDate, None, 20),
    ("contacts", gettext_lazy("contacts"), GuestContact, None, 30),
    ("tags", gettext_lazy("tags"), GuestTagging, _tag_held_or_auto, 40),
    ("facts", gettext_lazy("captured feedback"), CollectedFact, None, 50),
]:
    register_mover(_code, _label, *_moving(_model, unless=_unless), order=_order)
register_mover(
    "referrals", gettext_lazy("referred guests"), _move_referrals, _move_referrals_back, order=60
)


# --- Profile fields -----------------------------------------------------------------------------
# Taken from the duplicate when the survivor's is blank.
BLANK_FILLED = [
    "name",
    "surname",
    "title",
    "gender",
    "email",
    "birthday",
    "company",
    "job_title",
    "address",
    "referrer",
    "preferred_room",
    "meal_type",
    "home_store",
]
# Joined (survivor's first) so that no preference, and above all no allergy, is lost.
JOINED = ["taste_preferences", "dish_requirements", "likes", "taboos", "notes"]
JOINER = "；"
# The duplicate's primary phone, added to the survivor's phones (kept apart from what moved).
ADDED_PHONE = "added_phone"
CONSENT = ["marketing_consent", "consent_source", "consent_at"]


def _value(guest: Guest, field: str):
    """A field's stored value (ids for foreign keys), as kept in the merge record."""
    return getattr(guest, Guest._meta.get_field(field).attname)


def _json(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _filled_fields(survivor: Guest, duplicate: Guest) -> dict[str, tuple]:
    """{attname: (survivor's value, merged value)} for the fields the merge changes."""
    changes: dict[str, tuple] = {}
    for field in BLANK_FILLED:
        mine, theirs = _value(survivor, field), _value(duplicate, field)
        if mine in ("", None) and theirs not in ("", None) and theirs != survivor.pk:
            changes[Guest._meta.get_field(field).attname] = (mine, theirs)
    overflow = []  # joined text too long for its field goes to the notes (no length limit)
    for field in JOINED:
        mine, theirs = _value(survivor, field), _value(duplicate, field)
        if not theirs or theirs in mine:
            continue
        if field == "notes":
            theirs = JOINER.join([theirs, *overflow]) if overflow else theirs
        joined = f"{mine}{JOINER}{theirs}" if mine else theirs
        limit = Guest._meta.get_field(field).max_length
        if limit and len(joined) > limit:
            overflow.append(f"{Guest._meta.get_field(field).verbose_name}: {theirs}")
        else:
            changes[field] = (mine, joined)
    if overflow and "notes" not in changes:
        notes = JOINER.join(overflow)
        changes["notes"] = (survivor.notes, f"{survivor.notes}{JOINER}{notes}".lstrip(JOINER))
    if not survivor.marketing_consent and duplicate.marketing_consent:
        for field in CONSENT:
            changes[field] = (_value(survivor, field), _value(duplicate, field))
    return changes


# --- Merge and undo -----------------------------------------------------------------------------
def _lock_pair(first_pk: int, second_pk: int) -> tuple[Guest, Guest]:
    """Both guests, locked in id order (two merges of one pair never deadlock)."""
    locked = {
        g.pk: g
        for g in Guest.objects.select_for_update()
        .filter(pk__in=[first_pk, second_pk])
        .order_by("pk")
    }
    if len(locked) != 2:
        raise errors.NotFound()
    return locked[first_pk], locked[second_pk]


def _check_mergeable(survivor: Guest, duplicate: Guest) -> None:
    for guest, field in ((survivor, "survivor"), (duplicate, "merged")):
        if guest.merged_into_id:
            raise errors.InvalidInput(
                _("Guest #%(id)s was already merged into guest #%(into)s.")
                % {"id": guest.pk, "into": guest.merged_into_id},
                fields={field: [_("Already merged into another guest.")]},
                code="already_merged",
            )
        if guest.anonymised_at:
            raise errors.InvalidInput(
                _("Guest #%(id)s was erased and cannot be merged.") % {"id": guest.pk},
                fields={field: [_("This guest's personal data was erased.")]},
                code="erased",
            )


def guest_merge(*, acting_user, survivor: Guest, merged: Guest, reason: str = "") -> GuestMerge:
    """Merge ``merged`` into ``survivor``; returns the merge record. Refused for the same guest
    twice, for a guest already merged or erased, and for guests of another brand group (they
    are not found)."""
    check_perm(acting_user, perms.MERGE_GUESTS)
    if survivor.pk == merged.pk:
        raise errors.InvalidInput(
            _("A guest cannot be merged with itself."),
            fields={"merged": [_("Choose a different guest.")]},
            code="same_guest",
        )
    with transaction.atomic():
        survivor, merged = _lock_pair(survivor.pk, merged.pk)
        _check_mergeable(survivor, merged)
        moved = {mover.code: mover.move(merged, survivor) for mover in movers()}
        filled = _filled_fields(survivor, merged)
        if merged.primary_phone and not survivor.phones.filter(phone=merged.primary_phone).exists():
            phone = GuestPhone.objects.create(
                guest=survivor,
                phone=merged.primary_phone,
                label=_("from merged guest #%(id)s") % {"id": merged.pk},
            )
            moved[ADDED_PHONE] = [phone.pk]
        record = save_new(
            GuestMerge(
                survivor=survivor,
                merged=merged,
                moved={code: ids for code, ids in moved.items() if ids},
                filled={name: [_json(a), _json(b)] for name, (a, b) in filled.items()},
                reason=reason.strip()[:200],
                merged_by=acting_user,
                merged_at=timezone.now(),
            ),
            actor=acting_user,
        )
        # The survivor's profile (refreshed: the orders mover recounted its history).
        survivor.refresh_from_db()
        if filled:
            save_changes(
                survivor, actor=acting_user, changes={k: b for k, (a, b) in filled.items()}
            )
        merged.refresh_from_db()
        save_changes(merged, actor=acting_user, changes={"merged_into": survivor})
        MergeCandidate.objects.filter(guest_a_id__in=[survivor.pk, merged.pk]).delete()
        MergeCandidate.objects.filter(guest_b_id__in=[survivor.pk, merged.pk]).delete()
        _refresh_tags(survivor, merged)
    return record


def guest_merge_undo(*, acting_user, merge: GuestMerge, reason: str = "") -> GuestMerge:
    """Undo a merge: the same rows move back, the profile fields the merge filled get their
    old values back (unless edited since: then the edit stays), the duplicate is a guest of
    its own again. Only while the survivor has not itself been merged away since."""
    check_perm(acting_user, perms.UNDO_MERGE)
    with transaction.atomic():
        merge = GuestMerge.objects.select_for_update().get(pk=merge.pk)
        if merge.undone_at:
            raise errors.Conflict(_("This merge was already undone."), code="already_undone")
        survivor, merged = _lock_pair(merge.survivor_id, merge.merged_id)
        if survivor.merged_into_id:
            raise errors.Conflict(
                _("Guest #%(id)s was merged into guest #%(into)s since: undo that merge first.")
                % {"id": survivor.pk, "into": survivor.merged_into_id},
                code="merged_since",
            )
        if survivor.anonymised_at or merged.anonymised_at:
            raise errors.Conflict(
                _("One of the two guests was erased since; the merge cannot be undone."),
                code="erased",
            )
        for mover in reversed(movers()):
            ids = merge.moved.get(mover.code, [])
            if ids:
                mover.move_back(survivor, merged, ids)
        GuestPhone.objects.filter(guest=survivor, pk__in=merge.moved.get(ADDED_PHONE, [])).delete()
        survivor.refresh_from_db()
        restore, kept = {}, []
        for name, (before, after) in merge.filled.items():
            if _json(getattr(survivor, name)) == after:
                restore[name] = before
            else:
                kept.append(name)
        if restore:
            save_changes(survivor, actor=acting_user, changes=_restorable(restore))
        merged.refresh_from_db()
        save_changes(merged, actor=acting_user, changes={"merged_into": None})
        save_changes(
            merge,
            actor=acting_user,
            changes={
                "undone_at": timezone.now(),
                "undone_by": acting_user,
                "undo_reason": reason.strip()[:200],
            },
        )
        merge.kept_fields = kept
        _refresh_tags(survivor, merged)
    return merge


def _refresh_tags(*guests: Guest) -> None:
    """Rule tags follow the new histories (a merged-away guest loses its rule tags)."""
    for guest in guests:
        guest_autotags_refresh(guest=guest)


def _restorable(values: dict) -> dict:
    """Stored JSON back to field values (dates and times parsed by the field)."""
    restored = {}
    for attname, value in values.items():
        field = next(f for f in Guest._meta.concrete_fields if f.attname == attname)
        restored[attname] = field.to_python(value) if value is not None else None
    return restored
