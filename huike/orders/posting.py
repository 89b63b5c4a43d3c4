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
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, connections, router, transaction
from django.db.models import F, Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.audit import Action, audit_records, snapshot
from huike.core.money import CENT, ZERO
from huike.core.permissions import check_perm, restrict
from huike.core.phone import normalise_phone
from huike.core.tenancy import require_active_tenant
from huike.guests.autotags import guest_autotags_refresh
from huike.guests.models import Guest, GuestTag, GuestTagging
from huike.guests.services import guest_get_or_create_by_phone
from huike.menu.models import Dish
from huike.org.models import Store

from . import permissions as perms
from .models import GuestDishTally, GuestPlaceTally, Order, OrderLine, OrderPayment

MAX_LINES = 500
MAX_PAYMENTS = 20
MAX_PARTY = 1000
MAX_QTY = Decimal("99999")
MAX_AMOUNT = Decimal("999999999.99")
CLOCK_SKEW = dt.timedelta(minutes=5)
QTY_PLACES = 3
TIERS = set(OrderLine.PriceTier.values)
METHODS = set(OrderPayment.Method.values)
MAX_BATCH = 500  # orders in one batch


class DuplicateOrder(errors.Conflict):
    code = "duplicate_order"


# --- Parsing ---------------------------------------------------------------------------------
class _Errors(dict):
    def add(self, name: str, message) -> None:
        self.setdefault(name, []).append(str(message))


def _decimal(value, name: str, errs: _Errors, *, places: int) -> Decimal | None:
    if value is None or value == "":
        errs.add(name, _("This field is required."))
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errs.add(name, _("Enter a number."))
        return None
    if not number.is_finite():
        errs.add(name, _("Enter a number."))
        return None
    if number != number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):
        errs.add(name, _("At most %(n)s decimal places.") % {"n": places})
        return None
    return number


def _money(value, name: str, errs: _Errors, *, required: bool = True) -> Decimal | None:
    if (value is None or value == "") and not required:
        return None
    amount = _decimal(value, name, errs, places=2)
    if amount is None:
        return None
    if amount < 0:
        errs.add(name, _("Must not be negative."))
        return None
    if amount > MAX_AMOUNT:
        errs.add(name, _("This amount is too large."))
        return None
    return amount.quantize(CENT)


def _text(value, name: str, errs: _Errors, *, max_length: int, required: bool = False) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        errs.add(name, _("This field is required."))
    elif len(text) > max_length:
        errs.add(name, _("At most %(n)s characters.") % {"n": max_length})
    elif text and not text.isprintable():
        errs.add(name, _("Only printable characters, please."))
    return text


def _aware(value, name: str, errs: _Errors, *, required: bool) -> dt.datetime | None:
    if value is None or value == "":
        if required:
            errs.add(name, _("This field is required."))
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            errs.add(name, _("Enter a valid date and time."))
            return None
    if not isinstance(value, dt.datetime):
        errs.add(name, _("Enter a valid date and time."))
        return None
    if timezone.is_naive(value):
        errs.add(name, _("Give the time with its UTC offset, e.g. +08:00."))
        return None
    return value


def _store(value, lookups: _Lookups, errs: _Errors) -> Store | None:
    if value is None or value == "":
        errs.add("store", _("This field is required."))
        return None
    store = lookups.store(value)
    if store is None:
        errs.add("store", _("Not found."))
    return store


def _guest_by_id(value, lookups: _Lookups, errs: _Errors) -> Guest | None:
    guest = lookups.guest(value)
    if guest is None:
        errs.add("guest", _("Not found."))
    return guest


def _follow_merges(guest: Guest | None) -> Guest | None:
    """A merged guest (G4) is a redirect to the one it was merged into."""
    for _hop in range(10):
        if guest is None or guest.merged_into_id is None:
            break
        guest = Guest.objects.get(pk=guest.merged_into_id)
    return guest


def _prep(field, value):
    """``value`` as the database would take it for the primary key ``field``; None when it
    cannot be one (the same values a ``.get(pk=value)`` finds)."""
    if isinstance(value, bool):
        return int(value)
    try:
        return field.get_prep_value(value)
    except (ValueError, TypeError):
        return None


