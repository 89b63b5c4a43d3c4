"""Reads of member recruitment: targets the user may see, and progress counted from the
membership cards: cards issued at the store (and signed up by the staff member) with
``issued_at`` on the period's local dates. A card issued as a replacement of another is not a
new member and never counts (decision 0017)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.permissions import check_perm, get_for_user, restrict
from huike.core.timeutils import day_bounds, local_today
from huike.loyalty.models import MembershipCard
from huike.org.models import Staff, Store

from . import permissions as perms
from .models import RecruitmentTarget


@dataclass
class TargetProgress:
    target: RecruitmentTarget
    cards: int
    percent: int
    days_left: int


@dataclass
class StaffRank:
    staff: Staff
    cards: int
    targets: list[TargetProgress] = field(default_factory=list)


@dataclass
class StoreProgress:
    """One store over one period: its cards, its own targets, its staff ranked by cards."""

    store: Store
    start: dt.date
    end: dt.date
    cards: int
    targets: list[TargetProgress]
    ranking: list[StaffRank]
    others: int  # cards signed by someone who is not on the store's staff (or by nobody)


def month_of(period: str | None, *, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """``YYYY-MM`` → its first and last day; empty → the current month."""
    if not period:
        today = today or local_today()
        return today.replace(day=1), today.replace(
            day=calendar.monthrange(*today.timetuple()[:2])[1]
        )
    try:
        year, month = (int(part) for part in str(period).split("-"))
        first = dt.date(year, month, 1)
    except (ValueError, TypeError) as exc:
        raise errors.InvalidInput(fields={"period": [_("Enter a month, e.g. 2026-05.")]}) from exc
    return first, first.replace(day=calendar.monthrange(year, month)[1])


def new_member_cards(*, store: Store, start: dt.date, end: dt.date):
    """Cards issued at ``store`` on the local dates ``start``..``end``, replacements left out."""
    since = day_bounds(start, store.time_zone)[0]
    until = day_bounds(end, store.time_zone)[1]
    return MembershipCard.objects.filter(
        store=store, issued_at__gte=since, issued_at__lt=until, replaces__isnull=True
    )


def days_left(target: RecruitmentTarget, today: dt.date) -> int:
    """Days still to go, today included (the whole period before it starts, 0 after it)."""
    if today > target.period_end:
        return 0
    return (target.period_end - max(today, target.period_start)).days + 1


def target_progress(target: RecruitmentTarget, *, today: dt.date | None = None) -> TargetProgress:
    cards = new_member_cards(store=target.store, start=target.period_start, end=target.period_end)
    if target.staff_id:
        cards = (
            cards.filter(signed_up_by_id=target.staff.user_id)
            if target.staff.user_id
            else (cards.none())
        )
    count = cards.count()
    today = today or local_today(target.store.time_zone)
    return TargetProgress(target, count, count * 100 // target.target, days_left(target, today))


def target_list(*, user, store: int | None = None, start=None, end=None):
    """Targets of the stores the user may see; with ``start``/``end`` those overlapping."""
    check_perm(user, perms.VIEW)
    targets = restrict(RecruitmentTarget.objects.all(), user).select_related("store", "staff")
    if store is not None:
        targets = targets.filter(store_id=store)
    if start is not None and end is not None:
        targets = targets.filter(period_start__lte=end, period_end__gte=start)
    return targets.order_by("store__name", "staff__name", "period_start", "pk")


def target_get_for_user(*, user, target_id) -> RecruitmentTarget:
    check_perm(user, perms.VIEW)
    return get_for_user(
        RecruitmentTarget.objects.select_related("store", "staff"), user, pk=target_id
    )


def store_progress(*, store: Store, start: dt.date, end: dt.date, targets) -> StoreProgress:
    """``store`` over ``start``..``end``: cards, targets (each over its own period) and the
    ranking of its staff by cards signed in ``start``..``end``."""
    today = local_today(store.time_zone)
    cards = new_member_cards(store=store, start=start, end=end)
    by_user = dict(
        cards.order_by()
        .values_list("signed_up_by")
        .annotate(n=Count("pk"))
        .values_list("signed_up_by", "n")
    )
    mine = [t for t in targets if t.store_id == store.pk]
    staff_ids = {t.staff_id for t in mine if t.staff_id}
    staff = Staff.objects.filter(store=store, active=True) | Staff.objects.filter(pk__in=staff_ids)
    ranking = [
        StaffRank(
            s,
            by_user.get(s.user_id, 0) if s.user_id else 0,
            [target_progress(t, today=today) for t in mine if t.staff_id == s.pk],
        )
        for s in staff.distinct().order_by("name", "pk")
    ]
    ranking.sort(key=lambda r: -r.cards)
    total = sum(by_user.values())
    return StoreProgress(
        store=store,
        start=start,
        end=end,
        cards=total,
        targets=[target_progress(t, today=today) for t in mine if not t.staff_id],
        ranking=ranking,
        others=total - sum(r.cards for r in ranking),
    )


def progress(
    *, user, store: int | None = None, period: str | None = None, limit: int | None = None
) -> list[StoreProgress]:
    """Progress of every store the user may see (or one of them, or the first ``limit``) over
    a month."""
    check_perm(user, perms.VIEW)
    start, end = month_of(period)
    stores = restrict(Store.objects.filter(active=True), user).order_by("name", "pk")
    if store is not None:
        stores = stores.filter(pk=store)
        if not stores.exists():
            raise errors.NotFound()
    if limit is not None:
        stores = stores[:limit]
    targets = list(target_list(user=user, start=start, end=end))
    return [store_progress(store=s, start=start, end=end, targets=targets) for s in stores]


def target_data(target: RecruitmentTarget) -> dict:
    return {
        "id": target.pk,
        "store": target.store_id,
        "staff": target.staff_id,
        "period_start": target.period_start,
        "period_end": target.period_end,
        "target": target.target,
    }


def progress_data(item: TargetProgress) -> dict:
    return {
        **target_data(item.target),
        "cards": item.cards,
        "percent": item.percent,
        "days_left": item.days_left,
    }


def store_progress_data(item: StoreProgress) -> dict:
    return {
        "store": item.store.pk,
        "store_name": item.store.name,
        "period_start": item.start,
        "period_end": item.end,
        "cards": item.cards,
        "others": item.others,
        "targets": [progress_data(t) for t in item.targets],
        "ranking": [
            {
                "staff": r.staff.pk,
                "name": r.staff.name,
                "cards": r.cards,
                "targets": [progress_data(t) for t in r.targets],
            }
            for r in item.ranking
        ],
    }
