"""Every write of the telephony app: setting up a line, and receiving a call (from the
webhook or the AMI listener), which stores the call once and pops it at the store's desk."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.audit import Action, audit_record, snapshot
from huike.core.permissions import check_perm
from huike.core.phone import mask_phone, normalise_phone
from huike.core.services import full_clean_or_raise
from huike.guests.selectors import guest_by_phone
from huike.live import bus

from . import permissions as perms
from .models import IncomingCall, TelephonyLine, new_secret

MAX_SKEW = dt.timedelta(minutes=5)
ROTATION_GRACE = dt.timedelta(hours=24)


def desk_channel(store_id: int) -> str:
    return f"store:{store_id}:desk"


@transaction.atomic
def line_create(*, acting_user, store, name: str, code: str) -> TelephonyLine:
    """A new line with a freshly generated secret (shown once, to HQ; never audited)."""
    check_perm(acting_user, perms.MANAGE_LINES)
    line = TelephonyLine(store=store, name=name, code=code)
    full_clean_or_raise(line)
    try:
        with transaction.atomic():
            line.save()
    except IntegrityError as exc:
        raise errors.InvalidInput(fields={"code": [_("This code is taken.")]}) from exc
    audit_record(
        action=Action.CREATE,
        actor=acting_user,
        obj=line,
        changes={k: v for k, v in snapshot(line).items() if k != "secret"},
    )
    return line


def _lock_line(line) -> TelephonyLine:
    pk = line.pk if isinstance(line, TelephonyLine) else line
    try:
        return TelephonyLine.objects.select_for_update().get(pk=pk)
    except (TelephonyLine.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.NotFound() from exc


@transaction.atomic
def line_rotate_secret(*, acting_user, line) -> TelephonyLine:
    """Give the line a new secret (shown once); the old one keeps signing for
    ``ROTATION_GRACE`` while the PBX is set up with the new one. Rotating again within the
    grace ends the older secret at once: only the last two ever sign."""
    check_perm(acting_user, perms.MANAGE_LINES)
    line = _lock_line(line)
    now = timezone.now()
    line.previous_secret, line.previous_secret_until = line.secret, now + ROTATION_GRACE
    line.secret, line.secret_rotated_at = new_secret(), now
    line.save(
        update_fields=["secret", "previous_secret", "previous_secret_until", "secret_rotated_at"]
    )
    audit_record(
        action=Action.UPDATE,
        actor=acting_user,
        obj=line,
        changes={"secret": "rotated", "previous_secret_until": line.previous_secret_until},
    )
    return line


@transaction.atomic
def line_set_active(*, acting_user, line, active: bool) -> TelephonyLine:
    """Switch a line off (its PBX's calls are refused as ``unknown_line``) or on again."""
    check_perm(acting_user, perms.MANAGE_LINES)
    line = _lock_line(line)
    if line.active != bool(active):
        line.active = bool(active)
        line.save(update_fields=["active"])
        audit_record(
            action=Action.UPDATE, actor=acting_user, obj=line, changes={"active": line.active}
        )
    return line


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature a PBX sends: hex HMAC-SHA256 over ``timestamp + "." + body``."""
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def line_authenticate(
    *, code: str, timestamp: str, signature: str, body: bytes, now: dt.datetime | None = None
) -> TelephonyLine:
    """The active line whose secret signed ``body``; NotAuthenticated (code ``unknown_line``,
    ``bad_signature`` or ``stale_request``) otherwise. Runs before any tenant is known: a code
    may exist in several tenants, so each candidate's secret is tried."""
    lines = list(
        TelephonyLine.all_tenants.filter(code=code or "", active=True).select_related("tenant")
    )
    if not lines:
        raise errors.NotAuthenticated(_("Unknown telephone line."), code="unknown_line")
    now = now or timezone.now()
    signed = [
        line
        for line in lines
        if signature
        and any(
            hmac.compare_digest(sign(secret, timestamp, body), signature.lower())
            for secret in line.secrets_valid_at(now)
        )
    ]
    if len(signed) != 1:
        raise errors.NotAuthenticated(_("The signature does not match."), code="bad_signature")
    try:
        sent = dt.datetime.fromtimestamp(int(timestamp), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise errors.NotAuthenticated(_("The request is too old."), code="stale_request") from exc
    if abs(now - sent) > MAX_SKEW:
        raise errors.NotAuthenticated(_("The request is too old."), code="stale_request")
    return signed[0]


def _caller(raw: str):
    """(stored number, valid, guest): E.164 and the guest when the number is valid, else the
    number as the PBX sent it and no guest."""
    try:
        e164 = normalise_phone(raw)
    except errors.InvalidInput:
        return raw.strip(), False, None
    return e164, True, guest_by_phone(e164)


def _publish(call: IncomingCall) -> None:
    """Pop the call at the store's desk (the live bus sends after commit)."""
    bus.publish(
        desk_channel(call.store_id),
        "call",
        {"call": call.pk, "guest": call.guest_id, "phone": mask_phone(call.caller)},
    )


@transaction.atomic
def call_receive(
    *,
    line: TelephonyLine,
    call_id: str,
    caller: str,
    called: str = "",
    at: dt.datetime | None = None,
    source: str = IncomingCall.Source.WEBHOOK,
) -> tuple[IncomingCall, bool]:
    """Store a ringing call once per (line, call id) and pop it; ``(call, created)``. The same
    call reported again returns the stored one and pops nothing. Run in the line's tenant."""
    call_id = (call_id or "").strip()
    if not call_id or len(call_id) > 100:
        raise errors.InvalidInput(fields={"call_id": [_("Enter the call id (1–100 characters).")]})
    if len(caller or "") > 40 or len(called or "") > 40:
        raise errors.InvalidInput(fields={"caller": [_("The number is too long.")]})
    existing = IncomingCall.objects.filter(line=line, call_id=call_id).first()
    if existing is not None:
        return existing, False
    number, valid, guest = _caller(caller or "")
    call = IncomingCall(
        line=line,
        store_id=line.store_id,
        call_id=call_id,
        caller=number,
        caller_valid=valid,
        called=(called or "").strip(),
        received_at=at or timezone.now(),
        guest=guest,
        source=source,
    )
    try:
        with transaction.atomic():
            call.save()
    except IntegrityError:  # the same call, reported twice at once
        return IncomingCall.objects.get(line=line, call_id=call_id), False
    _publish(call)
    return call, True


@transaction.atomic
def call_guest_create(*, acting_user, call: IncomingCall, **data):
    """A new guest for an unknown caller (the desk's quick form), linked to the call."""
    from huike.guests.services import guest_create

    check_perm(acting_user, perms.DESK)
    guest = guest_create(acting_user=acting_user, **data)
    call.guest = guest
    if not call.caller_valid and guest.primary_phone:
        call.caller, call.caller_valid = guest.primary_phone, True
    call.save(update_fields=["guest", "caller", "caller_valid"])
    return guest
