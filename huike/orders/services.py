"""Posting POS orders (T1–T3): a sale, a refund of a sale, a correction replacing an order.

Each posting is one transaction: it validates everything first (nothing is written when any
field is wrong), writes the header, lines and payments, and updates the guest's derived history
in the same transaction — visit count, total spend, first and last visit, the dish tally
(favourite dishes) and the place tally (preferred rooms and tables) — with the guest's row
locked (``select_for_update``), so simultaneous postings for one guest never lose an update.

**Idempotent on the POS's own order number.** ``(store, pos_order_id)`` is unique in the
tenant. Every posting stores a fingerprint of its normalised content (store, number, times,
guest, lines, amounts, payments; the spelling of the request — key order, ``12.5`` or
``12.50`` — does not matter). Posting the same number again with the same content returns the
order already stored (``order.replayed`` is True) and writes nothing; with other content it is
a 409 ``duplicate_order``. Simultaneous repeats are safe on both databases: the header is
inserted first, under the unique constraint, so a racing repeat waits for the first one's
transaction, fails on the constraint inside a savepoint, and then replays the committed order.

**Effects on the guest.**

* A *sale* counts one visit, adds its total to the spend, moves first/last visit, adds one
  order and its quantity to each of its dishes' tallies and one visit to the place tally
  (store + table/room label).
* A *refund* (its own POS number, ``original`` = the sale) takes back some or all of the
  remaining quantity of the original's lines at their unit prices; the discount and service
  charge are taken back in the same proportion (the last refund takes back exactly what is
  left, so the refunds of an order add up to its total). The refunded amount comes off the
  spend and the refunded quantities off the dish tallies; a dish whose lines are refunded in
  full loses that order from its ``times_ordered``; an order refunded in full no longer counts
  as a visit (visit count, place tally, first/last visit are recomputed). Nothing goes below
  zero.
* A *correction* (its own POS number, ``original`` = the order it corrects) is a complete new
  order that replaces the original: the original's remaining effect (what its refunds left) is
  taken back in full and the original is marked *superseded*; then the correction counts as a
  sale. A superseded order can be neither refunded nor corrected again — correct the
  correction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.audit import Action, audit_record
from huike.core.money import CENT, ZERO, allocate
from huike.core.permissions import check_perm, restrict
from huike.core.phone import normalise_phone
from huike.core.tenancy import require_active_tenant
from huike.guests.autotags import guest_autotags_refresh
from huike.guests.models import Guest
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


class DuplicateOrder(errors.Conflict):
    code = "duplicate_order"


class _KeyTaken(Exception):
    """The (store, POS number) was claimed by a concurrent posting that committed first."""


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


def _store(value, user, errs: _Errors) -> Store | None:
    if value is None or value == "":
        errs.add("store", _("This field is required."))
        return None
    pk = value.pk if isinstance(value, Store) else value
    try:
        return restrict(Store.objects.select_related("brand"), user).get(pk=pk)
    except (Store.DoesNotExist, ValueError, TypeError):
        errs.add("store", _("Not found."))
        return None


def _guest_by_id(value, errs: _Errors) -> Guest | None:
    pk = value.pk if isinstance(value, Guest) else value
    try:
        guest = Guest.objects.get(pk=pk)
    except (Guest.DoesNotExist, ValueError, TypeError):
        errs.add("guest", _("Not found."))
        return None
    return _follow_merges(guest)


def _follow_merges(guest: Guest | None) -> Guest | None:
    """A merged guest (G4) is a redirect to the one it was merged into."""
    for _hop in range(10):
        if guest is None or guest.merged_into_id is None:
            break
        guest = Guest.objects.get(pk=guest.merged_into_id)
    return guest


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


def _parse_lines(raw_lines, errs: _Errors) -> list[_Line]:
    if not isinstance(raw_lines, list | tuple) or not raw_lines:
        errs.add("lines", _("An order needs at least one line."))
        return []
    if len(raw_lines) > MAX_LINES:
        errs.add("lines", _("At most %(n)s lines.") % {"n": MAX_LINES})
        return []
    wanted_codes = {
        str(r.get("dish_code", "")).strip()
        for r in raw_lines
        if isinstance(r, dict) and r.get("dish_code")
    }
    wanted_ids = {r["dish"] for r in raw_lines if isinstance(r, dict) and r.get("dish")}
    dishes_by_code = (
        {d.code: d for d in Dish.objects.filter(code__in=wanted_codes)} if wanted_codes else {}
    )
    dishes_by_id = {}
    if wanted_ids:
        ids = [i.pk if isinstance(i, Dish) else i for i in wanted_ids]
        try:
            dishes_by_id = {d.pk: d for d in Dish.objects.filter(pk__in=ids)}
        except (ValueError, TypeError):
            dishes_by_id = {}
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
) -> _Posting:
    """Validate a whole order; raise InvalidInput with every field's message at once."""
    errs = _Errors()
    if source not in Order.Source.values:
        errs.add("source", _("Not a valid value."))
    if original is not None:
        store_obj = original.store
    else:
        store_obj = _store(store, acting_user, errs)
    pos_id = _text(pos_order_id, "pos_order_id", errs, max_length=64, required=True)
    closed = _aware(closed_at, "closed_at", errs, required=True)
    opened = _aware(opened_at, "opened_at", errs, required=False)
    _check_times(opened, closed, errs)
    phone = ""
    if guest_phone not in (None, ""):
        try:
            phone = normalise_phone(str(guest_phone), field="guest_phone")
        except errors.InvalidInput as exc:
            for name, messages in exc.fields.items():
                for message in messages:
                    errs.add(name, message)
    guest_obj = _guest_by_id(guest, errs) if guest not in (None, "") else None
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
        lines=_parse_lines(lines, errs),
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
    posting.known_guest = guest_obj or (
        _follow_merges(Guest.objects.filter(primary_phone=phone).first()) if phone else None
    )
    return posting


