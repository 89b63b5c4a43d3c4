"""Every write of member recruitment: set, change and remove targets (one transaction each,
permission-checked, audited). A store manager sets targets for their own store(s) only (their
row scope); HQ for every store. Two targets of the same store and staff member (or two of the
store itself) never overlap in time: checked under the store's row lock."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.permissions import check_perm, restrict
from huike.core.services import delete_audited, save_changes, save_new
from huike.org.models import Staff, Store

from . import permissions as perms
from .models import RecruitmentTarget

MAX_TARGET = 1_000_000
MAX_DAYS = 366
EDITABLE = {"staff", "period_start", "period_end", "target"}


def _date(value, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError as exc:
        raise errors.InvalidInput(fields={field: [_("Enter a date, e.g. 2026-05-01.")]}) from exc


def _count(value) -> int:
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise errors.InvalidInput(fields={"target": [_("Enter a whole number.")]})
    if value <= 0:
        raise errors.InvalidInput(fields={"target": [_("Must be more than %(n)s.") % {"n": 0}]})
    if value > MAX_TARGET:
        raise errors.InvalidInput(fields={"target": [_("This amount is too large.")]})
    return value


def _store(acting_user, store) -> Store:
    """A store within the user's row scope (a manager's own), locked; else a field error."""
    if store in (None, ""):
        raise errors.InvalidInput(fields={"store": [_("This field is required.")]})
    pk = store.pk if isinstance(store, Store) else store
    try:
        return restrict(Store.objects.select_for_update(), acting_user).get(pk=pk)
    except (Store.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.InvalidInput(fields={"store": [_("Not found.")]}) from exc


def _staff(store: Store, staff) -> Staff | None:
    if staff in (None, ""):
        return None
    pk = staff.pk if isinstance(staff, Staff) else staff
    try:
        found = Staff.objects.get(pk=pk)
    except (Staff.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.InvalidInput(fields={"staff": [_("Not found.")]}) from exc
    if found.store_id != store.pk:
        raise errors.InvalidInput(
            fields={"staff": [_("This staff member works at another store.")]}
        )
    return found


def _check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise errors.InvalidInput(
            fields={"period_end": [_("The end must not be before the start.")]}
        )
    if (end - start).days + 1 > MAX_DAYS:
        raise errors.InvalidInput(
            fields={"period_end": [_("At most %(n)s days.") % {"n": MAX_DAYS}]}
        )


def _check_no_overlap(target: RecruitmentTarget) -> None:
    """Call with the store's row locked: no other target of the same store and staff member
    (or of the store itself) shares a day with this one."""
    others = RecruitmentTarget.objects.filter(
        store_id=target.store_id,
        period_start__lte=target.period_end,
        period_end__gte=target.period_start,
    ).exclude(pk=target.pk)
    others = (
        others.filter(staff_id=target.staff_id)
        if target.staff_id
        else others.filter(staff__isnull=True)
    )
    clash = others.order_by("period_start").first()
    if clash is not None:
        raise errors.InvalidInput(
            fields={
                "period_start": [
                    _("Overlaps the target from %(start)s to %(end)s.")
                    % {"start": clash.period_start, "end": clash.period_end}
                ]
            },
            code="target_overlaps",
        )


@transaction.atomic
def target_create(
    *, acting_user, store, period_start, period_end, target: int, staff=None
) -> RecruitmentTarget:
    """Set a target of new members (发展目标) for a store, or a staff member of it, over a
    period of the store's local dates (both ends included)."""
    check_perm(acting_user, perms.MANAGE)
    store = _store(acting_user, store)
    row = RecruitmentTarget(
        store=store,
        staff=_staff(store, staff),
        period_start=_date(period_start, "period_start"),
        period_end=_date(period_end, "period_end"),
        target=_count(target),
        created_by=acting_user if acting_user is not None and acting_user.pk else None,
    )
    _check_period(row.period_start, row.period_end)
    _check_no_overlap(row)
    return save_new(row, actor=acting_user)


@transaction.atomic
def target_update(
    *, acting_user, recruitment_target: RecruitmentTarget, **changes
) -> RecruitmentTarget:
    """Change a target's staff member, period or count (the store stays)."""
    check_perm(acting_user, perms.MANAGE)
    unknown = sorted(set(changes) - EDITABLE)
    if unknown:
        raise errors.InvalidInput(fields={name: [_("Unknown field.")] for name in unknown})
    store = _store(acting_user, recruitment_target.store_id)
    row = RecruitmentTarget.objects.select_for_update().get(pk=recruitment_target.pk)
    fields = {}
    if "staff" in changes:
        fields["staff"] = _staff(store, changes["staff"])
    for name in ("period_start", "period_end"):
        if name in changes:
            fields[name] = _date(changes[name], name)
    if "target" in changes:
        fields["target"] = _count(changes["target"])
    _check_period(
        fields.get("period_start", row.period_start), fields.get("period_end", row.period_end)
    )
    probe = RecruitmentTarget(
        pk=row.pk,
        store_id=row.store_id,
        staff_id=fields["staff"].pk
        if fields.get("staff")
        else (None if "staff" in fields else row.staff_id),
        period_start=fields.get("period_start", row.period_start),
        period_end=fields.get("period_end", row.period_end),
    )
    _check_no_overlap(probe)
    return save_changes(row, actor=acting_user, changes=fields)


@transaction.atomic
def target_delete(*, acting_user, recruitment_target: RecruitmentTarget) -> None:
    check_perm(acting_user, perms.MANAGE)
    _store(acting_user, recruitment_target.store_id)
    delete_audited(RecruitmentTarget.objects.get(pk=recruitment_target.pk), actor=acting_user)