class _Lookups:
    """The stores, dishes and guests that orders name, fetched in a few queries per batch
    (``prefetch``) or, for what was not prefetched, on first use."""

    def __init__(self, acting_user):
        self.user = acting_user
        self.stores: dict = {}
        self.dishes_by_code: dict[str, Dish | None] = {}
        self.dishes_by_id: dict[int, Dish | None] = {}
        self.guests: dict = {}
        self.by_phone: dict[str, Guest | None] = {}
        self.phones: dict[str, str | errors.InvalidInput] = {}

    def prefetch(self, raw_orders: list[dict]) -> None:
        stores, codes, dish_ids, guests, phones = set(), set(), set(), set(), set()
        for raw in raw_orders:
            if not isinstance(raw, dict):
                continue
            store = raw.get("store")
            if store not in (None, "") and not isinstance(store, Store):
                stores.add(_hashable(store))
            if raw.get("guest") not in (None, "") and not isinstance(raw["guest"], Guest):
                guests.add(_hashable(raw["guest"]))
            phone = raw.get("guest_phone")
            if phone not in (None, ""):
                try:
                    phones.add(self.phone(phone))
                except errors.InvalidInput:
                    pass
            lines = raw.get("lines")
            for line in lines if isinstance(lines, list | tuple) else ():
                if not isinstance(line, dict):
                    continue
                dish = line.get("dish")
                if dish:
                    dish_ids.add(dish.pk if isinstance(dish, Dish) else _hashable(dish))
                elif line.get("dish_code"):
                    codes.add(str(line["dish_code"]).strip())
        self._fetch_stores(stores)
        self.dishes(codes, dish_ids)
        self._fetch_guests(guests)
        self._fetch_phones(phones)

    def phone(self, value) -> str:
        """``normalise_phone`` of ``value`` (as the ``guest_phone`` field), remembered: a batch
        names the same guests again and again."""
        key = str(value)
        if key not in self.phones:
            try:
                self.phones[key] = normalise_phone(key, field="guest_phone")
            except errors.InvalidInput as exc:
                self.phones[key] = exc
        found = self.phones[key]
        if isinstance(found, errors.InvalidInput):
            raise errors.InvalidInput(found.message, code=found.code, fields=found.fields)
        return found

    def _fetch_stores(self, values) -> None:
        keys = {}
        for value in values:
            key = _prep(Store._meta.pk, value)
            self.stores[_hashable(value)] = None
            if key is not None:
                keys.setdefault(key, []).append(_hashable(value))
        if keys:
            queryset = restrict(Store.objects.select_related("brand"), self.user)
            for store in queryset.filter(pk__in=list(keys)):
                for value in keys.get(store.pk, ()):
                    self.stores[value] = store

    def store(self, value) -> Store | None:
        if isinstance(value, Store):
            value = value.pk
        if _hashable(value) not in self.stores:
            self._fetch_stores([value])
        return self.stores[_hashable(value)]

    def dishes(self, codes, ids) -> None:
        codes = {c for c in codes if c not in self.dishes_by_code}
        if codes:
            self.dishes_by_code.update(dict.fromkeys(codes))
            self.dishes_by_code.update({d.code: d for d in Dish.objects.filter(code__in=codes)})
        ids = {i for i in ids if isinstance(i, int) and i not in self.dishes_by_id}
        if ids:
            self.dishes_by_id.update(dict.fromkeys(ids))
            self.dishes_by_id.update({d.pk: d for d in Dish.objects.filter(pk__in=ids)})

    def _fetch_guests(self, values) -> None:
        keys = {}
        for value in values:
            key = _prep(Guest._meta.pk, value)
            self.guests[_hashable(value)] = None
            if key is not None:
                keys.setdefault(key, []).append(_hashable(value))
        if keys:
            for guest in Guest.objects.filter(pk__in=list(keys)):
                for value in keys.get(guest.pk, ()):
                    self.guests[value] = _follow_merges(guest)

    def guest(self, value) -> Guest | None:
        if isinstance(value, Guest):
            value = value.pk
        if _hashable(value) not in self.guests:
            self._fetch_guests([value])
        return self.guests[_hashable(value)]

    def _fetch_phones(self, phones) -> None:
        phones = {p for p in phones if p not in self.by_phone}
        if phones:
            self.by_phone.update(dict.fromkeys(phones))
            for guest in Guest.objects.filter(primary_phone__in=phones):
                self.by_phone[guest.primary_phone] = _follow_merges(guest)

    def guest_by_phone(self, phone: str) -> Guest | None:
        if phone not in self.by_phone:
            self._fetch_phones([phone])
        return self.by_phone[phone]


