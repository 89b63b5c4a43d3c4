"""Every write of the loyalty app: one function per business action, one transaction each,
permission-checked; each balance change locks the card row and writes its ledger entries and
the cached balances together (``ledger.post_entries``).

Stored value is spent **proportionally** from principal and bonus (the bonus share is the
card's bonus / stored value, rounded half-up to the cent, never more than either part holds):
a refund, which returns principal only, then finds the bonus that was bought with that
principal still in proportion. A principal refund forfeits the same share of the bonus. See
decision 0013.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.audit import Action, audit_record
from huike.core.money import CENT, ZERO
from huike.core.permissions import check_perm
from huike.core.services import full_clean_or_raise, save_changes, save_new
from huike.core.tenancy import require_active_tenant
from huike.core.timeutils import local_today
from huike.guests.models import Guest
from huike.guests.selectors import guest_by_phone
from huike.org.models import Store

from . import permissions as perms
from .ledger import (
    CardNotUsable,
    InsufficientBalance,
    Move,
    lock_card,
    money_amount,
    points_amount,
    post_entries,
    reason_text,
    take_from_lots,
)
from .models import CardEvent, LedgerEntry, MembershipCard, PointsLot, Tier, TopUpRule

Kind = LedgerEntry.Kind
Cause = LedgerEntry.Cause
Status = MembershipCard.Status
NUMBER_DIGITS = 12


# --- Helpers ----------------------------------------------------------------------------------
def _related(model, value, field: str, *, required: bool = True):
    if value is None or value == "":
        if required:
            raise errors.InvalidInput(fields={field: [_("This field is required.")]})
        return None
    pk = value.pk if isinstance(value, model) else value
    try:
        return model.objects.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.InvalidInput(fields={field: [_("Not found.")]}) from exc


def _today(card: MembershipCard) -> dt.date:
    return local_today(card.store.time_zone if card.store_id else None)


def check_usable(card: MembershipCard, *, today: dt.date | None = None) -> None:
    """Refuse a card that is frozen, lost, expired or not yet valid."""
    today = today or _today(card)
    if card.status == Status.FROZEN:
        raise CardNotUsable(_("This card is frozen."), code="card_frozen")
    if card.status == Status.LOST:
        raise CardNotUsable(_("This card was reported lost."), code="card_lost")
    if card.status == Status.EXPIRED or (card.valid_until and card.valid_until < today):
        raise CardNotUsable(_("This card has expired."), code="card_expired")
    if card.valid_from > today:
        raise CardNotUsable(_("This card is not valid yet."), code="card_not_yet_valid")


def default_points_expiry(today: dt.date) -> dt.date:
    """Points expire at the end of the year after the one they were earned in."""
    return dt.date(today.year + 1, 12, 31)


def _event(card, kind, *, actor, reason="", related_card=None) -> CardEvent:
    event = CardEvent(
        tenant_id=card.tenant_id,
        card=card,
        kind=kind,
        actor=actor if actor is not None and actor.pk else None,
        reason=reason,
        related_card=related_card,
    )
    event.save()
    return event


def _new_number() -> str:
    for _attempt in range(20):
        number = str(secrets.randbelow(9 * 10 ** (NUMBER_DIGITS - 1)) + 10 ** (NUMBER_DIGITS - 1))
        if not MembershipCard.objects.filter(number=number).exists():
            return number
    raise errors.Conflict()  # pragma: no cover  (20 collisions in 9×10¹¹ numbers)


def _clean_number(number) -> str:
    number = "" if number is None else str(number).strip()
    if not number:
        return _new_number()
    if len(number) > 40 or not number.isalnum() or not number.isascii():
        raise errors.InvalidInput(
            fields={"number": [_("Letters and digits only, at most 40 of them.")]}
        )
    if MembershipCard.objects.filter(number=number).exists():
        raise errors.InvalidInput(
            fields={"number": [_("This card number is already in use.")]}, code="number_taken"
        )
    return number


def _insert_card(card: MembershipCard) -> MembershipCard:
    """Validate and insert; a racing issue of the same number is the same field error."""
    full_clean_or_raise(card)
    try:
        with transaction.atomic():
            card.save()
    except IntegrityError as exc:
        raise errors.InvalidInput(
            fields={"number": [_("This card number is already in use.")]}, code="number_taken"
        ) from exc
    return card


# --- Cards (L1) -------------------------------------------------------------------------------
@transaction.atomic
def card_issue(
    *,
    acting_user,
    guest: Guest | int,
    store: Store | int,
    number: str | None = None,
    tier: Tier | int | None = None,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
) -> MembershipCard:
    """Issue a card (开卡) to a guest at a store; the signing-up staff member is the actor.
    Without a number one is generated (12 random digits)."""
    check_perm(acting_user, perms.ISSUE_CARDS)
    guest = _related(Guest, guest, "guest")
    if guest.merged_into_id is not None or guest.anonymised_at is not None:
        raise errors.InvalidInput(fields={"guest": [_("Not found.")]})
    store = _related(Store, store, "store")
    tier = _related(Tier, tier, "tier", required=False)
    today = local_today(store.time_zone)
    card = MembershipCard(
        tenant=require_active_tenant(),
        number=_clean_number(number),
        guest=guest,
        tier=tier,
        store=store,
        valid_from=valid_from or today,
        valid_until=valid_until,
        signed_up_by=acting_user if acting_user is not None and acting_user.pk else None,
        issued_at=timezone.now(),
    )
    if valid_until is not None and valid_until < card.valid_from:
        raise errors.InvalidInput(
            fields={"valid_until": [_("The end must not be before the start.")]}
        )
    _insert_card(card)
    _event(card, CardEvent.Kind.ISSUED, actor=acting_user)
    audit_record(
        action=Action.CREATE,
        actor=acting_user,
        obj=card,
        changes={"guest": guest.pk, "store": store.pk, "tier": tier.pk if tier else None},
    )
    return card


def card_issue_by_phone(*, acting_user, guest_phone: str, store, **options) -> MembershipCard:
    """开卡 at the counter: the guest found by any of their phones (a merged guest's phone finds
    the one kept), then ``card_issue``."""
    check_perm(acting_user, perms.ISSUE_CARDS)
    try:
        guest = guest_by_phone(guest_phone)
    except errors.InvalidInput as exc:
        raise errors.InvalidInput(fields={"guest_phone": exc.fields.get("phone", [])}) from exc
    if guest is None:
        raise errors.InvalidInput(
            fields={"guest_phone": [_("No guest has this phone: create the guest first.")]}
        )
    return card_issue(acting_user=acting_user, guest=guest, store=store, **options)


def _set_status(card, *, acting_user, to: str, allowed_from: set, event: str, reason: str):
    card = lock_card(card)
    if card.status not in allowed_from:
        raise CardNotUsable(
            _("A card that is %(status)s cannot be changed this way.")
            % {"status": Status(card.status).label},
            code="invalid_card_status",
        )
    before = card.status
    card.status = to
    MembershipCard.objects.filter(pk=card.pk).update(status=to)
    _event(card, event, actor=acting_user, reason=reason)
    audit_record(
        action=Action.UPDATE,
        actor=acting_user,
        obj=card,
        changes={"status": [before, to], "reason": reason},
    )
    return card


@transaction.atomic
def card_freeze(*, acting_user, card: MembershipCard, reason: str = "") -> MembershipCard:
    """Freeze a card (冻结): no value moves on it until it is unfrozen."""
    check_perm(acting_user, perms.MANAGE_CARDS)
    return _set_status(
        card,
        acting_user=acting_user,
        to=Status.FROZEN,
        allowed_from={Status.ACTIVE},
        event=CardEvent.Kind.FROZEN,
        reason=reason_text(reason, required=False),
    )


@transaction.atomic
def card_unfreeze(*, acting_user, card: MembershipCard, reason: str = "") -> MembershipCard:
    check_perm(acting_user, perms.MANAGE_CARDS)
    return _set_status(
        card,
        acting_user=acting_user,
        to=Status.ACTIVE,
        allowed_from={Status.FROZEN},
        event=CardEvent.Kind.UNFROZEN,
        reason=reason_text(reason, required=False),
    )


@transaction.atomic
def card_report_lost(*, acting_user, card: MembershipCard, reason: str = "") -> MembershipCard:
    """Report a card lost (挂失): nothing can be spent on it; its balances stay until it is
    replaced."""
    check_perm(acting_user, perms.MANAGE_CARDS)
    return _set_status(
        card,
        acting_user=acting_user,
        to=Status.LOST,
        allowed_from={Status.ACTIVE, Status.FROZEN},
        event=CardEvent.Kind.LOST,
        reason=reason_text(reason, required=False),
    )


@transaction.atomic
def card_replace(
    *, acting_user, card: MembershipCard, number: str | None = None, reason: str = ""
) -> MembershipCard:
    """Replace a card (补卡/换卡): a new card for the same guest, tier and validity; every balance
    moves over as transfer entries (points keep their lots' expiry dates); the old card ends
    lost, pointing at its replacement. Returns the new card."""
    check_perm(acting_user, perms.MANAGE_CARDS)
    reason = reason_text(reason, required=False)
    old = lock_card(card)
    if old.replaced_by_id is not None or old.status == Status.EXPIRED:
        raise CardNotUsable(
            _("A card that is %(status)s cannot be changed this way.")
            % {"status": Status(old.status).label},
            code="invalid_card_status",
        )
    new = MembershipCard(
        tenant_id=old.tenant_id,
        number=_clean_number(number),
        guest_id=old.guest_id,
        tier_id=old.tier_id,
        store=old.store,
        valid_from=old.valid_from,
        valid_until=old.valid_until,
        signed_up_by=old.signed_up_by,
        issued_at=timezone.now(),
    )
    _insert_card(new)
    new = lock_card(new)
    operation = uuid.uuid4()
    common = {"cause": Cause.TRANSFER, "actor": acting_user, "reason": reason}
    common["operation"] = operation
    moves_out = [
        Move(Kind.POINTS, -old.points_balance),
        Move(Kind.PRINCIPAL, -old.principal_balance),
        Move(Kind.BONUS, -old.bonus_balance),
    ]
    post_entries(old, moves_out, related_card=new, reference=new.number, **common)
    moves_in = [Move(m.kind, -m.value) for m in moves_out]
    post_entries(new, moves_in, related_card=old, reference=old.number, **common)
    for lot in PointsLot.objects.select_for_update().filter(card=old, remaining__gt=0):
        PointsLot(
            tenant_id=old.tenant_id,
            card=new,
            points=lot.remaining,
            remaining=lot.remaining,
            expires_on=lot.expires_on,
        ).save()
    PointsLot.objects.filter(card=old, remaining__gt=0).update(remaining=0)
    before = old.status
    MembershipCard.objects.filter(pk=old.pk).update(status=Status.LOST, replaced_by=new)
    old.status, old.replaced_by = Status.LOST, new
    _event(old, CardEvent.Kind.REPLACED, actor=acting_user, reason=reason, related_card=new)
    _event(new, CardEvent.Kind.REPLACEMENT, actor=acting_user, reason=reason, related_card=old)
    audit_record(
        action=Action.UPDATE,
        actor=acting_user,
        obj=old,
        changes={"status": [before, Status.LOST], "replaced_by": new.number, "reason": reason},
    )
    audit_record(
        action=Action.CREATE,
        actor=acting_user,
        obj=new,
        changes={"replaces": old.number, "points": new.points_balance},
    )
    return new


# --- Points (L3) ------------------------------------------------------------------------------
@transaction.atomic
def points_accrue(
    *,
    acting_user,
    card: MembershipCard,
    points: int,
    expires_on: dt.date | None = None,
    cause: str = Cause.ORDER,
    reference: str = "",
    order=None,
    store=None,
    reason: str = "",
) -> LedgerEntry:
    """Credit points (积分) that expire on ``expires_on`` (default: the end of next year). Points
    the card owes from an earlier refund (``points_owed``) are paid from them first, as a
    reversal entry in the same operation."""
    check_perm(acting_user, perms.POINTS)
    points = points_amount(points)
    store = _related(Store, store, "store", required=False)
    card = lock_card(card)
    today = _today(card)
    check_usable(card, today=today)
    expires_on = expires_on or default_points_expiry(today)
    if expires_on < today:
        raise errors.InvalidInput(fields={"expires_on": [_("This date is in the past.")]})
    operation = uuid.uuid4()
    common = {"actor": acting_user, "reference": reference, "store": store, "operation": operation}
    (entry,) = post_entries(
        card,
        [Move(Kind.POINTS, points)],
        cause=cause,
        order=order,
        reason=reason_text(reason, required=False),
        **common,
    )
    repaid = min(card.points_owed, points)
    if repaid:
        post_entries(
            card,
            [Move(Kind.POINTS, -repaid)],
            cause=Cause.REVERSAL,
            reason=_("Points owed by an earlier refund."),
            **common,
        )
        MembershipCard.objects.filter(pk=card.pk).update(points_owed=card.points_owed - repaid)
        card.points_owed -= repaid
    PointsLot(
        tenant_id=card.tenant_id,
        card=card,
        points=points,
        remaining=points - repaid,
        expires_on=expires_on,
        entry=entry,
    ).save()
    return entry


@transaction.atomic
def points_spend(
    *,
    acting_user,
    card: MembershipCard,
    points: int,
    cause: str = Cause.REDEMPTION,
    reference: str = "",
    order=None,
    store=None,
    reason: str = "",
) -> LedgerEntry:
    """Spend points, those closest to expiry first; never more than the card holds."""
    check_perm(acting_user, perms.POINTS)
    points = points_amount(points)
    store = _related(Store, store, "store", required=False)
    card = lock_card(card)
    check_usable(card)
    (entry,) = post_entries(
        card,
        [Move(Kind.POINTS, -points)],
        cause=cause,
        actor=acting_user,
        reference=reference,
        order=order,
        store=store,
        reason=reason_text(reason, required=False),
    )
    take_from_lots(card, points)
    return entry


@transaction.atomic
def points_adjust(
    *, acting_user, card: MembershipCard, points: int, reason: str, expires_on=None
) -> LedgerEntry:
    """HQ's correction (调整) with a reason: plus (a new lot) or minus (closest to expiry first),
    never below zero. Allowed on a frozen or expired card, not on a lost one."""
    check_perm(acting_user, perms.ADJUST)
    points = points_amount(points, signed=True)
    reason = reason_text(reason, required=True)
    card = lock_card(card)
    if card.status == Status.LOST:
        raise CardNotUsable(_("This card was reported lost."), code="card_lost")
    today = _today(card)
    (entry,) = post_entries(
        card, [Move(Kind.POINTS, points)], cause=Cause.ADJUSTMENT, actor=acting_user, reason=reason
    )
    if points > 0:
        PointsLot(
            tenant_id=card.tenant_id,
            card=card,
            points=points,
            remaining=points,
            expires_on=expires_on or default_points_expiry(today),
            entry=entry,
        ).save()
    else:
        take_from_lots(card, -points)
    audit_record(
        action=Action.UPDATE,
        actor=acting_user,
        obj=card,
        changes={"points": points, "reason": reason, "entry": entry.pk},
    )
    return entry


def points_expire_card(*, card: MembershipCard, today: dt.date) -> int:
    """Expire the card's lots whose date is before ``today`` (one entry); returns the points.
    Call inside a transaction."""
    card = lock_card(card)
    lots = list(
        PointsLot.objects.select_for_update().filter(
            card=card, remaining__gt=0, expires_on__lt=today
        )
    )
    total = sum(lot.remaining for lot in lots)
    if not total:
        return 0
    post_entries(
        card,
        [Move(Kind.POINTS, -total)],
        cause=Cause.EXPIRY,
        reason=_("Points earned before %(date)s expired.")
        % {"date": max(lot.expires_on for lot in lots).isoformat()},
    )
    PointsLot.objects.filter(pk__in=[lot.pk for lot in lots]).update(remaining=0)
    return total


def points_expire(*, today: dt.date | None = None) -> dict:
    """The periodic job's work for the active tenant: every card with lots past their date,
    one transaction per card."""
    cards = (
        PointsLot.objects.filter(remaining__gt=0, expires_on__lt=today or local_today())
        .values_list("card_id", flat=True)
        .distinct()
    )
    expired, count = 0, 0
    for card_id in sorted(set(cards)):
        with transaction.atomic():
            card = MembershipCard.objects.select_related("store").get(pk=card_id)
            points = points_expire_card(card=card, today=today or _today(card))
        if points:
            expired, count = expired + points, count + 1
    return {"cards": count, "points": expired}


def cards_expire(*, today: dt.date | None = None) -> int:
    """Mark the active tenant's active or frozen cards whose validity ended before ``today`` as
    expired (with a card event); their balances stay, for HQ to settle. Returns how many."""
    today = today or local_today()
    ended = MembershipCard.objects.filter(
        status__in=[Status.ACTIVE, Status.FROZEN], valid_until__lt=today
    ).values_list("pk", flat=True)
    count = 0
    for pk in list(ended):
        with transaction.atomic():
            card = lock_card(pk)
            if card.status not in (Status.ACTIVE, Status.FROZEN):
                continue
            MembershipCard.objects.filter(pk=pk).update(status=Status.EXPIRED)
            _event(card, CardEvent.Kind.EXPIRED, actor=None)
            count += 1
    return count


# --- Stored value (L5) ------------------------------------------------------------------------
def top_up_rule(*, card: MembershipCard, amount: Decimal) -> TopUpRule | None:
    """The highest active rule reached by ``amount``: the card's brand's rules when it has any,
    else the brand group's (no brand)."""
    rules = TopUpRule.objects.filter(active=True)
    brand_id = card.store.brand_id
    own = rules.filter(brand_id=brand_id)
    chosen = own if own.exists() else rules.filter(brand__isnull=True)
    return chosen.filter(pay_at_least__lte=amount).order_by("-pay_at_least").first()


@transaction.atomic
def stored_value_top_up(
    *, acting_user, card: MembershipCard, amount, reference: str = "", store=None
) -> list[LedgerEntry]:
    """Top up (充值): ``amount`` paid becomes principal; the bonus rule reached adds bonus and
    gives its gift coupon (充值送礼) to the card's guest."""
    check_perm(acting_user, perms.STORED_VALUE)
    amount = money_amount(amount)
    store = _related(Store, store, "store", required=False)
    card = lock_card(card)
    check_usable(card)
    rule = top_up_rule(card=card, amount=amount)
    entries = post_entries(
        card,
        [Move(Kind.PRINCIPAL, amount), Move(Kind.BONUS, rule.bonus if rule else ZERO)],
        cause=Cause.TOP_UP,
        actor=acting_user,
        reference=reference,
        store=store,
    )
    if rule is not None and rule.gift_id is not None:
        from huike.coupons.services import coupon_issue

        coupon_issue(
            acting_user=acting_user,
            template=rule.gift_id,
            guest=card.guest_id,
            store=store or card.store,
            card=card,
            source="top_up_gift",
            reference=reference or str(entries[0].operation)[:8],
        )
    return entries


def split_spend(*, principal: Decimal, bonus: Decimal, amount: Decimal) -> tuple[Decimal, Decimal]:
    """How ``amount`` is taken: (from principal, from bonus), in proportion to what the card
    holds (bonus share rounded half-up to the cent, then kept within both parts)."""
    held = principal + bonus
    if amount > held:
        raise InsufficientBalance()
    if held == amount:
        return principal, bonus
    from_bonus = (amount * bonus / held).quantize(CENT, rounding=ROUND_HALF_UP)
    from_bonus = min(from_bonus, bonus, amount)
    from_bonus = max(from_bonus, amount - principal)
    return amount - from_bonus, from_bonus


@transaction.atomic
def stored_value_spend(
    *, acting_user, card: MembershipCard, amount, reference: str = "", order=None, store=None
) -> list[LedgerEntry]:
    """Pay with stored value (储值消费), principal and bonus in proportion; never more than the
    card holds, and never twice (the card is locked while it is checked and written)."""
    check_perm(acting_user, perms.STORED_VALUE)
    amount = money_amount(amount)
    store = _related(Store, store, "store", required=False)
    card = lock_card(card)
    check_usable(card)
    from_principal, from_bonus = split_spend(
        principal=card.principal_balance, bonus=card.bonus_balance, amount=amount
    )
    return post_entries(
        card,
        [Move(Kind.PRINCIPAL, -from_principal), Move(Kind.BONUS, -from_bonus)],
        cause=Cause.SPEND,
        actor=acting_user,
        reference=reference,
        order=order,
        store=store,
    )


@transaction.atomic
def stored_value_refund(
    *, acting_user, card: MembershipCard, amount, reason: str, reference: str = ""
) -> list[LedgerEntry]:
    """Refund principal (退款) in cash; the bonus bought with it is forfeited in the same
    proportion (refunding all principal forfeits all bonus). Never more than the principal."""
    check_perm(acting_user, perms.REFUND)
    amount = money_amount(amount)
    reason = reason_text(reason, required=True)
    card = lock_card(card)
    check_usable(card)
    if amount > card.principal_balance:
        raise InsufficientBalance(
            _("Only %(amount)s of principal can be refunded.") % {"amount": card.principal_balance}
        )
    forfeit = (amount * card.bonus_balance / card.principal_balance).quantize(
        CENT, rounding=ROUND_HALF_UP
    )
    forfeit = min(forfeit, card.bonus_balance)
    if amount == card.principal_balance:
        forfeit = card.bonus_balance
    entries = post_entries(
        card,
        [Move(Kind.PRINCIPAL, -amount), Move(Kind.BONUS, -forfeit)],
        cause=Cause.REFUND,
        actor=acting_user,
        reason=reason,
        reference=reference,
    )
    audit_record(
        action=Action.UPDATE,
        actor=acting_user,
        obj=card,
        changes={"refund": str(amount), "bonus_forfeited": str(forfeit), "reason": reason},
    )
    return entries


# --- Configuration ----------------------------------------------------------------------------
@transaction.atomic
def tier_create(*, acting_user, code: str, name: str, rank: int = 0) -> Tier:
    check_perm(acting_user, perms.CONFIGURE)
    return save_new(Tier(code=code, name=name, rank=rank), actor=acting_user)


def _top_up_rule_values(values: dict) -> dict:
    from huike.coupons.models import CouponTemplate
    from huike.org.models import Brand

    parsed = {}
    if "pay_at_least" in values:
        parsed["pay_at_least"] = money_amount(values["pay_at_least"], field="pay_at_least")
    if "bonus" in values:
        bonus = values["bonus"]
        zero = bonus in (None, "", 0, "0", "0.00") or bonus == Decimal(0)
        parsed["bonus"] = ZERO if zero else money_amount(bonus, field="bonus")
    if "brand" in values:
        parsed["brand"] = _related(Brand, values["brand"], "brand", required=False)
    if "gift" in values:
        parsed["gift"] = _related(CouponTemplate, values["gift"], "gift", required=False)
        if parsed["gift"] is not None and not parsed["gift"].active:
            raise errors.InvalidInput(fields={"gift": [_("This coupon is switched off.")]})
    if "active" in values:
        parsed["active"] = bool(values["active"])
    return parsed


@transaction.atomic
def top_up_rule_create(
    *, acting_user, pay_at_least, bonus, brand=None, gift=None, active: bool = True
) -> TopUpRule:
    """A top-up bonus tier (充值赠送) of a brand (no brand: the brand group's): bonus stored value
    and, optionally, a gift coupon."""
    check_perm(acting_user, perms.CONFIGURE)
    values = _top_up_rule_values(
        {"pay_at_least": pay_at_least, "bonus": bonus, "brand": brand, "gift": gift}
    )
    if values["bonus"] == 0 and values["gift"] is None:
        raise errors.InvalidInput(fields={"bonus": [_("Give a bonus, a gift coupon or both.")]})
    return save_new(TopUpRule(active=active, **values), actor=acting_user)


@transaction.atomic
def top_up_rule_update(*, acting_user, rule: TopUpRule, **changes) -> TopUpRule:
    """Change a top-up rule, or switch it off (``active=False``); top-ups already made keep
    what they were given."""
    check_perm(acting_user, perms.CONFIGURE)
    unknown = set(changes) - {"pay_at_least", "bonus", "brand", "gift", "active"}
    if unknown:
        raise errors.InvalidInput(fields={k: [_("Unknown field.")] for k in sorted(unknown)})
    rule = TopUpRule.objects.select_for_update().get(pk=rule.pk)
    return save_changes(rule, actor=acting_user, changes=_top_up_rule_values(changes))
