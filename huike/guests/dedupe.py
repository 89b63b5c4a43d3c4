"""Finding guests that are probably one person (G4): the duplicate scan and its candidate list.

Three signs, strongest first:

* **same phone** — one number (E.164, so spelling differences are gone) on two profiles, as the
  primary phone of one and a further phone of the other, or a further phone of both;
* **same name and birthday**;
* **similar name with the same phone ending** — guests are grouped by the last four digits of
  any of their phones, and the names within a group are compared with RapidFuzz (``fuzz.ratio``,
  a normalised edit distance).

The scan runs nightly for every brand group and on demand from the duplicates page; it keeps
the pairs it finds as ``MergeCandidate`` rows, drops open pairs no longer found, and never
offers a pair again once staff dismissed it ("not the same person").
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

from django.conf import settings
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from rapidfuzz import fuzz
from rapidfuzz.process import extract

from huike.core.models import JobRun, Tenant
from huike.core.permissions import check_perm
from huike.core.services import save_changes
from huike.core.tenancy import require_active_tenant, tenant_context

from . import permissions as perms
from .models import Guest, GuestPhone, MergeCandidate

SCAN_JOB = "guest_duplicate_scan"
TAIL_DIGITS = 4
Reason = MergeCandidate.Reason
STRENGTH = {Reason.SAME_PHONE: 3, Reason.NAME_BIRTHDAY: 2, Reason.CLOSE_NAME: 1}


def _name_key(name: str) -> str:
    return "".join(name.split()).casefold()


def _pairs_sharing(groups) -> set[tuple[int, int]]:
    pairs = set()
    for ids in groups:
        if len(ids) > 1:
            pairs.update(combinations(sorted(ids), 2))
    return pairs


def find_candidates(guests, phones, *, threshold: int) -> dict[tuple[int, int], tuple[str, int]]:
    """The candidate pairs among ``guests`` (``(id, name, birthday, primary_phone)`` rows) and
    their further ``phones`` (``(guest_id, phone)``): ``{(a, b): (reason, score)}`` with
    ``a < b``, each pair under its strongest reason."""
    numbers: dict[str, set[int]] = defaultdict(set)
    names: dict[int, str] = {}
    by_name_birthday: dict[tuple, set[int]] = defaultdict(set)
    for pk, name, birthday, primary in guests:
        if primary:
            numbers[primary].add(pk)
        key = _name_key(name)
        if key:
            names[pk] = key
            if birthday:
                by_name_birthday[(key, birthday)].add(pk)
    for pk, phone in phones:
        numbers[phone].add(pk)

    found: dict[tuple[int, int], tuple[str, int]] = {}
    for pair in _pairs_sharing(by_name_birthday.values()):
        found[pair] = (Reason.NAME_BIRTHDAY, 100)
    for pair in _pairs_sharing(numbers.values()):
        found[pair] = (Reason.SAME_PHONE, 100)

    tails: dict[str, set[int]] = defaultdict(set)
    for number, ids in numbers.items():
        tails[number[-TAIL_DIGITS:]].update(pk for pk in ids if pk in names)
    for ids in tails.values():
        group = sorted(ids)
        for i, pk in enumerate(group[:-1]):
            later = {other: names[other] for other in group[i + 1 :]}
            matches = extract(
                names[pk], later, scorer=fuzz.ratio, score_cutoff=threshold, limit=None
            )
            for _name, score, other in matches:
                if (pk, other) not in found:
                    found[(pk, other)] = (Reason.CLOSE_NAME, round(score))
    return found


def duplicates_scan_tenant() -> dict:
    """Scan the active brand group; returns what changed."""
    tenant = require_active_tenant()
    eligible = Guest.objects.filter(merged_into__isnull=True, anonymised_at__isnull=True)
    guests = list(eligible.values_list("pk", "name", "birthday", "primary_phone").iterator())
    phones = list(
        GuestPhone.objects.filter(guest__in=eligible).values_list("guest_id", "phone").iterator()
    )
    found = find_candidates(guests, phones, threshold=settings.HUIKE_DUPLICATE_NAME_SIMILARITY)
    now = timezone.now()
    with transaction.atomic():
        known = {(c.guest_a_id, c.guest_b_id): c for c in MergeCandidate.objects.all()}
        stale = [c.pk for pair, c in known.items() if c.dismissed_at is None and pair not in found]
        MergeCandidate.objects.filter(pk__in=stale).delete()
        changed = []
        for pair, (reason, score) in found.items():
            candidate = known.get(pair)
            if candidate and candidate.dismissed_at is None:
                if (candidate.reason, candidate.score) != (reason, score):
                    candidate.reason, candidate.score = reason, score
                    changed.append(candidate)
        MergeCandidate.objects.bulk_update(changed, ["reason", "score"], batch_size=1000)
        new = [
            MergeCandidate(
                tenant=tenant,
                guest_a_id=a,
                guest_b_id=b,
                reason=reason,
                score=score,
                found_at=now,
            )
            for (a, b), (reason, score) in found.items()
            if (a, b) not in known
        ]
        MergeCandidate.objects.bulk_create(new, batch_size=1000)
    return {"found": len(found), "new": len(new), "dropped": len(stale)}


def duplicates_scan(*, acting_user=None, tenants=None) -> JobRun:
    """Scan the given brand groups (default: all), recorded as one JobRun. With an
    ``acting_user`` (the "scan now" button) their permission is checked first."""
    if acting_user is not None:
        check_perm(acting_user, perms.MERGE_GUESTS)
    started = timezone.now()
    detail = {}
    for tenant in tenants if tenants is not None else Tenant.objects.order_by("pk"):
        with tenant_context(tenant):
            detail[str(tenant.pk)] = duplicates_scan_tenant()
    return JobRun.objects.create(
        name=SCAN_JOB, started_at=started, finished_at=timezone.now(), ok=True, detail=detail
    )


def last_scan(tenant: Tenant) -> JobRun | None:
    """The latest scan that covered this brand group."""
    for run in JobRun.objects.filter(name=SCAN_JOB)[:50]:
        if str(tenant.pk) in run.detail:
            return run
    return None


def open_candidates():
    """Pairs waiting for a decision, strongest first."""
    strength = Case(
        *(When(reason=reason, then=Value(rank)) for reason, rank in STRENGTH.items()),
        output_field=IntegerField(),
    )
    return (
        MergeCandidate.objects.filter(
            dismissed_at__isnull=True,
            guest_a__merged_into__isnull=True,
            guest_b__merged_into__isnull=True,
        )
        .select_related("guest_a", "guest_b")
        .annotate(strength=strength)
        .order_by("-strength", "-score", "guest_a_id", "guest_b_id")
    )


@transaction.atomic
def candidate_dismiss(*, acting_user, candidate: MergeCandidate) -> MergeCandidate:
    """ "Not the same person": the pair is not offered again."""
    check_perm(acting_user, perms.MERGE_GUESTS)
    candidate = MergeCandidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.dismissed_at:
        return candidate
    return save_changes(
        candidate,
        actor=acting_user,
        changes={"dismissed_at": timezone.now(), "dismissed_by": acting_user},
    )
