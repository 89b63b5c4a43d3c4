"""Booking rules (订台规则, R4): checking a slot against a store's rules, and the services that
set the rules.

A slot is checked for a party in this order: the store's opening hours (``closed``); then, for
each free table seating the party, the rule in force for it (its area's rule, else the store's,
else none): the start on the rule's slot grid (``off_grid``), the lead time (``too_soon``,
``too_far_ahead``), tables held back for some guests, pacing — most parties and most guests
starting in the slot (``pacing_full``) — and guests held back per slot (``held_back``). The
booking services call the same ``Context.evaluate`` inside their transaction, after locking the
store row, so pacing cannot be overrun by two agents at once. See decision 0024.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huike.core import errors
from huike.core.audit import Action, audit_record
from huike.core.permissions import check_perm, has_perm, restrict
from huike.core.tenancy import require_active_tenant
from huike.core.timeutils import zone
from huike.guests.models import GuestTag
from huike.loyalty.models import MembershipCard, Tier
from huike.menu.models import DiningTable, FloorArea
from huike.org.models import WEEKDAYS, Store

from . import permissions as perms
from .allocation import _preferences, default_duration, tables_free
from .models import SLOT_MINUTES, Booking, BookingRule, validate_turn_times

DEFAULT_SLOT_MINUTES = 30
PAST_GRACE = dt.timedelta(minutes=15)  # a walk-in booked "now" is still accepted

CLOSED = "closed"
OFF_GRID = "off_grid"
TOO_SOON = "too_soon"
TOO_FAR = "too_far_ahead"
PACING_FULL = "pacing_full"
HELD_BACK = "held_back"
NO_TABLE = "no_table"
# Which reason a slot shows when every table fails for a different one.
_PRECEDENCE = [CLOSED, TOO_SOON, TOO_FAR, OFF_GRID, PACING_FULL, HELD_BACK, NO_TABLE]

REASON_LABELS = {
    CLOSED: gettext_lazy("closed"),
    OFF_GRID: gettext_lazy("not on the slot grid"),
    TOO_SOON: gettext_lazy("too soon"),
    TOO_FAR: gettext_lazy("too far ahead"),
    PACING_FULL: gettext_lazy("slot full"),
    HELD_BACK: gettext_lazy("held back"),
    NO_TABLE: gettext_lazy("no table free"),
}


def reason_label(reason: str) -> str:
    return str(REASON_LABELS.get(reason, "")) if reason else ""


# --- Opening hours ----------------------------------------------------------------------------
def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def is_open(store: Store, starts_at: dt.datetime) -> bool:
    """Whether ``starts_at`` (in the store's time zone) falls in one of its opening periods;
    a period closing before it opens runs past midnight. No hours configured: always open."""
    hours = store.opening_hours or {}
    if not hours:
        return True
    local = starts_at.astimezone(zone(store.time_zone))
    now = local.hour * 60 + local.minute
    today = WEEKDAYS[local.weekday()]
    yesterday = WEEKDAYS[(local.weekday() - 1) % 7]
    for opens, closes in hours.get(today) or []:
        start, end = _minutes(opens), _minutes(closes)
        if start < end and start <= now < end:
            return True
        if end < start and now >= start:
            return True
    for opens, closes in hours.get(yesterday) or []:
        start, end = _minutes(opens), _minutes(closes)
        if end < start and now < end:
            return True
    return False


# --- Checking a slot --------------------------------------------------------------------------
@dataclass
class Result:
    """The outcome of a slot check: ``reason`` empty when bookable; ``tables`` the tables
    the party may take (best first); ``ends_at`` the end for the first of them; ``rule``
    the rule in force for the first table (or for the failing check)."""

    ends_at: dt.datetime
    reason: str = ""
    tables: list[DiningTable] = field(default_factory=list)
    rule: BookingRule | None = None


class Context:
    """A store's rules and a guest's standing, loaded once for checking many slots."""

    def __init__(self, store: Store, rules: list[BookingRule], guest=None):
        self.store = store
        self.store_rule = next((r for r in rules if r.area_id is None), None)
        self.area_rules = {r.area_id: r for r in rules if r.area_id is not None}
        self.rules = rules
        self.guest = guest
        self._eligible: dict[int, bool] = {}
        self._counts: dict[tuple, tuple[int, int]] = {}
        self._tags = self._tiers = None

    @classmethod
    def load(cls, store: Store, guest=None) -> Context:
        rules = list(
            BookingRule.objects.filter(store=store).prefetch_related(
                "held_tables", "held_for_tags", "held_for_tiers"
            )
        )
        return cls(store, rules, guest=guest)

    @property
    def slot_minutes(self) -> int:
        """The length of the store's slot grid (its store rule's, else 30 minutes)."""
        if self.store_rule is not None:
            return self.store_rule.slot_minutes
        return DEFAULT_SLOT_MINUTES

    def rule_for(self, table: DiningTable) -> BookingRule | None:
        return self.area_rules.get(table.area_id) or self.store_rule

    def duration(self, rule: BookingRule | None, party_size: int) -> dt.timedelta:
        minutes = rule.turn_minutes(party_size) if rule is not None else None
        return dt.timedelta(minutes=minutes) if minutes else default_duration(party_size)

    # Guests the held-back capacity is kept for.
    def eligible(self, rule: BookingRule) -> bool:
        if self.guest is None:
            return False
        if rule.pk not in self._eligible:
            tags = {t.pk for t in rule.held_for_tags.all()}
            tiers = {t.pk for t in rule.held_for_tiers.all()}
            if self._tags is None:
                self._tags = set(self.guest.taggings.values_list("tag_id", flat=True))
                self._tiers = set(
                    MembershipCard.objects.filter(
                        guest=self.guest,
                        status=MembershipCard.Status.ACTIVE,
                        tier__isnull=False,
                    ).values_list("tier_id", flat=True)
                )
            self._eligible[rule.pk] = bool(tags & self._tags or tiers & self._tiers)
        return self._eligible[rule.pk]

    # The slot of the grid a moment falls in, and what already starts in it.
    def slot_start(self, rule: BookingRule, starts_at: dt.datetime) -> dt.datetime:
        local = starts_at.astimezone(zone(self.store.time_zone))
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        minutes = (local - midnight) // dt.timedelta(minutes=1)
        return midnight + dt.timedelta(minutes=minutes - minutes % rule.slot_minutes)

    def on_grid(self, rule: BookingRule, starts_at: dt.datetime) -> bool:
        return self.slot_start(rule, starts_at) == starts_at

    def started(self, rule: BookingRule, starts_at: dt.datetime, exclude_pk=None):
        """(parties, guests) of the bookings starting in the rule's slot of ``starts_at`` at
        the tables the rule governs (not cancelled or no-show)."""
        slot = self.slot_start(rule, starts_at)
        key = (rule.pk, slot, exclude_pk)
        if key not in self._counts:
            found = Booking.objects.filter(
                store=self.store,
                starts_at__gte=slot,
                starts_at__lt=slot + dt.timedelta(minutes=rule.slot_minutes),
            ).exclude(status__in=[Booking.Status.CANCELLED, Booking.Status.NO_SHOW])
            if rule.area_id is not None:
                found = found.filter(table__area_id=rule.area_id)
            elif self.area_rules:
                found = found.exclude(table__area_id__in=list(self.area_rules))
            if exclude_pk:
                found = found.exclude(pk=exclude_pk)
            totals = found.aggregate(parties=Count("pk"), guests=Sum("party_size"))
            self._counts[key] = (totals["parties"] or 0, totals["guests"] or 0)
        return self._counts[key]

    def check_table(
        self,
        table: DiningTable,
        starts_at: dt.datetime,
        party_size: int,
        *,
        now: dt.datetime,
        exclude_pk=None,
        override: bool = False,
        walk_in: bool = False,
        check_time: bool = True,
    ) -> str:
        """The reason the party cannot start at this table then, or ``""`` (``check_time``
        False: the start is not new, so its grid and lead time are not checked again)."""
        rule = self.rule_for(table)
        if rule is None:
            return ""
        if check_time and not self.on_grid(rule, starts_at):
            return OFF_GRID
        if check_time:
            reason = self.lead_reason(rule, starts_at, now=now, walk_in=walk_in)
            if reason:
                return reason
        if override:
            return ""
        held_tables = {t.pk for t in rule.held_tables.all()}
        if table.pk in held_tables and not self.eligible(rule):
            return HELD_BACK
        parties, guests = self.started(rule, starts_at, exclude_pk)
        if rule.max_parties_per_slot is not None and parties + 1 > rule.max_parties_per_slot:
            return PACING_FULL
        if rule.max_covers_per_slot is not None:
            if guests + party_size > rule.max_covers_per_slot:
                return PACING_FULL
            if (
                rule.held_covers
                and guests + party_size > rule.max_covers_per_slot - rule.held_covers
                and not self.eligible(rule)
            ):
                return HELD_BACK
        return ""

    def lead_reason(self, rule, starts_at, *, now, walk_in: bool = False) -> str:
        if rule is None:
            return ""
        if rule.min_lead_minutes and not walk_in:
            if starts_at < now + dt.timedelta(minutes=rule.min_lead_minutes):
                return TOO_SOON
        if rule.max_days_ahead is not None:
            if starts_at > now + dt.timedelta(days=rule.max_days_ahead):
                return TOO_FAR
        return ""

    def evaluate(
        self,
        *,
        starts_at: dt.datetime,
        party_size: int,
        now: dt.datetime | None = None,
        duration: dt.timedelta | None = None,
        exclude_pk=None,
        override: bool = False,
        walk_in: bool = False,
    ) -> Result:
        """Check a slot for a party over every free table seating it (best first)."""
        now = now or timezone.now()
        default_end = starts_at + (duration or self.duration(self.store_rule, party_size))
        if not is_open(self.store, starts_at):
            return Result(default_end, CLOSED, rule=self.store_rule)
        if starts_at < now - PAST_GRACE:
            return Result(default_end, TOO_SOON, rule=self.store_rule)
        # The free tables, each with the end its own rule's turn time gives.
        candidates: list[tuple[DiningTable, dt.datetime]] = []
        for rule in [self.store_rule, *self.area_rules.values()]:
            ends_at = starts_at + (duration or self.duration(rule, party_size))
            for table in tables_free(
                store=self.store,
                starts_at=starts_at,
                ends_at=ends_at,
                party_size=party_size,
                guest=self.guest,
                exclude_pk=exclude_pk,
            ):
                if self.rule_for(table) is rule and all(t.pk != table.pk for t, _e in candidates):
                    candidates.append((table, ends_at))
        order = {t.pk: i for i, t in enumerate(self._ranked([t for t, _e in candidates]))}
        candidates.sort(key=lambda c: order[c[0].pk])
        passing: list[tuple[DiningTable, dt.datetime]] = []
        reasons: set[str] = set()
        for table, ends_at in candidates:
            reason = self.check_table(
                table,
                starts_at,
                party_size,
                now=now,
                exclude_pk=exclude_pk,
                override=override,
                walk_in=walk_in,
            )
            if reason:
                reasons.add(reason)
            else:
                passing.append((table, ends_at))
        if passing:
            first = passing[0][0]
            return Result(passing[0][1], "", [t for t, _e in passing], rule=self.rule_for(first))
        if not candidates:
            reasons.add(self.lead_reason(self.store_rule, starts_at, now=now, walk_in=walk_in))
            reasons.add(NO_TABLE)
        reason = next(r for r in _PRECEDENCE if r in reasons)
        return Result(default_end, reason, rule=self.store_rule)

    def _ranked(self, tables: list[DiningTable]) -> list[DiningTable]:
        """The tables in ``tables_free``'s best-first order (recomputed across rule groups)."""
        if not tables:
            return []
        visits = _preferences(self.guest, self.store)

        def rank(table: DiningTable):
            seen = max(visits.get(table.code, 0), visits.get(table.name, 0) if table.name else 0)
            return (table.capacity_max, -seen, table.area.sort_order, table.sort_order, table.code)

        return sorted(tables, key=rank)