def _hashable(value):
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


@dataclass
class _Line:
    dish: Dish | None
    dish_code: str
    dish_name: str
    qty: Decimal
    unit_price: Decimal
    price_tier: str
    line_total: Decimal
    refund_of: OrderLine | None = None


@dataclass
class _Posting:
    kind: str
    store: Store
    pos_order_id: str
    closed_at: dt.datetime
    opened_at: dt.datetime | None = None
    guest: Guest | None = None
    guest_phone: str = ""  # E.164 of a guest to find or create
    member_card: str = ""
    table_label: str = ""
    party_size: int | None = None
    subtotal: Decimal = ZERO
    discount: Decimal = ZERO
    service_charge: Decimal = ZERO
    total: Decimal = ZERO
    lines: list[_Line] = field(default_factory=list)
    payments: list[tuple[str, Decimal]] = field(default_factory=list)
    original: Order | None = None
    source: str = Order.Source.API
    # The guest as far as known before writing (by id, or an existing phone); a new phone's
    # guest is only created once the order's number is claimed.
    known_guest: Guest | None = None

    def fingerprint(self) -> str:
        content = {
            "kind": self.kind,
            "store": self.store.pk,
            "pos_order_id": self.pos_order_id,
            "original": self.original.pk if self.original else None,
            "opened_at": self.opened_at.astimezone(dt.UTC).isoformat() if self.opened_at else None,
            "closed_at": self.closed_at.astimezone(dt.UTC).isoformat(),
            "guest": self.guest.pk if self.guest else None,
            "guest_phone": self.guest_phone,
            "member_card": self.member_card,
            "table_label": self.table_label,
            "party_size": self.party_size,
            "amounts": [str(self.subtotal), str(self.discount), str(self.service_charge)],
            "lines": [
                [
                    line.dish_code,
                    str(line.qty.normalize()),
                    str(line.unit_price),
                    line.price_tier,
                    line.refund_of.pk if line.refund_of else None,
                ]
                for line in self.lines
            ],
            "payments": sorted([m, str(a)] for m, a in self.payments),
        }
        blob = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()


def _line_total(qty: Decimal, unit_price: Decimal) -> Decimal:
    return (qty * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)


