"""A posted order's effect on its guest (T3): one visit, the spend, first/last visit, the dish
and place tallies. ``GuestBook`` holds the locked guests of a batch, applies each order's
``Effect`` in memory and writes every changed guest and tally in one statement each; refunds and
corrections apply negated effects through the same book."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, connections, router, transaction
from django.db.models import F, Max, Min
from django.utils import timezone

from huike.core.audit import Action, snapshot
from huike.core.money import ZERO
from huike.core.tenancy import require_active_tenant
from huike.guests.autotags import guest_autotags_refresh
from huike.guests.models import Guest, GuestTag, GuestTagging
from huike.guests.services import guest_get_or_create_by_phone

from .models import GuestDishTally, GuestPlaceTally, Order, OrderLine
from .parsing import Posting


# --- Guest effects ---------------------------------------------------------------------------
@dataclass
class Effect:
    """A change of one guest's derived history. Positive: an order counted; negative: taken
    back (then first/last visit and last-ordered times are recomputed from what is left)."""

    spend: Decimal = ZERO
    visits: int = 0
    at: dt.datetime | None = None
    store_id: int | None = None
    table_label: str = ""
    dishes: dict[int, list] = field(default_factory=dict)  # dish id → [times, qty]

    def dish(self, dish_id: int, times: int, qty: Decimal) -> None:
        entry = self.dishes.setdefault(dish_id, [0, ZERO])
        entry[0] += times
        entry[1] += qty


def sale_effect(order: Order, lines: list[OrderLine]) -> Effect:
    effect = Effect(
        spend=order.total - order.refunded_amount,
        visits=1,
        at=order.closed_at,
        store_id=order.store_id,
        table_label=order.table_label,
    )
    counted = set()
    for line in lines:
        if line.dish_id is None or line.remaining_qty <= 0:
            continue
        effect.dish(line.dish_id, 0 if line.dish_id in counted else 1, line.remaining_qty)
        counted.add(line.dish_id)
    return effect


def negate(effect: Effect, *, visit: bool) -> Effect:
    back = Effect(
        spend=-effect.spend,
        visits=-1 if visit else 0,
        at=effect.at,
        store_id=effect.store_id,
        table_label=effect.table_label,
    )
    for dish_id, (times, qty) in effect.dishes.items():
        back.dish(dish_id, -times, -qty)
    return back


def lock_guest(pk: int) -> Guest:
    """The guest's row, locked until commit: postings for one guest queue here. ``no_key``
    (PostgreSQL's FOR NO KEY UPDATE) is enough — the guest's key never changes — and does not
    conflict with the key-share locks that foreign-key checks of other writers take."""
    return Guest.objects.select_for_update(no_key=True).get(pk=pk)


GUEST_FIELDS = ["total_spend", "visit_count", "first_visit_at", "last_visit_at", "updated_at"]


class GuestBook:
    """The guests whose history a posting changes and their dish and place tallies: effects
    are applied in memory, one after the other, and everything is written by ``save`` in a
    few statements. The guests' rows must be locked (``lock``) before their tallies are read."""

    def __init__(self, guests: dict[int, Guest]):
        self.guests = guests
        self.dishes: dict[tuple[int, int], GuestDishTally] = {}
        self.places: dict[tuple[int, int, str], GuestPlaceTally] = {}
        self.loaded_dishes: set[tuple[int, int]] = set()
        self.loaded_places: set[tuple[int, int]] = set()
        self.touched: set[int] = set()
        self.new: list = []
        self.changed: dict[int, object] = {}  # by id(): new tallies have no key yet

    @classmethod
    def lock(cls, guest_ids) -> GuestBook:
        """Lock the guests' rows in key order (so that two postings never deadlock)."""
        ids = sorted({pk for pk in guest_ids if pk})
        if len(ids) == 1:
            return cls({ids[0]: lock_guest(ids[0])})
        locked = Guest.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")
        return cls({g.pk: g for g in locked})

    def load(self, effects: list[tuple[int, Effect]]) -> None:
        """Read the tallies that ``effects`` will change, in one query per kind."""
        guest_ids = {g for g, _e in effects}
        dish_ids = {d for g, e in effects for d in e.dishes if (g, d) not in self.loaded_dishes}
        if dish_ids:
            for tally in GuestDishTally.objects.filter(
                guest_id__in=guest_ids, dish_id__in=dish_ids
            ):
                self.dishes.setdefault((tally.guest_id, tally.dish_id), tally)
            self.loaded_dishes |= {(g, d) for g, e in effects for d in e.dishes}
        store_ids = {
            e.store_id
            for g, e in effects
            if e.visits and e.store_id and (g, e.store_id) not in self.loaded_places
        }
        if store_ids:
            tallies = GuestPlaceTally.objects.filter(guest_id__in=guest_ids, store_id__in=store_ids)
            for tally in tallies:
                self.places.setdefault((tally.guest_id, tally.store_id, tally.table_label), tally)
            self.loaded_places |= {(g, e.store_id) for g, e in effects if e.visits and e.store_id}

    def apply(self, guest_id: int, effect: Effect) -> dict:
        """Apply ``effect`` to the guest and their tallies (in memory); returns what the guest
        then stands at."""
        self.load([(guest_id, effect)])
        guest = self.guests[guest_id]
        self.touched.add(guest_id)
        guest.total_spend = max(ZERO, guest.total_spend + effect.spend)
        guest.visit_count = max(0, guest.visit_count + effect.visits)
        if effect.visits > 0:
            if guest.first_visit_at is None or effect.at < guest.first_visit_at:
                guest.first_visit_at = effect.at
            if guest.last_visit_at is None or effect.at > guest.last_visit_at:
                guest.last_visit_at = effect.at
        elif effect.visits < 0:
            bounds = Order.objects.filter(guest=guest, visit_counted=True).aggregate(
                first=Min("closed_at"), last=Max("closed_at")
            )
            guest.first_visit_at, guest.last_visit_at = bounds["first"], bounds["last"]
        if effect.dishes:
            self._apply_dishes(guest, effect)
        if effect.visits and effect.store_id:
            key = (guest_id, effect.store_id, effect.table_label)
            tally = self.places.get(key)
            if effect.visits < 0:
                if tally is not None and tally.visits > 0:
                    tally.visits -= 1
                    self.changed[id(tally)] = tally
            elif tally is not None:
                tally.visits += effect.visits
                self.changed[id(tally)] = tally
            else:
                self.places[key] = tally = GuestPlaceTally(
                    tenant_id=guest.tenant_id,
                    guest=guest,
                    store_id=effect.store_id,
                    table_label=effect.table_label,
                    visits=effect.visits,
                )
                self.new.append(tally)
        return {"visit_count": guest.visit_count, "total_spend": guest.total_spend}

    def _apply_dishes(self, guest: Guest, effect: Effect) -> None:
        recompute = []
        for dish_id, (times, qty) in effect.dishes.items():
            tally = self.dishes.get((guest.pk, dish_id))
            if tally is None:
                if times <= 0 and qty <= 0:
                    continue
                tally = GuestDishTally(tenant_id=guest.tenant_id, guest=guest, dish_id=dish_id)
                self.dishes[(guest.pk, dish_id)] = tally
                self.new.append(tally)
            else:
                self.changed[id(tally)] = tally
            tally.times_ordered = max(0, tally.times_ordered + times)
            tally.qty = max(ZERO, tally.qty + qty)
            if times > 0 and (tally.last_ordered_at is None or effect.at > tally.last_ordered_at):
                tally.last_ordered_at = effect.at
            elif times < 0:
                recompute.append(tally)
        if recompute:
            last = dict(
                OrderLine.objects.filter(
                    order__guest=guest,
                    order__status=Order.Status.POSTED,
                    order__kind__in=[Order.Kind.SALE, Order.Kind.CORRECTION],
                    dish_id__in=[t.dish_id for t in recompute],
                    qty__gt=F("refunded_qty"),
                )
                .values("dish_id")
                .annotate(last=Max("order__closed_at"))
                .values_list("dish_id", "last")
            )
            for tally in recompute:
                tally.last_ordered_at = last.get(tally.dish_id)

    def save(self) -> None:
        """Write the guests and tallies changed so far."""
        write_guest_changes(
            guests=[self.guests[pk] for pk in sorted(self.touched)],
            new=self.new,
            changed=[t for t in self.changed.values() if t.pk is not None],
        )
        self.touched, self.new, self.changed = set(), [], {}


def update_rows(objs: list, fields: list[str]) -> None:
    """Write ``fields`` of ``objs`` (rows of one model, locked or just inserted by this
    transaction), in key order: on PostgreSQL one ``UPDATE … FROM UNNEST(arrays)``,
    elsewhere one prepared ``UPDATE … WHERE id = %s`` run for every row
    (``executemany``, no round trips on SQLite). Both much cheaper than ``bulk_update``'s
    CASE expressions."""
    if not objs:
        return
    meta = objs[0]._meta
    connection = connections[router.db_for_write(type(objs[0]))]
    quote = connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    rows = [
        [obj.pk] + [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns]
        for obj in sorted(objs, key=lambda o: o.pk)
    ]
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            sql = "UPDATE {} SET {} WHERE {} = %s".format(
                table, ", ".join(f"{quote(f.column)} = %s" for f in columns), pk
            )
            cursor.executemany(sql, [row[1:] + row[:1] for row in rows])
            return
        # one array per column (a few placeholders, whatever the number of rows)
        arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in [meta.pk, *columns])
        names = ", ".join(quote(f.column) for f in [meta.pk, *columns])
        assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in columns)
        cursor.execute(
            f"UPDATE {table} AS t SET {assignments} "
            f"FROM UNNEST({arrays}) AS v({names}) WHERE t.{pk} = v.{pk}",
            [list(column) for column in zip(*rows, strict=True)],
        )


