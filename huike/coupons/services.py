"""Every write of the coupons app: one function per business action, one transaction each,
permission-checked, each coupon change with its event (the coupon ledger) and audit entry.

Issuing locks the template row, so its total and per-guest limits hold under simultaneous
issues; redeeming locks the coupon row and changes it only while it is still unused, so a
coupon scanned at two tills at the same moment is redeemed once (decision 0015).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.audit import Action, audit_record
from huike.core.permissions import check_perm, restrict
from huike.core.services import full_clean_or_raise
from huike.core.tenancy import require_active_tenant
from huike.core.timeutils import local_today
from huike.guests.models import Guest
from huike.guests.selectors import guest_by_phone
from huike.loyalty.ledger import money_amount, reason_text
from huike.loyalty.models import MembershipCard
from huike.menu.models import Dish
from huike.messaging.services import message_enqueue
from huike.org.models import Store

from . import permissions as perms
from .models import DISH_KINDS, MONEY_KINDS, Coupon, CouponEvent, CouponTemplate
from .rules import (
    already_used,
    check_min_spend,
    check_usable,
    lock_coupon,
    new_code,
    normalise_code,
    scan_value,
)

Status = Coupon.Status
Kind = CouponTemplate.Kind
SMS_PURPOSE = "loyalty.coupon_issued"
MAX_DAYS = 3660
MAX_COUNT = 10_000_000
EXPIRY_BATCH = 500
TEMPLATE_FIELDS = {
    "name",
    "kind",
    "face_value",
    "percent_off",
    "max_discount",
    "dish",
    "min_spend",
    "valid_from",
    "valid_until",
    "valid_days",
    "wait_days",
    "stores",
    "total_limit",
    "per_guest_limit",
    "stacks_with_member_pricing",
    "stacks_with_other_coupons",
    "active",
}
# Once coupons exist, what they are worth may not change under them.
VALUE_FIELDS = ("kind", "face_value", "percent_off", "max_discount", "dish")


# --- Input ------------------------------------------------------------------------------------
def _required(field: str) -> errors.InvalidInput:
    return errors.InvalidInput(fields={field: [_("This field is required.")]})


def _related(model, value, field: str, *, required: bool = True):
    if value is None or value == "":
        if required:
            raise _required(field)
        return None
    pk = value.pk if isinstance(value, model) else value
    try:
        return model.objects.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.InvalidInput(fields={field: [_("Not found.")]}) from exc


def _money(value, field: str, *, zero_ok: bool = False) -> Decimal | None:
    if value is None or value == "":
        return None
    if zero_ok and str(value).strip() in {"0", "0.0", "0.00"}:
        return Decimal("0.00")
    return money_amount(value, field=field)


def _whole(value, field: str, *, low: int, high: int) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise errors.InvalidInput(fields={field: [_("Enter a whole number.")]})
    try:
        number = int(str(value).strip())
    except ValueError as exc:
        raise errors.InvalidInput(fields={field: [_("Enter a whole number.")]}) from exc
    if not low <= number <= high:
        raise errors.InvalidInput(
            fields={
                field: [_("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}]
            }
        )
    return number


def _date(value, field: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise errors.InvalidInput(fields={field: [_("Enter a date, e.g. 2026-05-01.")]}) from exc


def _stores(values) -> list[Store]:
    ids = [v.pk if isinstance(v, Store) else v for v in (values or [])]
    try:
        stores = list(Store.objects.filter(pk__in=ids))
    except (ValueError, TypeError) as exc:
        raise errors.InvalidInput(fields={"stores": [_("Not found.")]}) from exc
    if len(stores) != len(set(ids)):
        raise errors.InvalidInput(fields={"stores": [_("Not found.")]})
    return stores


def _template_values(data: dict) -> dict:
    """Parsed template fields; the fields another kind needs are emptied."""
    unknown = sorted(set(data) - TEMPLATE_FIELDS)
    if unknown:
        raise errors.InvalidInput(fields={name: [_("Unknown field.")] for name in unknown})
    kind = data.get("kind")
    if kind not in Kind.values:
        raise errors.InvalidInput(fields={"kind": [_("Choose a kind of coupon.")]})
    values = {
        "name": str(data.get("name") or "").strip(),
        "kind": kind,
        "face_value": _money(data.get("face_value"), "face_value"),
        "percent_off": _whole(data.get("percent_off"), "percent_off", low=1, high=99),
        "max_discount": _money(data.get("max_discount"), "max_discount"),
        "dish": _related(Dish, data.get("dish"), "dish", required=False),
        "min_spend": _money(data.get("min_spend"), "min_spend", zero_ok=True) or Decimal("0.00"),
        "valid_from": _date(data.get("valid_from"), "valid_from"),
        "valid_until": _date(data.get("valid_until"), "valid_until"),
        "valid_days": _whole(data.get("valid_days"), "valid_days", low=1, high=MAX_DAYS),
        "wait_days": _whole(data.get("wait_days"), "wait_days", low=0, high=MAX_DAYS) or 0,
        "total_limit": _whole(data.get("total_limit"), "total_limit", low=1, high=MAX_COUNT),
        "per_guest_limit": _whole(
            data.get("per_guest_limit"), "per_guest_limit", low=1, high=MAX_COUNT
        ),
        "stacks_with_member_pricing": bool(data.get("stacks_with_member_pricing", False)),
        "stacks_with_other_coupons": bool(data.get("stacks_with_other_coupons", False)),
        "active": bool(data.get("active", True)),
    }
    if not values["name"]:
        raise _required("name")
    if kind in MONEY_KINDS and values["face_value"] is None:
        raise _required("face_value")
    if kind == Kind.PERCENT and values["percent_off"] is None:
        raise _required("percent_off")
    if kind in DISH_KINDS and values["dish"] is None:
        raise _required("dish")
    if kind not in MONEY_KINDS:
        values["face_value"] = None
    if kind != Kind.PERCENT:
        values["percent_off"] = values["max_discount"] = None
    if kind not in DISH_KINDS:
        values["dish"] = None
    if values["valid_days"] is not None and values["valid_until"] is not None:
        raise errors.InvalidInput(
            fields={"valid_days": [_("Give either an end date or a number of days, not both.")]}
        )
    if values["valid_days"] is None and values["valid_until"] is None:
        raise errors.InvalidInput(
            fields={"valid_until": [_("Give an end date or a number of days.")]}
        )
    if values["valid_days"] is not None:
        values["valid_from"] = None
    if (
        values["valid_from"]
        and values["valid_until"]
        and values["valid_until"] < values["valid_from"]
    ):
        raise errors.InvalidInput(
            fields={"valid_until": [_("The end must not be before the start.")]}
        )
    return values


def _audit_values(template: CouponTemplate, stores: list[Store]) -> dict:
    return {
        "name": template.name,
        "kind": template.kind,
        "face_value": str(template.face_value) if template.face_value is not None else None,
        "percent_off": template.percent_off,
        "max_discount": str(template.max_discount) if template.max_discount is not None else None,
        "dish": template.dish_id,
        "min_spend": str(template.min_spend),
        "valid_from": template.valid_from.isoformat() if template.valid_from else None,
        "valid_until": template.valid_until.isoformat() if template.valid_until else None,
        "valid_days": template.valid_days,
        "wait_days": template.wait_days,
        "stores": sorted(s.pk for s in stores),
        "total_limit": template.total_limit,
        "per_guest_limit": template.per_guest_limit,
        "stacks_with_member_pricing": template.stacks_with_member_pricing,
        "stacks_with_other_coupons": template.stacks_with_other_coupons,
        "active": template.active,
    }


# --- Templates --------------------------------------------------------------------------------
@transaction.atomic
def template_create(*, acting_user, **data) -> CouponTemplate:
    """Design a coupon template (券模板): kind and value, minimum spend, validity (fixed dates,
    or days after issue with an optional wait), stores, limits and stacking."""
    check_perm(acting_user, perms.DESIGN)
    stores = _stores(data.pop("stores", None))
    values = _template_values(data)
    template = CouponTemplate(
        tenant=require_active_tenant(),
        created_by=acting_user if acting_user is not None and acting_user.pk else None,
        **values,
    )
    full_clean_or_raise(template)
    template.save()
    template.stores.set(stores)
    audit_record(
        action=Action.CREATE,
        actor=acting_user,
        obj=template,
        changes=_audit_values(template, stores),
    )
    return template


@transaction.atomic
def template_update(*, acting_user, template: CouponTemplate, **changes) -> CouponTemplate:
    """Change a template. Coupons already issued keep their dates; once any were issued, what a
    coupon is worth (kind, value, dish) stays as it was."""
    check_perm(acting_user, perms.DESIGN)
    template = CouponTemplate.objects.select_for_update().get(pk=template.pk)
    old_stores = list(template.stores.all())
    before = _audit_values(template, old_stores)
    stores = _stores(changes.pop("stores")) if "stores" in changes else old_stores
    current = {name: getattr(template, name) for name in TEMPLATE_FIELDS - {"stores"}}
    values = _template_values({**current, **changes})
    if template.issued_count:
        changed = [f for f in VALUE_FIELDS if values[f] != getattr(template, f)]
        if changed:
            raise errors.InvalidInput(
                fields={f: [_("Cannot change once coupons are issued.")] for f in changed},
                code="coupon_template_in_use",
            )
    for name, value in values.items():
        setattr(template, name, value)
    full_clean_or_raise(template)
    template.save()
    template.stores.set(stores)
    after = _audit_values(template, stores)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        audit_record(action=Action.UPDATE, actor=acting_user, obj=template, changes=changed)
    return template


@transaction.atomic
def template_deactivate(*, acting_user, template: CouponTemplate) -> CouponTemplate:
    """No more coupons are issued from it; the coupons already issued stay usable."""
    check_perm(acting_user, perms.DESIGN)
    updated = CouponTemplate.objects.filter(pk=template.pk, active=True).update(active=False)
    template.active = False
    if updated:
        audit_record(
            action=Action.UPDATE, actor=acting_user, obj=template, changes={"active": [True, False]}
        )
    return template


# --- Issue ------------------------------------------------------------------------------------
def _event(coupon, kind, *, actor=None, store=None, order=None, value=None, **extra):
    event = CouponEvent(
        tenant_id=coupon.tenant_id,
        coupon=coupon,
        kind=kind,
        actor=actor if actor is not None and actor.pk else None,
        store=store,
        order=order,
        value=value,
        **extra,
    )
    event.save()
    return event


def validity(template: CouponTemplate, today: dt.date) -> tuple[dt.date, dt.date]:
    """The dates of a coupon issued today: relative templates run ``valid_days`` days from the
    day the wait ends; fixed ones their own dates, starting no earlier than the wait ends."""
    usable = today + dt.timedelta(days=template.wait_days)
    if template.valid_days:
        return usable, usable + dt.timedelta(days=template.valid_days - 1)
    start = max(template.valid_from or today, usable)
    if template.valid_until < start:
        raise errors.Conflict(
            _("This coupon's validity has already ended."), code="coupon_template_expired"
        )
    return start, template.valid_until


def _insert_coupon(coupon: Coupon) -> Coupon:
    """Insert under a fresh random code; a collision (about 1 in 10¹⁷) draws another."""
    for _attempt in range(5):
        coupon.code = new_code()
        try:
            with transaction.atomic():
                coupon.save()
            return coupon
        except IntegrityError:
            coupon.pk = None
            coupon._state.adding = True
    raise errors.Conflict()  # pragma: no cover


def public_path(coupon: Coupon) -> str:
    return reverse("coupon_public", args=[coupon.code])


def _send(coupon: Coupon, guest: Guest, acting_user) -> None:
    template = coupon.template
    until = coupon.valid_until.isoformat()
    link = public_path(coupon)
    message_enqueue(
        recipient=guest.primary_phone,
        purpose=SMS_PURPOSE,
        body=_("Your coupon %(name)s, code %(code)s, is valid until %(until)s: %(link)s")
        % {"name": template.name, "code": coupon.code, "until": until, "link": link},
        params=[coupon.code, template.name, until, link],
        reference=f"coupons.coupon:{coupon.pk}",
        dedupe_key=f"coupons.coupon:{coupon.pk}:issued",
        acting_user=acting_user,
    )


@transaction.atomic
def coupon_issue(
    *,
    acting_user,
    template: CouponTemplate | int,
    guest: Guest | int,
    store: Store | int | None = None,
    card: MembershipCard | int | None = None,
    source: str = Coupon.Source.MANUAL,
    reference: str = "",
    send: bool = True,
) -> Coupon:
    """Issue one coupon of ``template`` to ``guest`` (发券) and, with ``send``, text its code
    and link to the guest's phone. The template row is locked: its limits hold under
    simultaneous issues."""
    check_perm(acting_user, perms.ISSUE)
    template_id = template.pk if isinstance(template, CouponTemplate) else template
    try:
        template = CouponTemplate.objects.select_for_update().get(pk=template_id)
    except (CouponTemplate.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.InvalidInput(fields={"template": [_("Not found.")]}) from exc
    guest = _related(Guest, guest, "guest")
    if guest.merged_into_id is not None or guest.anonymised_at is not None:
        raise errors.InvalidInput(fields={"guest": [_("Not found.")]})
    store = _related(Store, store, "store", required=False)
    card = _related(MembershipCard, card, "card", required=False)
    if card is not None and card.guest_id != guest.pk:
        raise errors.InvalidInput(fields={"card": [_("This card is another guest's.")]})
    if source not in Coupon.Source.values:
        raise errors.InvalidInput(fields={"source": [_("Unknown source.")]})
    reference = str(reference or "").strip()
    if len(reference) > 64:
        raise errors.InvalidInput(
            fields={"reference": [_("At most %(n)s characters.") % {"n": 64}]}
        )
    if not template.active:
        raise errors.Conflict(
            _("This coupon template is no longer active."), code="coupon_template_inactive"
        )
    if template.total_limit is not None and template.issued_count >= template.total_limit:
        raise errors.Conflict(
            _("All %(n)s coupons of this kind have been issued.") % {"n": template.total_limit},
            code="coupon_limit_reached",
        )
    if template.per_guest_limit is not None:
        held = Coupon.objects.filter(template=template, guest=guest).exclude(status=Status.VOIDED)
        if held.count() >= template.per_guest_limit:
            raise errors.Conflict(
                _("This guest already has %(n)s coupons of this kind.")
                % {"n": template.per_guest_limit},
                code="coupon_guest_limit",
            )
    valid_from, valid_until = validity(template, local_today(store.time_zone if store else None))
    coupon = _insert_coupon(
        Coupon(
            tenant_id=template.tenant_id,
            template=template,
            guest=guest,
            card=card,
            valid_from=valid_from,
            valid_until=valid_until,
            issued_at=timezone.now(),
            issued_by=acting_user if acting_user is not None and acting_user.pk else None,
            issued_store=store,
            source=source,
            source_reference=reference,
        )
    )
    CouponTemplate.objects.filter(pk=template.pk).update(issued_count=F("issued_count") + 1)
    template.issued_count += 1
    _event(coupon, CouponEvent.Kind.ISSUED, actor=acting_user, store=store, reference=reference)
    audit_record(
        action=Action.CREATE,
        actor=acting_user,
        obj=coupon,
        changes={
            "template": template.pk,
            "guest": guest.pk,
            "source": source,
            "valid_from": valid_from.isoformat(),
            "valid_until": valid_until.isoformat(),
        },
    )
    if send and guest.primary_phone:
        _send(coupon, guest, acting_user)
    return coupon


def coupon_issue_by_phone(*, acting_user, template, guest_phone: str, **options) -> Coupon:
    """发券 by the guest's phone (a merged guest's phone finds the one kept)."""
    check_perm(acting_user, perms.ISSUE)
    try:
        guest = guest_by_phone(guest_phone)
    except errors.InvalidInput as exc:
        raise errors.InvalidInput(fields={"guest_phone": exc.fields.get("phone", [])}) from exc
    if guest is None:
        raise errors.InvalidInput(
            fields={"guest_phone": [_("No guest has this phone: create the guest first.")]}
        )
    return coupon_issue(acting_user=acting_user, template=template, guest=guest, **options)


# --- Redeem -----------------------------------------------------------------------------------
def store_for_user(user, store, *, field: str = "store") -> Store:
    """A store the user works at (their row scope): where they may redeem."""
    if store is None or store == "":
        raise _required(field)
    pk = store.pk if isinstance(store, Store) else store
    try:
        return restrict(Store.objects.all(), user).get(pk=pk)
    except (Store.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.InvalidInput(fields={field: [_("Not found.")]}) from exc


def mark_redeemed(
    coupon: Coupon,
    *,
    store: Store,
    acting_user,
    value: Decimal | None,
    order=None,
    reference: str = "",
    operation: uuid.UUID | None = None,
    field: str = "code",
) -> Coupon:
    """Mark a locked, checked coupon used, with its event and audit entry. The UPDATE changes
    the row only while it is unused: even without the lock a coupon is never used twice."""
    now = timezone.now()
    actor = acting_user if acting_user is not None and acting_user.pk else None
    done = Coupon.objects.filter(pk=coupon.pk, status=Status.ISSUED).update(
        status=Status.REDEEMED,
        redeemed_at=now,
        redeemed_store=store,
        redeemed_by=actor,
        redeemed_order=order,
        redeemed_value=value,
    )
    if not done:
        coupon.refresh_from_db()
        raise already_used(coupon, field=field)
    coupon.status, coupon.redeemed_at, coupon.redeemed_store = Status.REDEEMED, now, store
    coupon.redeemed_by, coupon.redeemed_order, coupon.redeemed_value = actor, order, value
    _event(
        coupon,
        CouponEvent.Kind.REDEEMED,
        actor=acting_user,
        store=store,
        order=order,
        value=value,
        reference=reference[:64],
        operation=operation or uuid.uuid4(),
    )
    audit_record(
        action=Action.UPDATE,
        actor=acting_user,
        obj=coupon,
        changes={
            "status": [Status.ISSUED, Status.REDEEMED],
            "store": store.pk,
            "order": order.pk if order is not None else None,
            "value": str(value) if value is not None else None,
        },
    )
    return coupon


@transaction.atomic
def coupon_redeem(
    *, acting_user, code: str, store: Store | int, amount=None, reference: str = ""
) -> Coupon:
    """核销 at the till: the scanned coupon is used, exactly once. ``amount`` (the bill) checks
    the minimum spend and values a cash or percent coupon."""
    check_perm(acting_user, perms.REDEEM)
    store = store_for_user(acting_user, store)
    code = normalise_code(code)
    amount = money_amount(amount) if amount not in (None, "") else None
    reference = str(reference or "").strip()
    if len(reference) > 64:
        raise errors.InvalidInput(
            fields={"reference": [_("At most %(n)s characters.") % {"n": 64}]}
        )
    coupon = lock_coupon(code)
    check_usable(coupon, store=store)
    if amount is not None:
        check_min_spend(coupon.template, amount, field="amount")
    return mark_redeemed(
        coupon,
        store=store,
        acting_user=acting_user,
        value=scan_value(coupon, amount),
        reference=reference,
    )


# --- Void and expiry --------------------------------------------------------------------------
@transaction.atomic
def coupon_void(*, acting_user, coupon: Coupon, reason: str) -> Coupon:
    """Void an unused coupon (作废), with a reason; it can no longer be used."""
    check_perm(acting_user, perms.VOID)
    reason = reason_text(reason, required=True)
    coupon = lock_coupon(coupon.code, field="coupon")
    if coupon.status == Status.REDEEMED:
        raise already_used(coupon, field="coupon")
    if coupon.status != Status.ISSUED:
        raise errors.Conflict(
            _("A coupon that is %(status)s cannot be voided.")
            % {"status": Status(coupon.status).label},
            code="invalid_coupon_status",
        )
    Coupon.objects.filter(pk=coupon.pk).update(status=Status.VOIDED)
    coupon.status = Status.VOIDED
    _event(coupon, CouponEvent.Kind.VOIDED, actor=acting_user, reason=reason)
    audit_record(
        action=Action.UPDATE,
        actor=acting_user,
        obj=coupon,
        changes={"status": [Status.ISSUED, Status.VOIDED], "reason": reason},
    )
    return coupon


def coupons_expire(*, today: dt.date | None = None) -> int:
    """Mark the active brand group's unused coupons past their last day expired, each with its
    event, in batches of one transaction each. Returns how many."""
    today = today or local_today()
    total = 0
    while True:
        with transaction.atomic():
            due = list(
                Coupon.objects.select_for_update()
                .filter(status=Status.ISSUED, valid_until__lt=today)
                .order_by("pk")
                .values_list("pk", "tenant_id")[:EXPIRY_BATCH]
            )
            if not due:
                return total
            Coupon.objects.filter(pk__in=[pk for pk, _t in due]).update(status=Status.EXPIRED)
            CouponEvent.objects.bulk_create(
                CouponEvent(tenant_id=tenant, coupon_id=pk, kind=CouponEvent.Kind.EXPIRED)
                for pk, tenant in due
            )
            total += len(due)