def _parse_lines(raw_lines, errs: _Errors, lookups: _Lookups) -> list[_Line]:
    if not isinstance(raw_lines, list | tuple) or not raw_lines:
        errs.add("lines", _("An order needs at least one line."))
        return []
    if len(raw_lines) > MAX_LINES:
        errs.add("lines", _("At most %(n)s lines.") % {"n": MAX_LINES})
        return []
    lookups.dishes(
        {
            str(r.get("dish_code", "")).strip()
            for r in raw_lines
            if isinstance(r, dict) and r.get("dish_code") and not r.get("dish")
        },
        {
            r["dish"].pk if isinstance(r["dish"], Dish) else r["dish"]
            for r in raw_lines
            if isinstance(r, dict) and r.get("dish")
        },
    )
    dishes_by_code, dishes_by_id = lookups.dishes_by_code, lookups.dishes_by_id
    lines = []
    for i, raw in enumerate(raw_lines):
        prefix = f"lines.{i}"
        if not isinstance(raw, dict):
            errs.add(prefix, _("Enter an object."))
            continue
        dish = None
        if raw.get("dish"):
            key = raw["dish"].pk if isinstance(raw["dish"], Dish) else raw["dish"]
            dish = dishes_by_id.get(key) if isinstance(key, int) else None
            if dish is None:
                errs.add(f"{prefix}.dish", _("No such dish."))
        else:
            code = str(raw.get("dish_code") or "").strip()
            if not code:
                errs.add(f"{prefix}.dish_code", _("This field is required."))
            else:
                dish = dishes_by_code.get(code)
                if dish is None:
                    errs.add(
                        f"{prefix}.dish_code",
                        _("No dish has the code “%(code)s”.") % {"code": code},
                    )
        qty = _decimal(raw.get("qty"), f"{prefix}.qty", errs, places=QTY_PLACES)
        if qty is not None and qty <= 0:
            errs.add(f"{prefix}.qty", _("The quantity must be more than 0."))
            qty = None
        elif qty is not None and qty > MAX_QTY:
            errs.add(f"{prefix}.qty", _("This quantity is too large."))
            qty = None
        tier = str(raw.get("price_tier") or OrderLine.PriceTier.REGULAR)
        if tier not in TIERS:
            errs.add(
                f"{prefix}.price_tier",
                _("Choose one of: %(options)s.") % {"options": ", ".join(sorted(TIERS))},
            )
            tier = None
        price = _money(raw.get("unit_price"), f"{prefix}.unit_price", errs, required=False)
        if dish is None or qty is None or tier is None:
            continue
        if price is None:
            if raw.get("unit_price") not in (None, ""):
                continue  # refused above
            price = dish.price_for(tier)
        lines.append(
            _Line(
                dish=dish,
                dish_code=dish.code,
                dish_name=dish.name,
                qty=qty,
                unit_price=price,
                price_tier=tier,
                line_total=_line_total(qty, price),
            )
        )
    return lines


def _parse_payments(raw_payments, errs: _Errors) -> list[tuple[str, Decimal]]:
    if raw_payments is None:
        return []
    if not isinstance(raw_payments, list | tuple):
        errs.add("payments", _("Enter a list."))
        return []
    if len(raw_payments) > MAX_PAYMENTS:
        errs.add("payments", _("At most %(n)s payments.") % {"n": MAX_PAYMENTS})
        return []
    payments = []
    for i, raw in enumerate(raw_payments):
        prefix = f"payments.{i}"
        if not isinstance(raw, dict):
            errs.add(prefix, _("Enter an object."))
            continue
        method = str(raw.get("method") or "")
        if method not in METHODS:
            errs.add(
                f"{prefix}.method",
                _("Choose one of: %(options)s.") % {"options": ", ".join(sorted(METHODS))},
            )
        amount = _money(raw.get("amount"), f"{prefix}.amount", errs)
        if amount is not None and amount <= 0:
            errs.add(f"{prefix}.amount", _("A payment must be more than 0."))
            amount = None
        if method in METHODS and amount is not None:
            payments.append((method, amount))
    return payments


def _check_times(opened_at, closed_at, errs: _Errors) -> None:
    if closed_at and closed_at > timezone.now() + CLOCK_SKEW:
        errs.add("closed_at", _("The order cannot be closed in the future."))
    if opened_at and closed_at and opened_at > closed_at:
        errs.add("opened_at", _("The order cannot open after it closed."))


def _check_amounts(posting: _Posting, given_subtotal, given_total, errs: _Errors) -> None:
    posting.subtotal = sum((line.line_total for line in posting.lines), ZERO)
    if given_subtotal is not None and given_subtotal != posting.subtotal:
        errs.add(
            "subtotal",
            _("The subtotal %(given)s is not the sum of the lines, %(sum)s.")
            % {"given": given_subtotal, "sum": posting.subtotal},
        )
    total = posting.subtotal - posting.discount + posting.service_charge
    if total < 0:
        errs.add("discount", _("The discount is larger than the subtotal and service charge."))
        return
    posting.total = total
    if given_total is not None and given_total != total:
        errs.add(
            "total",
            _(
                "The total %(given)s does not add up: subtotal %(subtotal)s − discount "
                "%(discount)s + service charge %(charge)s = %(total)s."
            )
            % {
                "given": given_total,
                "subtotal": posting.subtotal,
                "discount": posting.discount,
                "charge": posting.service_charge,
                "total": total,
            },
        )
    paid = sum((a for _m, a in posting.payments), ZERO)
    if paid != total:
        errs.add(
            "payments",
            _("The payments add up to %(paid)s, not to the total %(total)s.")
            % {"paid": paid, "total": total},
        )