# --- Errors of a failed check -----------------------------------------------------------------
def refusal(reason: str, rule: BookingRule | None) -> errors.DomainError:
    """The error ``booking_create``/``booking_move`` raise for a failed check."""
    if reason == CLOSED:
        message = _("The store is not open for bookings at that time.")
        return errors.InvalidInput(
            message, code="outside_opening_hours", fields={"starts_at": [message]}
        )
    if reason == OFF_GRID:
        message = _("Bookings start on the %(n)s-minute slots (for example 18:00).") % {
            "n": rule.slot_minutes if rule else DEFAULT_SLOT_MINUTES
        }
        return errors.InvalidInput(message, code="off_grid", fields={"starts_at": [message]})
    if reason == TOO_SOON:
        minutes = rule.min_lead_minutes if rule else 0
        message = (
            _("Bookings must be made at least %(n)s minutes ahead.") % {"n": minutes}
            if minutes
            else _("This time has already passed.")
        )
        return errors.InvalidInput(message, code="too_soon", fields={"starts_at": [message]})
    if reason == TOO_FAR:
        message = _("Bookings can be made at most %(n)s days ahead.") % {
            "n": rule.max_days_ahead if rule else 0
        }
        return errors.InvalidInput(message, code="too_far_ahead", fields={"starts_at": [message]})
    if reason == PACING_FULL:
        return errors.Conflict(
            _("This slot is full: no more bookings may start at that time."), code="pacing_full"
        )
    if reason == HELD_BACK:
        return errors.Conflict(
            _("The places left at that time are held back for selected guests."),
            code="held_back",
        )
    return errors.Conflict(
        _("No table seating this party is free at that time."), code="no_table_free"
    )


