"""One error hierarchy. Services raise these; the API renders them as the problem body
``{code, message, fields}`` and forms show them beside the field.

``code`` is stable (clients switch on it); ``message`` is translated into the request's language.
``fields`` maps a field name to its own message(s).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "invalid"
    status = 400
    default_message = _("The request could not be carried out.")

    def __init__(self, message=None, *, code: str | None = None, fields: dict | None = None):
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.fields = fields or {}
        super().__init__(str(self.message))

    def as_problem(self) -> dict:
        return problem(self.code, self.message, self.fields)


class InvalidInput(DomainError):
    code = "invalid_input"
    status = 400
    default_message = _("Some fields are not valid.")


class NotFound(DomainError):
    """Also what a row of another tenant, or outside the user's scope, looks like."""

    code = "not_found"
    status = 404
    default_message = _("Not found.")


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403
    default_message = _("You do not have permission to do this.")
    audit_entry = None  # the entry check_perm wrote for this denial


class NotAuthenticated(DomainError):
    code = "not_authenticated"
    status = 401
    default_message = _("Sign in or send a valid API key.")


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_message = _("This conflicts with the current state.")


class Throttled(DomainError):
    code = "throttled"
    status = 429
    default_message = _("Too many attempts. Try again later.")


def problem(code: str, message, fields: dict | None = None) -> dict:
    return {
        "code": code,
        "message": str(message),
        "fields": {
            k: [str(m) for m in v] if isinstance(v, list | tuple) else [str(v)]
            for k, v in (fields or {}).items()
        },
    }


def from_django_validation_error(exc: DjangoValidationError) -> InvalidInput:
    """Turn a model/form ValidationError into our InvalidInput with per-field messages."""
    if hasattr(exc, "error_dict"):
        fields = {
            ("__all__" if name == "__all__" else name): [str(m) for e in errs for m in e.messages]
            for name, errs in exc.error_dict.items()
        }
        return InvalidInput(fields=fields)
    return InvalidInput(message=" ".join(str(m) for m in exc.messages))
