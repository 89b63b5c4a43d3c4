"""The API's one error shape: ``{code, message, fields}``, message in the request's language."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from . import errors
from .permissions import keep_denial_audited

log = logging.getLogger(__name__)

_PYDANTIC_MESSAGES = {
    "missing": lambda ctx: _("This field is required."),
    "extra_forbidden": lambda ctx: _("Unknown field."),
    "string_too_long": lambda ctx: _("At most %(n)s characters.") % {"n": ctx.get("max_length")},
    "string_too_short": lambda ctx: _("At least %(n)s characters.") % {"n": ctx.get("min_length")},
    "too_long": lambda ctx: _("At most %(n)s items.") % {"n": ctx.get("max_length")},
    "int_parsing": lambda ctx: _("Enter a whole number."),
    "int_type": lambda ctx: _("Enter a whole number."),
    "decimal_parsing": lambda ctx: _("Enter a number."),
    "decimal_type": lambda ctx: _("Enter a number."),
    "float_parsing": lambda ctx: _("Enter a number."),
    "bool_parsing": lambda ctx: _("Enter true or false."),
    "bool_type": lambda ctx: _("Enter true or false."),
    "string_type": lambda ctx: _("Enter text."),
    "dict_type": lambda ctx: _("Enter an object."),
    "list_type": lambda ctx: _("Enter a list."),
    "model_attributes_type": lambda ctx: _("Enter an object."),
    "greater_than_equal": lambda ctx: _("Must be at least %(n)s.") % {"n": ctx.get("ge")},
    "less_than_equal": lambda ctx: _("Must be at most %(n)s.") % {"n": ctx.get("le")},
    "greater_than": lambda ctx: _("Must be more than %(n)s.") % {"n": ctx.get("gt")},
    "less_than": lambda ctx: _("Must be less than %(n)s.") % {"n": ctx.get("lt")},
    "decimal_max_places": lambda ctx: (
        _("At most %(n)s decimal places.") % {"n": ctx.get("decimal_places")}
    ),
    "date_from_datetime_parsing": lambda ctx: _("Enter a valid date."),
    "date_parsing": lambda ctx: _("Enter a valid date."),
    "datetime_parsing": lambda ctx: _("Enter a valid date and time."),
    "datetime_from_date_parsing": lambda ctx: _("Enter a valid date and time."),
    "timezone_aware": lambda ctx: _("Give the time with its UTC offset, e.g. +08:00."),
    "enum": lambda ctx: _("Choose one of: %(options)s.") % {"options": ctx.get("expected")},
    "literal_error": lambda ctx: (
        _("Choose one of: %(options)s.") % {"options": ctx.get("expected")}
    ),
}
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file", "payload"}


def _field_name(loc) -> str:
    parts = [str(p) for p in loc if str(p) not in _SOURCES]
    return ".".join(parts) or "__all__"


def pydantic_fields(error_list) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for err in error_list:
        message = _PYDANTIC_MESSAGES.get(err.get("type"))
        text = message(err.get("ctx") or {}) if message else _("Not a valid value.")
        fields.setdefault(_field_name(err.get("loc", ())), []).append(text)
    return fields


def install(api) -> None:
    def respond(request, problem_body: dict, status: int):
        return api.create_response(request, problem_body, status=status)

    @api.exception_handler(errors.DomainError)
    def domain_error(request, exc: errors.DomainError):
        if isinstance(exc, errors.PermissionDenied):
            keep_denial_audited(exc)
        return respond(request, exc.as_problem(), exc.status)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc: NinjaValidationError):
        body = errors.problem(
            "invalid_input", _("Some fields are not valid."), pydantic_fields(exc.errors)
        )
        return respond(request, body, 400)

    @api.exception_handler(DjangoValidationError)
    def django_validation_error(request, exc: DjangoValidationError):
        err = errors.from_django_validation_error(exc)
        return respond(request, err.as_problem(), err.status)

    @api.exception_handler(AuthenticationError)
    def authentication_error(request, exc):
        return respond(request, errors.NotAuthenticated().as_problem(), 401)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, errors.NotFound().as_problem(), 404)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if exc.status_code == 400:
            body = errors.problem("malformed_request", _("The request body is not valid JSON."))
        else:
            body = errors.problem(f"http_{exc.status_code}", exc.message)
        return respond(request, body, exc.status_code)

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        log.exception("unhandled API error", exc_info=exc)
        body = errors.problem("server_error", _("Something went wrong on our side. Try again."))
        return respond(request, body, 500)