def write_guest_changes(*, guests: list[Guest], new: list, changed: list) -> None:
    now = timezone.now()
    for guest in guests:
        guest.updated_at = now
    update_rows(guests, GUEST_FIELDS)
    GuestDishTally.objects.bulk_create([t for t in new if isinstance(t, GuestDishTally)])
    GuestPlaceTally.objects.bulk_create([t for t in new if isinstance(t, GuestPlaceTally)])
    update_rows(
        [t for t in changed if isinstance(t, GuestDishTally)],
        ["times_ordered", "qty", "last_ordered_at"],
    )
    update_rows([t for t in changed if isinstance(t, GuestPlaceTally)], ["visits"])


def apply_effect(guest: Guest, effect: Effect) -> dict:
    """Apply ``effect`` to the locked ``guest`` and its tallies and write it; returns what
    changed."""
    book = GuestBook({guest.pk: guest})
    now = book.apply(guest.pk, effect)
    book.save()
    return now


def refresh_autotags(*guest_ids) -> None:
    """Re-evaluate the auto-tag rules of the guests whose history just changed (locked rows,
    same transaction). Without any rule, only a guest still holding an auto tagging (of a
    tag whose rule was removed) can change, so only those are looked at."""
    ids = sorted({pk for pk in guest_ids if pk})
    if not ids:
        return
    if not GuestTag.objects.filter(rule__isnull=False).exists():
        ids = sorted(
            set(
                GuestTagging.objects.filter(guest_id__in=ids, auto=True).values_list(
                    "guest_id", flat=True
                )
            )
        )
    for guest in Guest.objects.filter(pk__in=ids).order_by("pk"):
        guest_autotags_refresh(guest=guest)