def _parse_order(
    *,
    acting_user,
    kind: str,
    store,
    pos_order_id,
    lines,
    payments,
    closed_at,
    opened_at=None,
    guest_phone=None,
    guest=None,
    member_card="",
    table_label="",
    party_size=None,
    discount=None,
    service_charge=None,
    subtotal=None,
    total=None,
    source=Order.Source.API,
    original: Order | None = None,
    lookups: _Lookups | None = None,
) -> _Posting:
    """Validate a whole order; raise InvalidInput with every field's message at once."""
    errs = _Errors()
    lookups = lookups or _Lookups(acting_user)
    if source not in Order.Source.values:
        errs.add("source", _("Not a valid value."))
    if original is not None:
        store_obj = original.store
    else:
        store_obj = _store(store, lookups, errs)
    pos_id = _text(pos_order_id, "pos_order_id", errs, max_length=64, required=True)
    closed = _aware(closed_at, "closed_at", errs, required=True)
    opened = _aware(opened_at, "opened_at", errs, required=False)
    _check_times(opened, closed, errs)
    phone = ""
    if guest_phone not in (None, ""):
        try:
            phone = lookups.phone(guest_phone)
        except errors.InvalidInput as exc:
            for name, messages in exc.fields.items():
                for message in messages:
                    errs.add(name, message)
    guest_obj = _guest_by_id(guest, lookups, errs) if guest not in (None, "") else None
    if guest_obj is not None and phone:
        errs.add("guest_phone", _("Give the guest or their phone, not both."))
    card = _text(member_card, "member_card", errs, max_length=40)
    table = _text(table_label, "table_label", errs, max_length=40)
    if party_size not in (None, ""):
        try:
            party_size = int(party_size)
        except (TypeError, ValueError):
            errs.add("party_size", _("Enter a whole number."))
            party_size = None
        else:
            if not 1 <= party_size <= MAX_PARTY:
                errs.add("party_size", _("Between 1 and %(n)s guests.") % {"n": MAX_PARTY})
    else:
        party_size = None
    posting = _Posting(
        kind=kind,
        store=store_obj,
        pos_order_id=pos_id,
        closed_at=closed,
        opened_at=opened,
        guest=guest_obj,
        guest_phone=phone,
        member_card=card,
        table_label=table,
        party_size=party_size,
        discount=_money(discount if discount is not None else "0", "discount", errs) or ZERO,
        service_charge=(
            _money(service_charge if service_charge is not None else "0", "service_charge", errs)
            or ZERO
        ),
        lines=_parse_lines(lines, errs, lookups),
        payments=_parse_payments(payments, errs),
        original=original,
        source=source,
    )
    given_subtotal = _money(subtotal, "subtotal", errs, required=False)
    given_total = _money(total, "total", errs, required=False)
    if not errs:
        _check_amounts(posting, given_subtotal, given_total, errs)
    if errs:
        raise errors.InvalidInput(fields=dict(errs))
    posting.known_guest = guest_obj or (lookups.guest_by_phone(phone) if phone else None)
    return posting


# --- Writing ---------------------------------------------------------------------------------
class _KeyTaken(Exception):
    """The (store, POS number) was claimed by a concurrent posting that committed first."""


def _find(store: Store, pos_order_id: str) -> Order | None:
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


def _duplicate(order: Order) -> DuplicateOrder:
    return DuplicateOrder(
        _(
            "Order %(number)s of this store was already posted with other content. "
            "Post a correction or a refund to change it."
        )
        % {"number": order.pos_order_id},
        fields={"pos_order_id": [_("Already posted with other content.")]},
    )


def _replay(order: Order, fingerprint: str) -> Order:
    if order.fingerprint != fingerprint:
        raise _duplicate(order)
    order.replayed = True
    return order


