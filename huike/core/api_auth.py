"""API keys: ``Authorization: Bearer hk_<prefix>_<secret>``; only a SHA-256 of the key is kept."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone, translation
from ninja.security import HttpBearer, SessionAuth

from .audit import Action, audit_record
from .models import ApiKey
from .tenancy import activate_tenant, tenant_context

KEY_PREFIX = "hk"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_create(*, user, name: str, acting_user=None) -> tuple[ApiKey, str]:
    """Issue a key for ``user``; returns the row and the key, which is shown only now."""
    prefix = secrets.token_hex(5)
    key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    with tenant_context(user.tenant), transaction.atomic():
        api_key = ApiKey.objects.create(user=user, name=name, prefix=prefix, key_hash=_digest(key))
        audit_record(
            action=Action.API_KEY,
            actor=acting_user,
            obj=api_key,
            actor_name="" if acting_user else "system",
            changes={"user": user.get_username(), "name": name},
        )
    return api_key, key


def api_key_user(key: str):
    """The active user a key belongs to, or None."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    api_key = (
        ApiKey.all_tenants.select_related("user", "user__tenant")
        .filter(prefix=parts[1], revoked_at__isnull=True)
        .first()
    )
    if api_key is None or not hmac.compare_digest(api_key.key_hash, _digest(key)):
        return None
    user = api_key.user
    if not user.is_active or user.tenant_id != api_key.tenant_id:
        return None
    now = timezone.now()
    if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() > 60:
        ApiKey.all_tenants.filter(pk=api_key.pk).update(last_used_at=now)
    return user


class ApiKeyAuth(HttpBearer):
    """Bearer API key; the request then acts as the key's user, in that user's tenant."""

    def authenticate(self, request, token):
        user = api_key_user(token)
        if user is None:
            return None
        request.user = user
        activate_tenant(user.tenant)  # reset by the middleware at the end of the request
        if user.language and not request.META.get("HTTP_ACCEPT_LANGUAGE"):
            translation.activate(user.language)
        return user


class StaffSessionAuth(SessionAuth):
    """A signed-in console user calling the API from the page (CSRF-checked)."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.tenant_id else None
