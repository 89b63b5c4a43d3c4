"""Posting a sale (T1–T3), one order or a batch of them: validation, idempotency on the POS's
own order number, the header, lines and payments, and the guest's derived history.

One code path: ``order_post`` is ``orders_post_batch`` with a batch of one. A batch is one
transaction that validates every order first (a bad order is reported and writes nothing; the
others go on), then writes what is new in a few statements: headers, lines and payments by
``bulk_create``; the guests of the batch locked in one ``select_for_update`` (in key order, so
two batches never deadlock); each guest's visit count, spend, first/last visit, dish and place
tallies changed in memory order by order and written once; the audit entries appended to the
tenant's chain under one lock of its head; the auto-tags of the batch's guests refreshed.

**Idempotent on the POS's own order number.** ``(store, pos_order_id)`` is unique in the
tenant. Every posting stores a fingerprint of its normalised content (store, number, times,
guest, lines, amounts, payments; the spelling of the request — key order, ``12.5`` or
``12.50`` — does not matter). Posting the same number again with the same content returns the
order already stored (``order.replayed`` is True) and writes nothing; with other content it is
a 409 ``duplicate_order``. Within a batch the same holds between its own orders, in their
order. Simultaneous repeats are safe on both databases: the headers are inserted first (sorted
by key), under the unique constraint, in a savepoint; a racing repeat waits for the first
one's transaction, fails on the constraint, and then replays (or refuses) what was committed
and inserts the rest again.

**Effects on the guest** of a sale: one visit, its total added to the spend, first/last visit
moved, one order and its quantity added to each of its dishes' tallies and one visit to the
place tally (store + table/room label). A new phone's guest is created once the order's
number is claimed.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.audit import Action, audit_records
from huike.core.permissions import check_perm
from huike.core.tenancy import require_active_tenant
from huike.org.models import Store

from . import hooks
from . import permissions as perms
from .effects import (
    GuestBook,
    guests_for_phones,
    refresh_autotags,
    sale_effect,
    update_rows,
)
from .models import Order, OrderLine, OrderPayment
from .parsing import Lookups, Posting, parse_order

MAX_BATCH = 500  # orders in one batch


class DuplicateOrder(errors.Conflict):
    code = "duplicate_order"


# --- Writing ---------------------------------------------------------------------------------
class _KeyTaken(Exception):
    """The (store, POS number) was claimed by a concurrent posting that committed first."""


def find_order(store: Store, pos_order_id: str) -> Order | None:
    return Order.objects.filter(store=store, pos_order_id=pos_order_id).first()


def _find_many(keys) -> dict[tuple[int, str], Order]:
    """The stored orders of these (store id, POS number) keys."""
    keys = set(keys)
    if not keys:
        return {}
    found = Order.objects.filter(
        store_id__in={s for s, _n in keys}, pos_order_id__in={n for _s, n in keys}
    )
    return {(o.store_id, o.pos_order_id): o for o in found if (o.store_id, o.pos_order_id) in keys}


def duplicate_order(order: Order) -> DuplicateOrder:
    return DuplicateOrder(
        _(
            "Order %(number)s of this store was already posted with other content. "
            "Post a correction or a refund to change it."
        )
        % {"number": order.pos_order_id},
        fields={"pos_order_id": [_("Already posted with other content.")]},
    )


def replay(order: Order, fingerprint: str) -> Order:
    if order.fingerprint != fingerprint:
        raise duplicate_order(order)
    order.replayed = True
    return order


def post_once(posting: Posting, *, acting_user, write, fingerprint: str = "") -> Order:
    """Insert once per (store, POS number): replay the stored order, or run ``write`` in a
    savepoint; a concurrent posting of the same number that commits first is replayed.
    (Refunds and corrections; sales go through ``orders_post_batch``.)"""
    fingerprint = fingerprint or posting.fingerprint()
    existing = find_order(posting.store, posting.pos_order_id)
    if existing is not None:
        return replay(existing, fingerprint)
    try:
        # The header is the first write (in a savepoint of its own): when its number is taken,
        # nothing else was written yet.
        order = write(fingerprint)
    except _KeyTaken:
        return replay(find_order(posting.store, posting.pos_order_id), fingerprint)
    order.replayed = False
    return order


def _header(posting: Posting, *, acting_user, fingerprint: str, tenant) -> Order:
    return Order(
        tenant=tenant,
        store=posting.store,
        pos_order_id=posting.pos_order_id,
        kind=posting.kind,
        original=posting.original,
        guest=posting.known_guest,
        visit_counted=posting.known_guest is not None and posting.kind != Order.Kind.REFUND,
        member_card=posting.member_card,
        table_label=posting.table_label,
        opened_at=posting.opened_at,
        closed_at=posting.closed_at,
        party_size=posting.party_size,
        subtotal=posting.subtotal,
        discount=posting.discount,
        service_charge=posting.service_charge,
        total=posting.total,
        fingerprint=fingerprint,
        source=posting.source,
        created_by=acting_user if acting_user is not None and acting_user.pk else None,
    )


def insert_header(posting: Posting, *, acting_user, fingerprint: str) -> Order:
    """Claim the (store, POS number) first: a racing repeat waits here for our commit."""
    order = _header(
        posting, acting_user=acting_user, fingerprint=fingerprint, tenant=require_active_tenant()
    )
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError as exc:
        if Order.objects.filter(store=posting.store, pos_order_id=posting.pos_order_id).exists():
            raise _KeyTaken from exc
        raise errors.Conflict() from exc
    return order


def _insert_headers(
    postings: list[tuple[Posting, str]], *, acting_user
) -> dict[tuple[int, str], Order]:
    """Claim many (store, POS number) keys in one insert, sorted by key so that two batches
    claim in the same order; ``_KeyTaken`` when a concurrent posting committed one first."""
    tenant = require_active_tenant()
    ordered = sorted(postings, key=lambda pf: (pf[0].store.pk, pf[0].pos_order_id))
    orders = [_header(p, acting_user=acting_user, fingerprint=f, tenant=tenant) for p, f in ordered]
    try:
        with transaction.atomic():
            Order.objects.bulk_create(orders)
    except IntegrityError as exc:
        if _find_many((p.store.pk, p.pos_order_id) for p, _f in ordered):
            raise _KeyTaken from exc
        raise errors.Conflict() from exc
    return {(o.store_id, o.pos_order_id): o for o in orders}


def _write_lines_and_payments_many(
    written: list[tuple[Order, Posting]],
) -> dict[int, list[OrderLine]]:
    """The lines and payments of freshly inserted orders, in one insert each; the lines by
    order id."""
    lines, payments = [], []
    for order, posting in written:
        tenant = order.tenant
        lines += [
            OrderLine(
                tenant=tenant,
                order=order,
                line_no=n,
                dish=line.dish,
                dish_code=line.dish_code,
                dish_name=line.dish_name,
                qty=line.qty,
                unit_price=line.unit_price,
                price_tier=line.price_tier,
                line_total=line.line_total,
                refund_of=line.refund_of,
            )
            for n, line in enumerate(posting.lines, start=1)
        ]
        payments += [
            OrderPayment(tenant=tenant, order=order, method=method, amount=amount)
            for method, amount in posting.payments
        ]
    OrderLine.objects.bulk_create(lines)
    OrderPayment.objects.bulk_create(payments)
    by_order: dict[int, list[OrderLine]] = {order.pk: [] for order, _p in written}
    for line in lines:
        by_order[line.order_id].append(line)
    return by_order


def write_lines_and_payments(order: Order, posting: Posting) -> list[OrderLine]:
    return _write_lines_and_payments_many([(order, posting)])[order.pk]


def _audit_entry(order: Order, *, acting_user, extra: dict | None = None) -> dict:
    """The audit entry of a posted order (the keyword arguments of ``audit_record``)."""
    return {
        "action": Action.CREATE,
        "actor": acting_user if acting_user is not None and acting_user.pk else None,
        "obj": order,
        "changes": {
            "kind": order.kind,
            "store": order.store_id,
            "pos_order_id": order.pos_order_id,
            "guest": order.guest_id,
            "closed_at": order.closed_at,
            "total": order.total,
            "lines": order.line_count,
            "source": order.source,
            **(extra or {}),
        },
    }


def audit_order(order: Order, *, acting_user, extra: dict | None = None) -> None:
    audit_records([_audit_entry(order, acting_user=acting_user, extra=extra)])


# --- Posting sales, one or many --------------------------------------------------------------
CREATED, REPLAYED, ERROR = "created", "replayed", "error"


@dataclass
class PostResult:
    """What became of one order of a batch: ``created``, ``replayed`` (the stored order with
    the same content) or ``error`` (the domain error; nothing of that order was written)."""

    index: int
    status: str = ERROR
    order: Order | None = None
    error: errors.DomainError | None = None


def orders_post_batch(
    *,
    acting_user,
    orders: list[dict],
    source: str = Order.Source.API,
    member_checkout: bool = True,
) -> list[PostResult]:
    """Post many sales at once (see the module docstring). ``orders``: each the keyword
    arguments of ``order_post`` without ``acting_user`` (``source`` defaults to the batch's).
    One transaction; returns one result per order, in their order. A permission error
    refuses the whole batch; a bad order only itself. Sales that a member checkout claims
    (they name a member card or coupons, see ``hooks``) are posted by it, one savepoint each;
    ``member_checkout=False`` is the checkout's own posting of the sale."""
    if len(orders) > MAX_BATCH:
        raise errors.InvalidInput(fields={"orders": [_("At most %(n)s items.") % {"n": MAX_BATCH}]})
    with transaction.atomic():
        check_perm(acting_user, perms.POST_ORDERS)
        orders = list(orders)
        claimed = {}
        if member_checkout:
            for i, raw in enumerate(orders):
                checkout = (
                    hooks.member_checkout_for({"source": source, **raw})
                    if isinstance(raw, dict)
                    else None
                )
                if checkout is not None:
                    claimed[i] = checkout
        if not claimed:
            return _post_sales(acting_user=acting_user, raw_orders=orders, source=source)
        results = [PostResult(index=i) for i in range(len(orders))]
        for i, checkout in claimed.items():
            try:
                with transaction.atomic():
                    order = checkout.post(
                        acting_user=acting_user, **{"source": source, **orders[i]}
                    )
                results[i].status = REPLAYED if order.replayed else CREATED
                results[i].order = order
            except errors.DomainError as exc:
                results[i].error = exc
        plain = [i for i in range(len(orders)) if i not in claimed]
        posted = _post_sales(
            acting_user=acting_user, raw_orders=[orders[i] for i in plain], source=source
        )
        for i, result in zip(plain, posted, strict=True):
            result.index = i
            results[i] = result
        return results


def _post_sales(*, acting_user, raw_orders: list[dict], source: str) -> list[PostResult]:
    results = [PostResult(index=i) for i in range(len(raw_orders))]
    lookups = Lookups(acting_user)
    lookups.prefetch(raw_orders)
    postings: dict[int, Posting] = {}
    for i, arguments in enumerate(raw_orders):
        try:
            if not isinstance(arguments, dict):
                raise errors.InvalidInput(_("Enter an object."))
            postings[i] = parse_order(
                acting_user=acting_user,
                kind=Order.Kind.SALE,
                lookups=lookups,
                **{"source": source, **arguments},
            )
        except errors.DomainError as exc:
            results[i].error = exc
    fingerprints = {i: p.fingerprint() for i, p in postings.items()}
    keys = {i: (p.store.pk, p.pos_order_id) for i, p in postings.items()}

    # Claim the new numbers: the first posting of each number not stored yet inserts it.
    stored = _find_many(keys.values())
    leaders: dict[tuple[int, str], int] = {}
    for i, key in keys.items():
        if key not in stored:
            leaders.setdefault(key, i)
    created: dict[tuple[int, str], Order] = {}
    while leaders:
        try:
            created = _insert_headers(
                [(postings[i], fingerprints[i]) for i in leaders.values()],
                acting_user=acting_user,
            )
            break
        except _KeyTaken:  # a concurrent posting committed some of them first
            taken = _find_many(leaders)
            stored.update(taken)
            for key in taken:
                del leaders[key]
    stored.update(created)
    for i, key in keys.items():
        order = stored[key]
        if key in created and leaders[key] == i:
            order.replayed = False
            results[i].status, results[i].order = CREATED, order
        elif order.fingerprint == fingerprints[i]:
            replay = copy.copy(order)  # the batch's own order keeps replayed=False
            replay.replayed = True
            results[i].status, results[i].order = REPLAYED, replay
        else:
            results[i].error = duplicate_order(order)
    fresh = sorted(((leaders[key], order) for key, order in created.items()), key=lambda io: io[0])
    if not fresh:
        return results

    # The guests of new phones, now that the numbers are claimed.
    phones = {
        postings[i].guest_phone
        for i, order in fresh
        if order.guest_id is None and postings[i].guest_phone
    }
    audit_entries: list[dict] = []
    if phones:
        by_phone, audit_entries = guests_for_phones(phones, acting_user=acting_user)
        with_guest = []
        for i, order in fresh:
            if order.guest_id is None and postings[i].guest_phone:
                order.guest, order.visit_counted = by_phone[postings[i].guest_phone], True
                with_guest.append(order)
        update_rows(with_guest, ["guest", "visit_counted"])

    lines = _write_lines_and_payments_many([(order, postings[i]) for i, order in fresh])
    effects = {}
    for _i, order in fresh:
        order.line_count = len(lines[order.pk])
        if order.guest_id is not None:
            effects[order.pk] = (order.guest_id, sale_effect(order, lines[order.pk]))
    book = GuestBook.lock(g for g, _e in effects.values())
    book.load(list(effects.values()))
    for _i, order in fresh:
        guest_now = book.apply(*effects[order.pk]) if order.pk in effects else {}
        audit_entries.append(
            _audit_entry(order, acting_user=acting_user, extra={"guest_now": guest_now})
        )
    book.save()
    audit_records(audit_entries)
    refresh_autotags(*(order.guest_id for _i, order in fresh))
    return results


def order_post(
    *,
    acting_user,
    store,
    pos_order_id: str,
    lines: list[dict],
    payments: list[dict] | None,
    closed_at,
    opened_at=None,
    guest_phone: str | None = None,
    guest=None,
    member_card: str = "",
    table_label: str = "",
    party_size: int | None = None,
    discount=None,
    service_charge=None,
    subtotal=None,
    total=None,
    source: str = Order.Source.API,
    coupons: list[str] | None = None,
    member_checkout: bool = True,
) -> Order:
    """Post a sale from the POS, an import or manual entry (see the module docstring): a batch
    of one. A sale naming a member card of the brand group or coupons is a member checkout
    (``huike.loyalty.checkout``).

    ``lines``: ``{"dish_code" or "dish", "qty", "price_tier"="regular", "unit_price"=the dish's
    price of that tier}``; ``payments``: ``{"method", "amount"}`` adding up to the total.
    ``subtotal`` and ``total`` are optional checks: when given they must match the lines.
    ``guest_phone``: the guest is found by phone or created; or ``guest`` (id or instance).
    Returns the order; ``order.replayed`` tells a repeat of an order already posted."""
    arguments = {
        "store": store,
        "pos_order_id": pos_order_id,
        "lines": lines,
        "payments": payments,
        "closed_at": closed_at,
        "opened_at": opened_at,
        "guest_phone": guest_phone,
        "guest": guest,
        "member_card": member_card,
        "table_label": table_label,
        "party_size": party_size,
        "discount": discount,
        "service_charge": service_charge,
        "subtotal": subtotal,
        "total": total,
        "source": source,
    }
    if coupons:
        arguments["coupons"] = coupons
    [result] = orders_post_batch(
        acting_user=acting_user,
        orders=[arguments],
        source=source,
        member_checkout=member_checkout,
    )
    if result.error is not None:
        raise result.error
    return result.order