def _post_once(posting: _Posting, *, acting_user, write, fingerprint: str = "") -> Order:
    """Insert once per (store, POS number): replay the stored order, or run ``write`` in a
    savepoint; a concurrent posting of the same number that commits first is replayed.
    (Refunds and corrections; sales go through ``orders_post_batch``.)"""
    fingerprint = fingerprint or posting.fingerprint()
    existing = _find(posting.store, posting.pos_order_id)
    if existing is not None:
        return _replay(existing, fingerprint)
    try:
        # The header is the first write (in a savepoint of its own): when its number is taken,
        # nothing else was written yet.
        order = write(fingerprint)
    except _KeyTaken:
        return _replay(_find(posting.store, posting.pos_order_id), fingerprint)
    order.replayed = False
    return order


def _header(posting: _Posting, *, acting_user, fingerprint: str, tenant) -> Order:
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


def _insert_header(posting: _Posting, *, acting_user, fingerprint: str) -> Order:
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
    postings: list[tuple[_Posting, str]], *, acting_user
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
    written: list[tuple[Order, _Posting]],
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


def _write_lines_and_payments(order: Order, posting: _Posting) -> list[OrderLine]:
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


def _audit(order: Order, *, acting_user, extra: dict | None = None) -> None:
    audit_records([_audit_entry(order, acting_user=acting_user, extra=extra)])


# --- Guest effects ---------------------------------------------------------------------------
@dataclass
class _Effect:
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


def _sale_effect(order: Order, lines: list[OrderLine]) -> _Effect:
    effect = _Effect(
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


def _negate(effect: _Effect, *, visit: bool) -> _Effect:
    back = _Effect(
        spend=-effect.spend,
        visits=-1 if visit else 0,
        at=effect.at,
        store_id=effect.store_id,
        table_label=effect.table_label,
    )
    for dish_id, (times, qty) in effect.dishes.items():
        back.dish(dish_id, -times, -qty)
    return back


def _lock_guest(pk: int) -> Guest:
    """The guest's row, locked until commit: postings for one guest queue here. ``no_key``
    (PostgreSQL's FOR NO KEY UPDATE) is enough — the guest's key never changes — and does not
    conflict with the key-share locks that foreign-key checks of other writers take."""
    return Guest.objects.select_for_update(no_key=True).get(pk=pk)


GUEST_FIELDS = ["total_spend", "visit_count", "first_visit_at", "last_visit_at", "updated_at"]


class _GuestBook:
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
    def lock(cls, guest_ids) -> _GuestBook:
        """Lock the guests' rows in key order (so that two postings never deadlock)."""
        ids = sorted({pk for pk in guest_ids if pk})
        if len(ids) == 1:
            return cls({ids[0]: _lock_guest(ids[0])})
        locked = Guest.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")
        return cls({g.pk: g for g in locked})

    def load(self, effects: list[tuple[int, _Effect]]) -> None:
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

    def apply(self, guest_id: int, effect: _Effect) -> dict:
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

    def _apply_dishes(self, guest: Guest, effect: _Effect) -> None:
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
        _write_guest_changes(
            guests=[self.guests[pk] for pk in sorted(self.touched)],
            new=self.new,
            changed=[t for t in self.changed.values() if t.pk is not None],
        )
        self.touched, self.new, self.changed = set(), [], {}


def _update_rows(objs: list, fields: list[str]) -> None:
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


def _write_guest_changes(*, guests: list[Guest], new: list, changed: list) -> None:
    now = timezone.now()
    for guest in guests:
        guest.updated_at = now
    _update_rows(guests, GUEST_FIELDS)
    GuestDishTally.objects.bulk_create([t for t in new if isinstance(t, GuestDishTally)])
    GuestPlaceTally.objects.bulk_create([t for t in new if isinstance(t, GuestPlaceTally)])
    _update_rows(
        [t for t in changed if isinstance(t, GuestDishTally)],
        ["times_ordered", "qty", "last_ordered_at"],
    )
    _update_rows([t for t in changed if isinstance(t, GuestPlaceTally)], ["visits"])


def _apply(guest: Guest, effect: _Effect) -> dict:
    """Apply ``effect`` to the locked ``guest`` and its tallies and write it; returns what
    changed."""
    book = _GuestBook({guest.pk: guest})
    now = book.apply(guest.pk, effect)
    book.save()
    return now


def _refresh_autotags(*guest_ids) -> None:
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


def _resolve_guest(posting: _Posting, *, acting_user) -> Guest | None:
    if posting.guest is not None:
        return posting.guest
    if posting.guest_phone:
        guest, _created = guest_get_or_create_by_phone(
            acting_user=acting_user, phone=posting.guest_phone
        )
        return guest
    return None


def _guests_for_phones(phones, *, acting_user) -> tuple[dict[str, Guest], list[dict]]:
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


def _count_sale(order: Order, lines: list[OrderLine], *, acting_user, posting) -> dict:
    """Count a freshly inserted correction for its guest (a new phone's guest is created now,
    after the order's number was claimed)."""
    if order.guest_id is None:
        guest = _resolve_guest(posting, acting_user=acting_user)
        if guest is None:
            return {}
        order.guest, order.visit_counted = guest, True
        Order.objects.filter(pk=order.pk).update(guest=guest, visit_counted=True)
    book = _GuestBook.lock([order.guest_id])
    now = book.apply(order.guest_id, _sale_effect(order, lines))
    book.save()
    return now


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
    *, acting_user, orders: list[dict], source: str = Order.Source.API
) -> list[PostResult]:
    """Post many sales at once (see the module docstring). ``orders``: each the keyword
    arguments of ``order_post`` without ``acting_user`` (``source`` defaults to the batch's).
    One transaction; returns one result per order, in their order. A permission error
    refuses the whole batch; a bad order only itself."""
    if len(orders) > MAX_BATCH:
        raise errors.InvalidInput(fields={"orders": [_("At most %(n)s items.") % {"n": MAX_BATCH}]})
    with transaction.atomic():
        check_perm(acting_user, perms.POST_ORDERS)
        return _post_sales(acting_user=acting_user, raw_orders=list(orders), source=source)