def lock_store(store: Store) -> None:
    """Serialise the bookings of a store for the pacing check (PostgreSQL row lock; SQLite's
    write transaction already holds the database lock)."""
    Store.objects.select_for_update().filter(pk=store.pk).values_list("pk").first()


def cancel_cutoff(booking: Booking) -> dt.datetime | None:
    """When cancelling the booking stops being free (None: no cut-off)."""
    context = Context.load(booking.store)
    rule = context.rule_for(booking.table) if booking.table_id else context.store_rule
    if rule is None or rule.cancel_cutoff_hours is None:
        return None
    return booking.starts_at - dt.timedelta(hours=rule.cancel_cutoff_hours)


# --- Setting rules ----------------------------------------------------------------------------
FIELDS = [
    "slot_minutes",
    "turn_times",
    "max_covers_per_slot",
    "max_parties_per_slot",
    "min_lead_minutes",
    "max_days_ahead",
    "cancel_cutoff_hours",
    "held_covers",
]
RELATED = ["held_tables", "held_for_tags", "held_for_tiers"]


def _rule_store(acting_user, store) -> Store:
    pk = store.pk if isinstance(store, Store) else store
    try:
        return restrict(Store.objects.all(), acting_user).get(pk=pk)
    except (Store.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.NotFound() from exc


def _ids(values, model, field_name: str, *, store: Store | None = None) -> list:
    if values in (None, ""):
        return []
    pks = [v.pk if hasattr(v, "pk") else v for v in values]
    try:
        found = model.objects.filter(pk__in=pks)
        if store is not None:
            found = found.filter(store=store)
        found = list(found)
    except (ValueError, TypeError) as exc:
        raise errors.InvalidInput(fields={field_name: [_("Not found.")]}) from exc
    if len(found) != len(set(pks)):
        raise errors.InvalidInput(fields={field_name: [_("Not found.")]})
    return found


def _number(data: dict, name: str, *, minimum: int = 0, blank: bool) -> int | None:
    value = data.get(name)
    if value in (None, ""):
        if blank:
            return None
        return 0
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise errors.InvalidInput(fields={name: [_("Enter a whole number.")]}) from exc
    if number < minimum:
        raise errors.InvalidInput(fields={name: [_("Enter %(n)s or more.") % {"n": minimum}]})
    return number


def _apply(rule: BookingRule, data: dict) -> dict:
    """Validate and set the fields of ``data`` present; return the related sets."""
    problems: dict[str, list] = {}
    if "slot_minutes" in data:
        try:
            rule.slot_minutes = int(data["slot_minutes"])
        except (TypeError, ValueError):
            rule.slot_minutes = -1
        if rule.slot_minutes not in SLOT_MINUTES:
            problems["slot_minutes"] = [_("Choose 15, 30 or 60 minutes.")]
    if "turn_times" in data:
        turns = data["turn_times"] or []
        try:
            turns = [[int(a), int(b)] for a, b in turns]
            validate_turn_times(turns)
        except (TypeError, ValueError, ValidationError) as exc:
            messages = getattr(exc, "messages", None) or [
                _("A turn time is a party size and minutes, like 4 and 90.")
            ]
            problems["turn_times"] = list(messages)
        rule.turn_times = turns
    for name, minimum, blank in [
        ("max_covers_per_slot", 1, True),
        ("max_parties_per_slot", 1, True),
        ("min_lead_minutes", 0, False),
        ("max_days_ahead", 1, True),
        ("cancel_cutoff_hours", 0, True),
        ("held_covers", 0, False),
    ]:
        if name in data:
            try:
                setattr(rule, name, _number(data, name, minimum=minimum, blank=blank))
            except errors.InvalidInput as exc:
                problems.update(exc.fields)
    if problems:
        raise errors.InvalidInput(fields=problems)
    if rule.held_covers:
        if rule.max_covers_per_slot is None:
            raise errors.InvalidInput(
                fields={"held_covers": [_("Set the most guests per slot to hold some back.")]}
            )
        if rule.held_covers >= rule.max_covers_per_slot:
            raise errors.InvalidInput(
                fields={"held_covers": [_("Hold back fewer than the most guests per slot.")]}
            )
    related = {}
    if "held_tables" in data:
        related["held_tables"] = _ids(
            data["held_tables"], DiningTable, "held_tables", store=rule.store
        )
        if rule.area_id and any(t.area_id != rule.area_id for t in related["held_tables"]):
            raise errors.InvalidInput(
                fields={"held_tables": [_("Hold back tables of this rule's area only.")]}
            )
    if "held_for_tags" in data:
        related["held_for_tags"] = _ids(data["held_for_tags"], GuestTag, "held_for_tags")
    if "held_for_tiers" in data:
        related["held_for_tiers"] = _ids(data["held_for_tiers"], Tier, "held_for_tiers")
    return related


def _snapshot(rule: BookingRule) -> dict:
    return {name: getattr(rule, name) for name in FIELDS}


@transaction.atomic
def booking_rule_create(*, acting_user, store, area=None, **data) -> BookingRule:
    """A store's rule (no ``area``) or an area's; one of each at most."""
    check_perm(acting_user, perms.RULES)
    store = _rule_store(acting_user, store)
    found_area = None
    if area not in (None, ""):
        pk = area.pk if isinstance(area, FloorArea) else area
        found_area = FloorArea.objects.filter(pk=pk, store=store).first() if pk else None
        if found_area is None:
            raise errors.InvalidInput(fields={"area": [_("Not found.")]})
    if BookingRule.objects.filter(store=store, area=found_area).exists():
        raise errors.InvalidInput(
            _("This store or area already has a booking rule."),
            code="rule_exists",
            fields={"area": [_("This store or area already has a booking rule.")]},
        )
    unknown = set(data) - set(FIELDS) - set(RELATED)
    if unknown:
        raise errors.InvalidInput(fields={name: [_("Unknown field.")] for name in unknown})
    rule = BookingRule(tenant=require_active_tenant(), store=store, area=found_area)
    related = _apply(rule, data)
    rule.save()
    for name, values in related.items():
        getattr(rule, name).set(values)
    audit_record(
        action=Action.CREATE,
        actor=acting_user,
        obj=rule,
        changes={
            "store": store.pk,
            "area": found_area.pk if found_area else None,
            **_snapshot(rule),
        },
    )
    return rule


def _rule(acting_user, rule) -> BookingRule:
    pk = rule.pk if isinstance(rule, BookingRule) else rule
    try:
        return restrict(BookingRule.objects.select_for_update(), acting_user).get(pk=pk)
    except (BookingRule.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.NotFound() from exc


@transaction.atomic
def booking_rule_update(*, acting_user, rule, **data) -> BookingRule:
    """Change the fields given (the area stays)."""
    check_perm(acting_user, perms.RULES)
    rule = _rule(acting_user, rule)
    unknown = set(data) - set(FIELDS) - set(RELATED)
    if unknown:
        raise errors.InvalidInput(fields={name: [_("Unknown field.")] for name in unknown})
    before = _snapshot(rule)
    related = _apply(rule, data)
    rule.save()
    for name, values in related.items():
        getattr(rule, name).set(values)
    after = _snapshot(rule)
    audit_record(
        action=Action.UPDATE,
        actor=acting_user,
        obj=rule,
        changes={k: [before[k], after[k]] for k in FIELDS if before[k] != after[k]},
    )
    return rule


@transaction.atomic
def booking_rule_delete(*, acting_user, rule) -> None:
    check_perm(acting_user, perms.RULES)
    rule = _rule(acting_user, rule)
    audit_record(action=Action.DELETE, actor=acting_user, obj=rule, changes=_snapshot(rule))
    rule.delete()


def can_override(user) -> bool:
    return has_perm(user, perms.OVERRIDE)