def _resolve_guest(posting: Posting, *, acting_user) -> Guest | None:
    if posting.guest is not None:
        return posting.guest
    if posting.guest_phone:
        guest, _created = guest_get_or_create_by_phone(
            acting_user=acting_user, phone=posting.guest_phone
        )
        return guest
    return None


def guests_for_phones(phones, *, acting_user) -> tuple[dict[str, Guest], list[dict]]:
    """The guests of these E.164 phones, created where none exists yet — all in one insert,
    each as ``guest_get_or_create_by_phone`` would create it; their audit entries are returned
    to be appended with the orders'. When a concurrent posting created one of them first, they
    are found or created one by one instead."""
    phones = sorted(set(phones))
    found = {g.primary_phone: g for g in Guest.objects.filter(primary_phone__in=phones)}
    missing = [p for p in phones if p not in found]
    if not missing:
        return found, []
    actor = acting_user if acting_user is not None and acting_user.pk else None
    tenant = require_active_tenant()
    new = [Guest(tenant=tenant, primary_phone=p, created_by=actor) for p in missing]
    try:
        with transaction.atomic():
            Guest.objects.bulk_create(new)
    except IntegrityError:
        for phone in missing:
            found[phone], _created = guest_get_or_create_by_phone(
                acting_user=acting_user, phone=phone
            )
        return found, []
    found.update({g.primary_phone: g for g in new})
    entries = [
        {"action": Action.CREATE, "actor": actor, "obj": g, "changes": snapshot(g)} for g in new
    ]
    return found, entries


def count_sale(order: Order, lines: list[OrderLine], *, acting_user, posting) -> dict:
    """Count a freshly inserted correction for its guest (a new phone's guest is created now,
    after the order's number was claimed)."""
    if order.guest_id is None:
        guest = _resolve_guest(posting, acting_user=acting_user)
        if guest is None:
            return {}
        order.guest, order.visit_counted = guest, True
        Order.objects.filter(pk=order.pk).update(guest=guest, visit_counted=True)
    book = GuestBook.lock([order.guest_id])
    now = book.apply(order.guest_id, sale_effect(order, lines))
    book.save()
    return now