# --- Writing ---------------------------------------------------------------------------------
def _find(store: Store, pos_order_id: str) -> Order | None:
    return Order.objects.filter(store=store, pos_order_id=pos_order_id).first()


def _replay(order: Order, fingerprint: str) -> Order:
    if order.fingerprint != fingerprint:
        raise DuplicateOrder(
            _(
                "Order %(number)s of this store was already posted with other content. "
                "Post a correction or a refund to change it."
            )
            % {"number": order.pos_order_id},
            fields={"pos_order_id": [_("Already posted with other content.")]},
        )
    order.replayed = True
    return order


def _post_once(posting: _Posting, *, acting_user, write, fingerprint: str = "") -> Order:
    """Insert once per (store, POS number): replay the stored order, or run ``write`` in a
    savepoint; a concurrent posting of the same number that commits first is replayed."""
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


def _insert_header(posting: _Posting, *, acting_user, fingerprint: str) -> Order:
    """Claim the (store, POS number) first: a racing repeat waits here for our commit."""
    order = Order(
        tenant=require_active_tenant(),
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
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError as exc:
        if Order.objects.filter(store=posting.store, pos_order_id=posting.pos_order_id).exists():
            raise _KeyTaken from exc
        raise errors.Conflict() from exc
    return order


def _write_lines_and_payments(order: Order, posting: _Posting) -> list[OrderLine]:
    tenant = order.tenant
    lines = OrderLine.objects.bulk_create(
        [
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
    )
    OrderPayment.objects.bulk_create(
        [
            OrderPayment(tenant=tenant, order=order, method=method, amount=amount)
            for method, amount in posting.payments
        ]
    )
    return lines


def _audit(order: Order, *, acting_user, extra: dict | None = None) -> None:
    audit_record(
        action=Action.CREATE,
        actor=acting_user if acting_user is not None and acting_user.pk else None,
        obj=order,
        changes={
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
    )


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


def _apply(guest: Guest, effect: _Effect) -> dict:
    """Apply ``effect`` to the locked ``guest`` and its tallies; returns what changed."""
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
    guest.save(
        update_fields=[
            "total_spend",
            "visit_count",
            "first_visit_at",
            "last_visit_at",
            "updated_at",
        ]
    )
    if effect.dishes:
        _apply_dishes(guest, effect)
    if effect.visits and effect.store_id:
        places = GuestPlaceTally.objects.filter(
            guest=guest, store_id=effect.store_id, table_label=effect.table_label
        )
        if effect.visits < 0:
            places.filter(visits__gt=0).update(visits=F("visits") - 1)
        elif not places.update(visits=F("visits") + effect.visits):
            GuestPlaceTally.objects.create(
                tenant_id=guest.tenant_id,
                guest=guest,
                store_id=effect.store_id,
                table_label=effect.table_label,
                visits=effect.visits,
            )
    return {
        "visit_count": guest.visit_count,
        "total_spend": guest.total_spend,
    }


def _apply_dishes(guest: Guest, effect: _Effect) -> None:
    tallies = {
        t.dish_id: t
        for t in GuestDishTally.objects.filter(guest=guest, dish_id__in=list(effect.dishes))
    }
    new, changed, recompute = [], [], []
    for dish_id, (times, qty) in effect.dishes.items():
        tally = tallies.get(dish_id)
        if tally is None:
            if times <= 0 and qty <= 0:
                continue
            tally = GuestDishTally(tenant_id=guest.tenant_id, guest=guest, dish_id=dish_id)
            new.append(tally)
        else:
            changed.append(tally)
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
    GuestDishTally.objects.bulk_create(new)
    for tally in changed:  # a handful per order: plain updates are cheaper than one CASE
        tally.save(update_fields=["times_ordered", "qty", "last_ordered_at"])


def _refresh_autotags(*guest_ids) -> None:
    """Re-evaluate the auto-tag rules of the guests whose history just changed (locked rows,
    same transaction)."""
    for pk in sorted({pk for pk in guest_ids if pk}):
        guest_autotags_refresh(guest=Guest.objects.get(pk=pk))


def _resolve_guest(posting: _Posting, *, acting_user) -> Guest | None:
    if posting.guest is not None:
        return posting.guest
    if posting.guest_phone:
        guest, _created = guest_get_or_create_by_phone(
            acting_user=acting_user, phone=posting.guest_phone
        )
        return guest
    return None


def _count_sale(order: Order, lines: list[OrderLine], *, acting_user, posting) -> dict:
    """Count a freshly inserted sale or correction for its guest (a new phone's guest is
    created now, after the order's number was claimed)."""
    if order.guest_id is not None:
        guest = _lock_guest(order.guest_id)
    else:
        guest = _resolve_guest(posting, acting_user=acting_user)
        if guest is None:
            return {}
        guest = _lock_guest(guest.pk)
        order.guest, order.visit_counted = guest, True
        Order.objects.filter(pk=order.pk).update(guest=guest, visit_counted=True)
    return _apply(guest, _sale_effect(order, lines))


# --- Services --------------------------------------------------------------------------------
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
    """Post a sale from the POS, an import or manual entry (see the module docstring).

    ``lines``: ``{"dish_code" or "dish", "qty", "price_tier"="regular", "unit_price"=the dish's
    price of that tier}``; ``payments``: ``{"method", "amount"}`` adding up to the total.
    ``subtotal`` and ``total`` are optional checks: when given they must match the lines.
    ``guest_phone``: the guest is found by phone or created; or ``guest`` (id or instance).
    Returns the order; ``order.replayed`` tells a repeat of an order already posted."""
    with transaction.atomic():
        check_perm(acting_user, perms.POST_ORDERS)
        posting = _parse_order(
            acting_user=acting_user,
            kind=Order.Kind.SALE,
            store=store,
            pos_order_id=pos_order_id,
            lines=lines,
            payments=payments,
            closed_at=closed_at,
            opened_at=opened_at,
            guest_phone=guest_phone,
            guest=guest,
            member_card=member_card,
            table_label=table_label,
            party_size=party_size,
            discount=discount,
            service_charge=service_charge,
            subtotal=subtotal,
            total=total,
            source=source,
        )

        def write(fingerprint: str) -> Order:
            order = _insert_header(posting, acting_user=acting_user, fingerprint=fingerprint)
            lines_written = _write_lines_and_payments(order, posting)
            order.line_count = len(lines_written)
            guest_now = _count_sale(order, lines_written, acting_user=acting_user, posting=posting)
            _audit(order, acting_user=acting_user, extra={"guest_now": guest_now})
            _refresh_autotags(order.guest_id)
            return order

        return _post_once(posting, acting_user=acting_user, write=write)


def _lock_original(order: Order) -> Order:
    """The order to refund or correct, its row locked: simultaneous refunds or corrections of
    one order queue here, and the later one then sees what the first one posted."""
    return Order.objects.select_for_update().select_related("store").get(pk=order.pk)


def _check_postable(original: Order, *, action: str) -> None:
    """Only a posted sale or correction can be refunded or corrected."""
    if original.kind == Order.Kind.REFUND:
        raise errors.Conflict(
            _("A refund cannot be %(action)s.") % {"action": action}, code="order_is_refund"
        )
    if original.status == Order.Status.SUPERSEDED:
        raise errors.Conflict(
            _("This order was replaced by a correction; %(action)s the correction instead.")
            % {"action": action},
            code="order_superseded",
        )


def order_refund(
    *,
    acting_user,
    order: Order,
    pos_order_id: str,
    lines: list[dict] | None = None,
    payments: list[dict] | None = None,
    closed_at=None,
    source: str = Order.Source.API,
) -> Order:
    """Refund (退单) some or all of a sale or correction, as its own order with its own POS
    number (idempotent on it like any posting). ``lines``: ``{"line": line number of the
    original, "qty"}``; without lines, everything not yet refunded. ``payments``: how the
    money went back (adding up to the refund's total); without them it goes back the way the
    original was paid, in proportion. See the module docstring for the effect on the guest."""
    with transaction.atomic():
        check_perm(acting_user, perms.POST_ORDERS)
        if not restrict(Store.objects.all(), acting_user).filter(pk=order.store_id).exists():
            raise errors.NotFound()
        errs = _Errors()
        pos_id = _text(pos_order_id, "pos_order_id", errs, max_length=64, required=True)
        closed = _aware(closed_at or timezone.now(), "closed_at", errs, required=True)
        if errs:
            raise errors.InvalidInput(fields=dict(errs))
        fingerprint = _refund_fingerprint(order, pos_id, lines, payments, closed_at)
        original = _lock_original(order)
        existing = _find(original.store, pos_id)
        if existing is not None:
            return _replay(existing, fingerprint)
        _check_postable(original, action=_("refunded"))
        if closed > timezone.now() + CLOCK_SKEW:
            errs.add("closed_at", _("The order cannot be closed in the future."))
        elif closed < original.closed_at:
            errs.add("closed_at", _("A refund cannot come before the order it refunds."))
        orig_lines = {line.line_no: line for line in original.lines.select_for_update()}
        already = dict(
            OrderLine.objects.filter(refund_of__in=list(orig_lines.values()))
            .values("refund_of")
            .annotate(s=Sum("line_total"))
            .values_list("refund_of", "s")
        )
        wanted: dict[int, Decimal] = {}
        if lines is None:
            wanted = {n: ln.remaining_qty for n, ln in orig_lines.items() if ln.remaining_qty > 0}
            if not wanted:
                raise errors.Conflict(
                    _("This order was already refunded in full."), code="already_refunded"
                )
        elif not isinstance(lines, list | tuple) or not lines:
            errs.add("lines", _("Name the lines to refund, or leave them out to refund all."))
        else:
            for i, raw in enumerate(lines):
                prefix = f"lines.{i}"
                number = raw.get("line") if isinstance(raw, dict) else None
                target = orig_lines.get(number) if isinstance(number, int) else None
                if target is None:
                    errs.add(f"{prefix}.line", _("The order has no such line."))
                    continue
                qty = _decimal(raw.get("qty"), f"{prefix}.qty", errs, places=QTY_PLACES)
                if qty is None:
                    continue
                if qty <= 0:
                    errs.add(f"{prefix}.qty", _("The quantity must be more than 0."))
                    continue
                if wanted.get(number, ZERO) + qty > target.remaining_qty:
                    errs.add(
                        f"{prefix}.qty",
                        _("At most %(qty)s of this line are left to refund.")
                        % {"qty": target.remaining_qty.normalize()},
                    )
                    continue
                wanted[number] = wanted.get(number, ZERO) + qty
        if errs:
            raise errors.InvalidInput(fields=dict(errs))

        refund_lines = []
        for number, qty in sorted(wanted.items()):
            line = orig_lines[number]
            left = line.line_total - (already.get(line.pk) or ZERO)
            amount = (
                left if qty == line.remaining_qty else min(left, _line_total(qty, line.unit_price))
            )
            refund_lines.append(
                _Line(
                    dish=line.dish,
                    dish_code=line.dish_code,
                    dish_name=line.dish_name,
                    qty=qty,
                    unit_price=line.unit_price,
                    price_tier=line.price_tier,
                    line_total=amount,
                    refund_of=line,
                )
            )
        everything = all(wanted.get(n, ZERO) == ln.remaining_qty for n, ln in orig_lines.items())
        before = Order.objects.filter(original=original, kind=Order.Kind.REFUND).aggregate(
            discount=Sum("discount"), charge=Sum("service_charge")
        )
        discount_left = original.discount - (before["discount"] or ZERO)
        charge_left = original.service_charge - (before["charge"] or ZERO)
        subtotal = sum((ln.line_total for ln in refund_lines), ZERO)
        if everything:
            discount, charge = discount_left, charge_left
        elif original.subtotal > 0:
            share = subtotal / original.subtotal
            discount = min(discount_left, (original.discount * share).quantize(CENT))
            charge = min(charge_left, (original.service_charge * share).quantize(CENT))
        else:
            discount = charge = ZERO
        discount = min(discount, subtotal + charge)
        total = subtotal - discount + charge
        if original.refunded_amount + total > original.total:
            total = original.total - original.refunded_amount
            discount = subtotal + charge - total
        posting = _Posting(
            kind=Order.Kind.REFUND,
            store=original.store,
            pos_order_id=pos_id,
            closed_at=closed,
            guest=original.guest,
            known_guest=original.guest,
            member_card=original.member_card,
            table_label=original.table_label,
            subtotal=subtotal,
            discount=discount,
            service_charge=charge,
            total=total,
            lines=refund_lines,
            original=original,
            source=source,
        )
        if payments is not None:
            posting.payments = _parse_payments(payments, errs)
            paid = sum((a for _m, a in posting.payments), ZERO)
            if not errs and paid != total:
                errs.add(
                    "payments",
                    _("The payments add up to %(paid)s, not to the refund's total %(total)s.")
                    % {"paid": paid, "total": total},
                )
            if errs:
                raise errors.InvalidInput(fields=dict(errs))
        else:
            posting.payments = _payments_back(original, total)

        def write(fingerprint: str) -> Order:
            refund = _insert_header(posting, acting_user=acting_user, fingerprint=fingerprint)
            written = _write_lines_and_payments(refund, posting)
            refund.line_count = len(written)
            effect = _Effect(spend=-total, store_id=original.store_id)
            effect.table_label = original.table_label
            for number, qty in wanted.items():
                OrderLine.objects.filter(pk=orig_lines[number].pk).update(
                    refunded_qty=F("refunded_qty") + qty
                )
                orig_lines[number].refunded_qty += qty
            for number, qty in wanted.items():
                line = orig_lines[number]
                if line.dish_id is None:
                    continue
                same_dish = [ln for ln in orig_lines.values() if ln.dish_id == line.dish_id]
                gone = all(ln.remaining_qty <= 0 for ln in same_dish)
                already_counted = line.dish_id in effect.dishes
                effect.dish(line.dish_id, -1 if gone and not already_counted else 0, -qty)
            changes = {"refunded_amount": original.refunded_amount + total}
            if everything and original.visit_counted:
                changes["visit_counted"] = False
                effect.visits = -1
            Order.objects.filter(pk=original.pk).update(**changes)
            guest_now = {}
            if original.guest_id:
                guest_now = _apply(_lock_guest(original.guest_id), effect)
            _audit(
                refund,
                acting_user=acting_user,
                extra={"original": original.pk, "guest_now": guest_now},
            )
            _refresh_autotags(original.guest_id)
            return refund

        return _post_once(posting, acting_user=acting_user, write=write, fingerprint=fingerprint)


def _refund_fingerprint(order: Order, pos_id: str, lines, payments, closed_at) -> str:
    """Of the refund as requested (what is left to refund changes once it is posted)."""

    def canonical(value):
        if isinstance(value, dict):
            return {str(k): canonical(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [canonical(v) for v in value]
        if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
            try:
                return str(Decimal(str(value)).normalize())
            except InvalidOperation:
                return str(value)
        if isinstance(value, dt.datetime):
            return value.astimezone(dt.UTC).isoformat() if timezone.is_aware(value) else str(value)
        return value

    content = {
        "kind": Order.Kind.REFUND,
        "original": order.pk,
        "pos_order_id": pos_id,
        "lines": canonical(lines),
        "payments": canonical(payments),
        "closed_at": canonical(closed_at),
    }
    blob = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def _payments_back(original: Order, total: Decimal) -> list[tuple[str, Decimal]]:
    paid = list(original.payments.values_list("method", "amount"))
    if total <= 0 or not paid:
        return []
    shares = allocate(total, [amount for _m, amount in paid])
    merged: dict[str, Decimal] = {}
    for (method, _amount), share in zip(paid, shares, strict=True):
        if share > 0:
            merged[method] = merged.get(method, ZERO) + share
    return list(merged.items())


def order_correct(
    *,
    acting_user,
    order: Order,
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
    """Correct (更正) an order: post a complete new order, with its own POS number, that replaces
    ``order`` — the original's remaining effect on its guest is taken back, the original is
    marked superseded, and the correction counts as a sale (for its own guest, who may differ).
    Same arguments as ``order_post``, the store being the original's."""
    with transaction.atomic():
        check_perm(acting_user, perms.POST_ORDERS)
        original = _lock_original(order)
        if not restrict(Store.objects.all(), acting_user).filter(pk=original.store_id).exists():
            raise errors.NotFound()
        posting = _parse_order(
            acting_user=acting_user,
            kind=Order.Kind.CORRECTION,
            store=None,
            pos_order_id=pos_order_id,
            lines=lines,
            payments=payments,
            closed_at=closed_at,
            opened_at=opened_at,
            guest_phone=guest_phone,
            guest=guest,
            member_card=member_card,
            table_label=table_label,
            party_size=party_size,
            discount=discount,
            service_charge=service_charge,
            subtotal=subtotal,
            total=total,
            source=source,
            original=original,
        )
        existing = _find(original.store, posting.pos_order_id)
        if existing is not None:
            return _replay(existing, posting.fingerprint())
        _check_postable(original, action=_("corrected"))

        def write(fingerprint: str) -> Order:
            correction = _insert_header(posting, acting_user=acting_user, fingerprint=fingerprint)
            written = _write_lines_and_payments(correction, posting)
            correction.line_count = len(written)
            taken_back = {}
            if original.guest_id:
                guest = _lock_guest(original.guest_id)  # locked before any new guest is made
                effect = _negate(
                    _sale_effect(original, list(original.lines.all())),
                    visit=original.visit_counted,
                )
                Order.objects.filter(pk=original.pk).update(
                    status=Order.Status.SUPERSEDED, visit_counted=False
                )
                taken_back = _apply(guest, effect)
            else:
                Order.objects.filter(pk=original.pk).update(status=Order.Status.SUPERSEDED)
            guest_now = _count_sale(correction, written, acting_user=acting_user, posting=posting)
            _audit(
                correction,
                acting_user=acting_user,
                extra={
                    "original": original.pk,
                    "original_guest_now": taken_back,
                    "guest_now": guest_now,
                },
            )
            _refresh_autotags(original.guest_id, correction.guest_id)
            return correction

        return _post_once(posting, acting_user=acting_user, write=write)


# --- Recount and moving history between guests (for the guest merge, G4) -----------------------
def guest_history_recount(*, guest: Guest) -> Guest:
    """Recompute a guest's derived history from their orders: visit count, spend, first/last
    visit, and the dish and place tallies. Exact by construction; used when orders change
    guest (a merge or its undo). Locks the guest; call inside the caller's transaction."""
    with transaction.atomic():
        guest = _lock_guest(guest.pk)
        counted = Order.objects.filter(
            guest=guest,
            kind__in=[Order.Kind.SALE, Order.Kind.CORRECTION],
            status=Order.Status.POSTED,
        )
        figures = counted.aggregate(
            spend=Sum(F("total") - F("refunded_amount")),
            first=Min("closed_at", filter=Q(visit_counted=True)),
            last=Max("closed_at", filter=Q(visit_counted=True)),
            visits=Count("id", filter=Q(visit_counted=True)),
        )
        guest.visit_count = figures["visits"] or 0
        guest.total_spend = max(ZERO, figures["spend"] or ZERO)
        guest.first_visit_at, guest.last_visit_at = figures["first"], figures["last"]
        guest.save(
            update_fields=[
                "visit_count",
                "total_spend",
                "first_visit_at",
                "last_visit_at",
                "updated_at",
            ]
        )
        dishes = (
            OrderLine.objects.filter(
                order__in=counted, dish__isnull=False, qty__gt=F("refunded_qty")
            )
            .values("dish_id")
            .annotate(
                times=Count("order_id", distinct=True),
                qty=Sum(F("qty") - F("refunded_qty")),
                last=Max("order__closed_at"),
            )
        )
        GuestDishTally.objects.filter(guest=guest).delete()
        GuestDishTally.objects.bulk_create(
            [
                GuestDishTally(
                    tenant_id=guest.tenant_id,
                    guest=guest,
                    dish_id=row["dish_id"],
                    times_ordered=row["times"],
                    qty=row["qty"],
                    last_ordered_at=row["last"],
                )
                for row in dishes
            ]
        )
        places = (
            counted.filter(visit_counted=True)
            .values("store_id", "table_label")
            .annotate(visits=Count("id"))
        )
        GuestPlaceTally.objects.filter(guest=guest).delete()
        GuestPlaceTally.objects.bulk_create(
            [
                GuestPlaceTally(
                    tenant_id=guest.tenant_id,
                    guest=guest,
                    store_id=row["store_id"],
                    table_label=row["table_label"],
                    visits=row["visits"],
                )
                for row in places
            ]
        )
        return guest


def guest_history_move(*, source: Guest, target: Guest, order_ids=None) -> list[int]:
    """Move orders (all of ``source``'s, or those of ``order_ids``) to ``target`` and recount
    both guests. For the guest merge (G4): keep the returned ids in the merge record, and an
    undo moves the same ids back. No permission check: the merge service checks its own."""
    if source.pk == target.pk:
        raise errors.InvalidInput(_("A guest's orders cannot be moved to the same guest."))
    with transaction.atomic():
        for pk in sorted([source.pk, target.pk]):  # both locked, in a fixed order
            _lock_guest(pk)
        orders = Order.objects.filter(guest_id=source.pk)
        if order_ids is not None:
            orders = orders.filter(pk__in=list(order_ids))
        moved = sorted(orders.values_list("pk", flat=True))
        Order.objects.filter(pk__in=moved).update(guest_id=target.pk)
        guest_history_recount(guest=source)
        guest_history_recount(guest=target)
        return moved
