"""Auto-tag rules (自动标签): a tag whose ``rule`` holds for a guest is put on them, and taken
off again when it no longer holds, as their history changes.

A rule is a list of conditions that must all hold::

    [{"metric": "visit_count", "op": ">=", "value": 5},
     {"metric": "ordered_dish", "dish": "D012", "op": ">=", "value": 3}]

Metrics: ``visit_count``, ``total_spend`` (CNY), ``days_since_last_visit`` (whole days before
now; a guest who never visited matches no such condition), ``ordered_dish`` (how many orders
held the dish whose code is ``dish``), ``max_party_size`` (the largest party of the guest's
counted orders; none recorded matches no such condition).

Every rule becomes one queryset filter (``rule_q``), so the same SQL decides for one guest at
posting time and for all guests at once in the nightly run.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.db import transaction
from django.db.models import Case, Exists, Max, OuterRef, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from huike.core import errors
from huike.core.audit import Action, audit_record
from huike.core.models import JobRun, Tenant
from huike.core.money import CENT
from huike.core.tenancy import tenant_context
from huike.orders.models import GuestDishTally, Order

from .models import Guest, GuestTag, GuestTagging

METRICS = (
    "visit_count",
    "total_spend",
    "days_since_last_visit",
    "ordered_dish",
    "max_party_size",
)
OPS = (">=", "<=", "==")
MAX_CONDITIONS = 10
BATCH = 1000
AUDIT_IDS = 500  # guest ids kept in a nightly audit entry per tag and direction


def metric_choices() -> list[tuple[str, str]]:
    """The metrics with their labels, for the rule editor."""
    return [
        ("visit_count", _("visits")),
        ("total_spend", _("total spend (CNY)")),
        ("days_since_last_visit", _("days since last visit")),
        ("ordered_dish", _("times a dish was ordered")),
        ("max_party_size", _("largest party")),
    ]


class Condition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    metric: Literal[METRICS]
    op: Literal[OPS]
    value: Annotated[Decimal, Field(ge=0, le=Decimal("1000000000"))]
    dish: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)] | None
    ) = None

    @model_validator(mode="after")
    def _check(self):
        if self.metric != "total_spend" and self.value != self.value.to_integral_value():
            raise ValueError("whole_number")
        if self.metric == "total_spend" and self.value != self.value.quantize(CENT):
            raise ValueError("two_places")
        if self.metric == "ordered_dish" and not self.dish:
            raise ValueError("dish_missing")
        if self.metric != "ordered_dish" and self.dish:
            raise ValueError("dish_unexpected")
        return self


_RULE = TypeAdapter(list[Condition])


def _message(err: dict) -> str:
    kind, field = err["type"], (err["loc"][-1] if err["loc"] else "")
    if kind == "value_error":
        code = str(err.get("ctx", {}).get("error", ""))
        return {
            "whole_number": _("The value must be a whole number."),
            "two_places": _("The amount may have at most two decimal places."),
            "dish_missing": _("Give the dish code."),
            "dish_unexpected": _("Only the dish metric takes a dish code."),
        }.get(code, _("This condition is not valid."))
    if kind == "missing":
        return _("%(field)s is required.") % {"field": field}
    if kind == "extra_forbidden":
        return _("%(field)s is not a field of a condition.") % {"field": field}
    if field == "metric":
        return _("Choose a metric: %(choices)s.") % {"choices": ", ".join(METRICS)}
    if field == "op":
        return _("Choose a comparison: %(choices)s.") % {"choices": ", ".join(OPS)}
    if field == "value":
        if kind in ("greater_than_equal", "less_than_equal"):
            return _("The value must be between 0 and 1,000,000,000.")
        return _("The value must be a number.")
    if field == "dish":
        return _("The dish code must be 1 to 30 characters.")
    return _("This condition is not valid.")


def rule_validate(rule) -> list[dict] | None:
    """The rule in its stored form, or ``None`` for a tag set by hand (an empty rule).
    Raises ``InvalidInput`` with one message per problem on the ``rule`` field, naming the
    condition it is in."""
    if rule is None or rule == [] or rule == "":
        return None
    if not isinstance(rule, list):
        raise errors.InvalidInput(fields={"rule": [_("A rule is a list of conditions.")]})
    if len(rule) > MAX_CONDITIONS:
        raise errors.InvalidInput(
            fields={"rule": [_("A rule has at most %(n)s conditions.") % {"n": MAX_CONDITIONS}]}
        )
    try:
        conditions = _RULE.validate_python(rule)
    except ValidationError as exc:
        messages = []
        for err in exc.errors():
            loc = err["loc"]
            if loc and isinstance(loc[0], int):
                messages.append(
                    _("Condition %(n)s: %(message)s") % {"n": loc[0] + 1, "message": _message(err)}
                )
            else:
                messages.append(_("Each condition must be an object."))
        raise errors.InvalidInput(fields={"rule": list(dict.fromkeys(messages))}) from exc
    stored = []
    for c in conditions:
        value = str(c.value.quantize(CENT)) if c.metric == "total_spend" else int(c.value)
        item = {"metric": c.metric, "op": c.op, "value": value}
        if c.dish:
            item["dish"] = c.dish
        stored.append(item)
    return stored


# --- Evaluation as a filter on guests --------------------------------------------------------
def _compare(field: str, op: str, value) -> Q:
    lookup = {">=": "gte", "<=": "lte", "==": "exact"}[op]
    return Q(**{f"{field}__{lookup}": value})


def _days_since(op: str, days: int, now: dt.datetime) -> Q:
    """Whole days since the last visit, as bounds on ``last_visit_at``: ``days >= n`` means at
    least n days ago; ``days <= n`` means less than n + 1 days ago."""
    at_least = Q(last_visit_at__lte=now - dt.timedelta(days=days))
    at_most = Q(last_visit_at__gt=now - dt.timedelta(days=days + 1))
    return {">=": at_least, "<=": at_most, "==": at_least & at_most}[op]


def _dish_times(op: str, times: int, code: str) -> Q:
    """Orders holding the dish compared with ``times``; a guest without a tally has 0."""

    def tally(**lookup) -> Exists:
        return Exists(
            GuestDishTally.objects.filter(guest=OuterRef("pk"), dish__code=code, **lookup)
        )

    if op == ">=":
        return Q(pk__isnull=False) if times <= 0 else Q(tally(times_ordered__gte=times))
    if op == "<=":
        return ~Q(tally(times_ordered__gt=times))
    return ~Q(tally(times_ordered__gt=0)) if times == 0 else Q(tally(times_ordered=times))


def _max_party() -> Subquery:
    return Subquery(
        Order.objects.filter(
            guest=OuterRef("pk"),
            status=Order.Status.POSTED,
            kind__in=[Order.Kind.SALE, Order.Kind.CORRECTION],
            visit_counted=True,
            party_size__isnull=False,
        )
        .values("guest")
        .annotate(largest=Max("party_size"))
        .values("largest")[:1]
    )


def _condition_q(cond: dict, now: dt.datetime) -> Q:
    metric, op, value = cond["metric"], cond["op"], cond["value"]
    if metric == "visit_count":
        return _compare("visit_count", op, int(value))
    if metric == "total_spend":
        return _compare("total_spend", op, Decimal(str(value)))
    if metric == "days_since_last_visit":
        return _days_since(op, int(value), now)
    if metric == "ordered_dish":
        return _dish_times(op, int(value), cond["dish"])
    if metric == "max_party_size":
        return Q(largest_party__isnull=False) & _compare("largest_party", op, int(value))
    raise ValueError(metric)


def _uses_party(rule: list[dict]) -> bool:
    return any(c["metric"] == "max_party_size" for c in rule)


def eligible_guests():
    """Guests rules are evaluated for: not merged into another, not erased."""
    return Guest.objects.filter(merged_into__isnull=True, anonymised_at__isnull=True)


def rule_q(rule: list[dict], *, now: dt.datetime) -> Q:
    """The filter matching the guests for whom every condition of ``rule`` holds (on a
    queryset annotated by ``with_rule_annotations`` when the rule needs it)."""
    q = Q()
    for cond in rule:
        q &= _condition_q(cond, now)
    return q


def with_rule_annotations(queryset, rules: list[list[dict]]):
    if any(_uses_party(rule) for rule in rules):
        queryset = queryset.annotate(largest_party=_max_party())
    return queryset


def matching_guests(rule: list[dict], *, now: dt.datetime | None = None):
    """The queryset of eligible guests for whom ``rule`` holds."""
    now = now or timezone.now()
    return with_rule_annotations(eligible_guests(), [rule]).filter(rule_q(rule, now=now))


# --- Refresh ---------------------------------------------------------------------------------
def _valid_rule(tag: GuestTag) -> list[dict] | None:
    """The tag's rule, or ``None`` when it has none, or when a stored rule no longer validates
    (then it matches no one, rather than failing every posting)."""
    try:
        return rule_validate(tag.rule)
    except errors.InvalidInput:
        return None


@transaction.atomic
def guest_autotags_refresh(*, guest: Guest, now: dt.datetime | None = None) -> dict:
    """Put on ``guest`` the tags whose rule holds for them and take off the auto taggings whose
    rule no longer holds (or whose tag lost its rule). Taggings set by hand are never touched.
    One query decides every rule; audited, as the system, only when something changed.
    Returns ``{"added": [tag names], "removed": [tag names]}``."""
    now = now or timezone.now()
    tags = [(tag, _valid_rule(tag)) for tag in GuestTag.objects.filter(rule__isnull=False)]
    rules = {tag.pk: rule for tag, rule in tags if rule}
    holds: set[int] = set()
    if rules:
        queryset = with_rule_annotations(
            eligible_guests().filter(pk=guest.pk), list(rules.values())
        )
        flags = {
            f"rule_{pk}": Case(When(rule_q(rule, now=now), then=Value(True)), default=Value(False))
            for pk, rule in rules.items()
        }
        row = queryset.annotate(**flags).values(*flags).first() or {}
        holds = {pk for pk in rules if row.get(f"rule_{pk}")}
    existing = {t.tag_id: t for t in GuestTagging.objects.filter(guest=guest)}
    added = [
        GuestTagging(tenant_id=guest.tenant_id, guest=guest, tag_id=pk, auto=True)
        for pk in sorted(holds)
        if pk not in existing
    ]
    removed = [t for t in existing.values() if t.auto and t.tag_id not in holds]
    if not added and not removed:
        return {"added": [], "removed": []}
    # ignore_conflicts: the nightly run may have just put the same tag on; never fail a posting
    GuestTagging.objects.bulk_create(added, ignore_conflicts=True)
    GuestTagging.objects.filter(pk__in=[t.pk for t in removed]).delete()
    names = dict(
        GuestTag.objects.filter(pk__in=holds | {t.tag_id for t in removed}).values_list(
            "pk", "name"
        )
    )
    result = {
        "added": sorted(names[t.tag_id] for t in added),
        "removed": sorted(names[t.tag_id] for t in removed),
    }
    audit_record(
        action=Action.UPDATE,
        actor=None,
        obj=guest,
        changes={"auto_tags": result},
        actor_name="autotags",
    )
    return result


def _batched(ids, size: int = BATCH):
    batch = []
    for pk in ids:
        batch.append(pk)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@transaction.atomic
def tag_autotags_refresh(*, tag: GuestTag, now: dt.datetime | None = None) -> dict:
    """Set-based refresh of one tag for every guest of the tenant: the guests its rule matches
    get an auto tagging, auto taggings of guests it no longer matches go; hand-set taggings
    stay. Returns the counts and writes one audit entry when something changed."""
    now = now or timezone.now()
    rule = _valid_rule(tag)
    auto = GuestTagging.objects.filter(tag=tag, auto=True)
    if rule is None:
        stale = auto
    else:
        stale = auto.exclude(guest__in=matching_guests(rule, now=now).values("pk"))
    removed_ids = list(stale.values_list("guest_id", flat=True).order_by("guest_id"))
    if removed_ids:
        for batch in _batched(removed_ids):
            stale.filter(guest_id__in=batch).delete()  # the rule checked again as it goes
    added_ids: list[int] = []
    if rule is not None:
        fresh = (
            matching_guests(rule, now=now)
            .exclude(pk__in=GuestTagging.objects.filter(tag=tag).values("guest_id"))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for batch in _batched(fresh.iterator(chunk_size=BATCH)):
            GuestTagging.objects.bulk_create(
                [
                    GuestTagging(tenant_id=tag.tenant_id, guest_id=pk, tag=tag, auto=True)
                    for pk in batch
                ],
                batch_size=BATCH,
                ignore_conflicts=True,  # a posting may tag the same guest meanwhile
            )
            added_ids += batch
    result = {"added": len(added_ids), "removed": len(removed_ids)}
    if added_ids or removed_ids:
        audit_record(
            action=Action.UPDATE,
            actor=None,
            obj=tag,
            changes={
                "auto_tags": result,
                "added_guests": added_ids[:AUDIT_IDS],
                "removed_guests": removed_ids[:AUDIT_IDS],
            },
            actor_name="autotags",
        )
    return result


def autotags_refresh_all(*, now: dt.datetime | None = None) -> dict:
    """The nightly run: every tenant, every tag with a rule (and auto taggings of tags that
    lost theirs), set-based per tag, one transaction per tag. Returns totals."""
    now = now or timezone.now()
    totals = {"tags": 0, "added": 0, "removed": 0}
    for tenant in Tenant.objects.order_by("pk"):
        with tenant_context(tenant):
            tags = GuestTag.objects.filter(
                Q(rule__isnull=False) | Q(taggings__auto=True)
            ).distinct()
            for tag in tags.order_by("pk"):
                result = tag_autotags_refresh(tag=tag, now=now)
                totals["tags"] += 1
                totals["added"] += result["added"]
                totals["removed"] += result["removed"]
    return totals


NIGHTLY_JOB = "autotags_refresh"


def autotags_nightly(*, now: dt.datetime | None = None) -> JobRun:
    """What the nightly periodic task runs: the refresh of every tenant, recorded as a JobRun
    (failed, with the error, when it raised)."""
    started = timezone.now()
    try:
        totals = autotags_refresh_all(now=now)
    except Exception as exc:
        JobRun.objects.create(
            name=NIGHTLY_JOB,
            started_at=started,
            finished_at=timezone.now(),
            ok=False,
            detail={"error": f"{type(exc).__name__}: {exc}"[:500]},
        )
        raise
    return JobRun.objects.create(
        name=NIGHTLY_JOB, started_at=started, finished_at=timezone.now(), ok=True, detail=totals
    )


def queue_tag_refresh(tag: GuestTag) -> None:
    """After the transaction that changed ``tag``'s rule commits, queue the set-based refresh
    of that tag for every guest, so a new rule shows before the nightly run."""
    from huike.orders.tasks import autotags_refresh_tag  # the task module imports this one

    tenant_id, tag_id = tag.tenant_id, tag.pk
    transaction.on_commit(lambda: autotags_refresh_tag(tenant_id, tag_id))