def _post_sales(*, acting_user, raw_orders: list[dict], source: str) -> list[PostResult]:
    results = [PostResult(index=i) for i in range(len(raw_orders))]
    lookups = _Lookups(acting_user)
    lookups.prefetch(raw_orders)
    postings: dict[int, _Posting] = {}
    for i, arguments in enumerate(raw_orders):
        try:
            if not isinstance(arguments, dict):
                raise errors.InvalidInput(_("Enter an object."))
            postings[i] = _parse_order(
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
            results[i].error = _duplicate(order)
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
        by_phone, audit_entries = _guests_for_phones(phones, acting_user=acting_user)
        with_guest = []
        for i, order in fresh:
            if order.guest_id is None and postings[i].guest_phone:
                order.guest, order.visit_counted = by_phone[postings[i].guest_phone], True
                with_guest.append(order)
        _update_rows(with_guest, ["guest", "visit_counted"])

    lines = _write_lines_and_payments_many([(order, postings[i]) for i, order in fresh])
    effects = {}
    for _i, order in fresh:
        order.line_count = len(lines[order.pk])
        if order.guest_id is not None:
            effects[order.pk] = (order.guest_id, _sale_effect(order, lines[order.pk]))
    book = _GuestBook.lock(g for g, _e in effects.values())
    book.load(list(effects.values()))
    for _i, order in fresh:
        guest_now = book.apply(*effects[order.pk]) if order.pk in effects else {}
        audit_entries.append(
            _audit_entry(order, acting_user=acting_user, extra={"guest_now": guest_now})
        )
    book.save()
    audit_records(audit_entries)
    _refresh_autotags(*(order.guest_id for _i, order in fresh))
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
) -> Order:
    """Post a sale from the POS, an import or manual entry (see the module docstring): a batch
    of one.

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
    [result] = orders_post_batch(acting_user=acting_user, orders=[arguments], source=source)
    if result.error is not None:
        raise result.error
    return result.order
