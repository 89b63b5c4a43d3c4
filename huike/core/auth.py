"""Signing in and out: audited, and throttled after repeated failures (per name and address)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.utils import timezone
from django.utils.translation import gettext as _

from . import errors
from .audit import Action, audit_record
from .context import ip_from_request
from .models import LoginAttempt

PER_ADDRESS_FACTOR = 4  # an address may fail for several names before it is held back too


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=settings.HUIKE_LOGIN_LOCK_MINUTES)


def is_throttled(*, username: str, ip: str | None) -> bool:
    recent = LoginAttempt.objects.filter(attempted_at__gte=_window_start())
    limit = settings.HUIKE_LOGIN_MAX_FAILURES
    if recent.filter(username=username.lower()).count() >= limit:
        return True
    return bool(ip) and recent.filter(ip_address=ip).count() >= limit * PER_ADDRESS_FACTOR


def sign_in(*, request, username: str, password: str):
    """Check the credentials and start a session; raises Throttled or InvalidInput."""
    username = (username or "").strip()
    ip = ip_from_request(request)
    known = get_user_model().objects.filter(username=username).select_related("tenant").first()
    if is_throttled(username=username, ip=ip):
        audit_record(
            action=Action.LOGIN_FAILED,
            actor=known,
            actor_name=username,
            tenant=getattr(known, "tenant", None),
            ip_address=ip,
            changes={"reason": "throttled"},
        )
        raise errors.Throttled(
            _("Too many failed sign-ins. Try again in %(n)s minutes.")
            % {"n": settings.HUIKE_LOGIN_LOCK_MINUTES}
        )
    user = authenticate(request, username=username, password=password)
    if user is None:
        LoginAttempt.objects.create(
            username=username.lower(), ip_address=ip, attempted_at=timezone.now()
        )
        audit_record(
            action=Action.LOGIN_FAILED,
            actor=known,
            actor_name=username,
            tenant=getattr(known, "tenant", None),
            ip_address=ip,
            changes={"reason": "wrong_credentials"},
        )
        raise errors.InvalidInput(_("Wrong username or password."), code="wrong_credentials")
    LoginAttempt.objects.filter(username=username.lower()).delete()
    login(request, user)
    audit_record(action=Action.LOGIN, actor=user, tenant=user.tenant, ip_address=ip)
    return user


def sign_out(*, request) -> None:
    user = request.user
    if user.is_authenticated:
        audit_record(
            action=Action.LOGOUT,
            actor=user,
            tenant=user.tenant,
            ip_address=ip_from_request(request),
        )
    logout(request)


def language_set(*, user, language: str) -> None:
    """Save the user's language choice (the page switch)."""
    if language not in dict(settings.LANGUAGES):
        raise errors.InvalidInput(fields={"language": [_("Not a supported language.")]})
    if user.is_authenticated and user.language != language:
        get_user_model().objects.filter(pk=user.pk).update(language=language)
        user.language = language
