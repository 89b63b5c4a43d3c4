"""``Idempotency-Key`` for external writes: the same key and body replay the first response;
the same key with another body is a 409. Safe under concurrent repeats: the record is inserted
in the same transaction as the write, so a racing repeat waits for it and then replays it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Status

from . import errors
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


def request_fingerprint(body: bytes) -> str:
    """SHA-256 of the body, canonical for JSON (key order and spacing do not matter)."""
    try:
        canonical = json.dumps(
            json.loads(body or b"null"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    except ValueError:
        canonical = body
    return hashlib.sha256(canonical).hexdigest()


def _validate_key(key: str) -> None:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise errors.InvalidInput(
            _("The Idempotency-Key must be 1 to %(n)s printable characters.")
            % {"n": MAX_KEY_LENGTH},
            code="invalid_idempotency_key",
        )


def run_once(
    *, scope: str, key: str | None, body: bytes, perform: Callable[[], tuple[int, dict]]
) -> tuple[int, dict, bool]:
    """Run ``perform`` once per (tenant, scope, key); returns (status, body, replayed).

    ``perform`` does the write and returns the JSON-ready response. Without a key it just runs.
    """
    if key is None:
        status, payload = perform()
        return status, payload, False
    _validate_key(key)
    fingerprint = request_fingerprint(body)
    with transaction.atomic():
        record = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
        if record is None:
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        scope=scope, key=key, request_hash=fingerprint
                    )
            except IntegrityError:
                # A concurrent request with the same key committed first: replay it.
                record = IdempotencyRecord.objects.get(scope=scope, key=key)
            else:
                status, payload = perform()
                IdempotencyRecord.objects.filter(pk=record.pk).update(
                    status_code=status, response_body=payload
                )
                return status, payload, False
        if record.request_hash != fingerprint:
            raise errors.Conflict(
                _("This Idempotency-Key was already used with a different request."),
                code="idempotency_key_reused",
            )
        return record.status_code, record.response_body, True


def respond_once(request, response, *, scope: str, perform: Callable[[], tuple[int, dict]]):
    """For an API operation: reads the header, runs once, marks a replay in a response header.

    ``response`` is the operation's temporal response (a ``response: HttpResponse`` parameter).
    Returns a ``Status`` for ninja to render.
    """
    status, payload, replayed = run_once(
        scope=f"{scope}:user:{request.user.pk}",  # a key replays only to the one who sent it
        key=request.headers.get(HEADER),
        body=request.body,
        perform=perform,
    )
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(status, payload)


def idempotency_records_prune(*, now: dt.datetime | None = None) -> int:
    """Forget first responses older than HUIKE_IDEMPOTENCY_TTL_HOURS (every tenant); a key
    sent again after that runs as a new request. Returns how many were removed."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.HUIKE_IDEMPOTENCY_TTL_HOURS)
    removed, _ = IdempotencyRecord.all_tenants.filter(created_at__lt=cutoff).delete()
    return removed
