"""Shared service helpers: validate-and-save with audit, used by every app's services."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from . import errors
from .audit import Action, audit_record, diff, snapshot
from .tenancy import require_active_tenant


def full_clean_or_raise(obj: models.Model, *, exclude: list[str] | None = None) -> None:
    """Run the model's validation; raise InvalidInput with per-field messages."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise errors.from_django_validation_error(exc) from exc


def _save_or_explain(obj: models.Model) -> None:
    """Save in a savepoint. When a concurrent writer won a uniqueness race after our validation,
    validate again (the winner is now visible) so the loser gets the same field error."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        full_clean_or_raise(obj)
        raise errors.Conflict() from exc


def save_new(obj: models.Model, *, actor, extra: dict | None = None) -> models.Model:
    """Validate, insert and audit a new row (call inside the service's transaction)."""
    if hasattr(obj, "tenant_id") and obj.tenant_id is None:
        obj.tenant = require_active_tenant()
    full_clean_or_raise(obj)
    _save_or_explain(obj)
    audit_record(
        action=Action.CREATE, actor=actor, obj=obj, changes={**snapshot(obj), **(extra or {})}
    )
    return obj


def save_changes(obj: models.Model, *, actor, changes: dict) -> models.Model:
    """Apply ``changes`` (field → value), validate, save and audit what really changed."""
    before = snapshot(obj)
    for name, value in changes.items():
        setattr(obj, name, value)
    full_clean_or_raise(obj)
    changed = diff(before, snapshot(obj))
    if not changed:
        return obj
    _save_or_explain(obj)
    audit_record(action=Action.UPDATE, actor=actor, obj=obj, changes=changed)
    return obj


def delete_audited(obj: models.Model, *, actor) -> None:
    audit_record(action=Action.DELETE, actor=actor, obj=obj, changes=snapshot(obj))
    try:
        obj.delete()
    except models.ProtectedError as exc:
        raise errors.Conflict(code="in_use") from exc


def only_known_fields(data: dict, allowed: set[str]) -> dict:
    """A copy of ``data``; any key not in ``allowed`` is a field error ("Unknown field.")."""
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise errors.InvalidInput(fields={name: [_("Unknown field.")] for name in unknown})
    return dict(data)
