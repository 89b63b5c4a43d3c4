"""Reading an order (T1): every field of a sale checked and normalised, with the same messages
for the API, the import and the console, before anything is written. ``parse_order`` turns the
raw arguments into a ``Posting`` (header, lines, payments, resolved store, dishes and guest)
or collects ``FieldErrors``; ``Lookups`` fetches the stores, dishes and guests of a whole batch
in a few queries."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.money import CENT, ZERO
from huike.core.permissions import restrict
from huike.core.phone import normalise_phone
from huike.guests.models import Guest
from huike.menu.models import Dish
from huike.org.models import Store

from .models import Order, OrderLine, OrderPayment

MAX_LINES = 500
MAX_PAYMENTS = 20
MAX_PARTY = 1000
MAX_QTY = Decimal("99999")
MAX_AMOUNT = Decimal("999999999.99")
CLOCK_SKEW = dt.timedelta(minutes=5)
QTY_PLACES = 3
TIERS = set(OrderLine.PriceTier.values)
METHODS = set(OrderPayment.Method.values)


# --- Parsing ---------------------------------------------------------------------------------
class FieldErrors(dict):
    def add(self, name: str, message) -> None:
        self.setdefault(name, []).append(str(message))


def parse_decimal(value, name: str, errs: FieldErrors, *, places: int) -> Decimal | None:
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


def _money(value, name: str, errs: FieldErrors, *, required: bool = True) -> Decimal | None:
    if (value is None or value == "") and not required:
        return None
    amount = parse_decimal(value, name, errs, places=2)
    if amount is None:
        return None
    if amount < 0:
        errs.add(name, _("Must not be negative."))
        return None
    if amount > MAX_AMOUNT:
        errs.add(name, _("This amount is too large."))
        return None
    return amount.quantize(CENT)


def parse_text(
    value, name: str, errs: FieldErrors, *, max_length: int, required: bool = False
) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        errs.add(name, _("This field is required."))
    elif len(text) > max_length:
        errs.add(name, _("At most %(n)s characters.") % {"n": max_length})
    elif text and not text.isprintable():
        errs.add(name, _("Only printable characters, please."))
    return text


def parse_aware(value, name: str, errs: FieldErrors, *, required: bool) -> dt.datetime | None:
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


def _store(value, lookups: Lookups, errs: FieldErrors) -> Store | None:
    if value is None or value == "":
        errs.add("store", _("This field is required."))
        return None
    store = lookups.store(value)
    if store is None:
        errs.add("store", _("Not found."))
    return store


def _guest_by_id(value, lookups: Lookups, errs: FieldErrors) -> Guest | None:
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


class Lookups:
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
class Line:
    dish: Dish | None
    dish_code: str
    dish_name: str
    qty: Decimal
    unit_price: Decimal
    price_tier: str
    line_total: Decimal
    refund_of: OrderLine | None = None


@dataclass
class Posting:
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
    lines: list[Line] = field(default_factory=list)
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


def line_total(qty: Decimal, unit_price: Decimal) -> Decimal:
    return (qty * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_lines(raw_lines, errs: FieldErrors, lookups: Lookups) -> list[Line]:
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
        qty = parse_decimal(raw.get("qty"), f"{prefix}.qty", errs, places=QTY_PLACES)
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
            Line(
                dish=dish,
                dish_code=dish.code,
                dish_name=dish.name,
                qty=qty,
                unit_price=price,
                price_tier=tier,
                line_total=line_total(qty, price),
            )
        )
    return lines


def parse_payments(raw_payments, errs: FieldErrors) -> list[tuple[str, Decimal]]:
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


def _check_times(opened_at, closed_at, errs: FieldErrors) -> None:
    if closed_at and closed_at > timezone.now() + CLOCK_SKEW:
        errs.add("closed_at", _("The order cannot be closed in the future."))
    if opened_at and closed_at and opened_at > closed_at:
        errs.add("opened_at", _("The order cannot open after it closed."))


def _check_amounts(posting: Posting, given_subtotal, given_total, errs: FieldErrors) -> None:
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


def parse_order(
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
    lookups: Lookups | None = None,
) -> Posting:
    """Validate a whole order; raise InvalidInput with every field's message at once."""
    errs = FieldErrors()
    lookups = lookups or Lookups(acting_user)
    if source not in Order.Source.values:
        errs.add("source", _("Not a valid value."))
    if original is not None:
        store_obj = original.store
    else:
        store_obj = _store(store, lookups, errs)
    pos_id = parse_text(pos_order_id, "pos_order_id", errs, max_length=64, required=True)
    closed = parse_aware(closed_at, "closed_at", errs, required=True)
    opened = parse_aware(opened_at, "opened_at", errs, required=False)
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
    card = parse_text(member_card, "member_card", errs, max_length=40)
    table = parse_text(table_label, "table_label", errs, max_length=40)
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
    posting = Posting(
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
        lines=parse_lines(lines, errs, lookups),
        payments=parse_payments(payments, errs),
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
