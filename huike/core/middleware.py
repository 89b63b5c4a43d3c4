"""Per request: the acting tenant, the client's address and the user's language."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import render, resolve_url
from django.utils import translation

from . import errors
from .context import ip_from_request, request_origin
from .permissions import keep_denial_audited
from .tenancy import NoActiveTenant, activate_tenant, deactivate_tenant

API_PREFIX = "/api/"


class TenantAndLanguageMiddleware:
    """Activates the signed-in user's tenant for the request and their chosen language.

    Pages follow the user's saved language, else the cookie set by the page switch, else the
    browser's Accept-Language (LocaleMiddleware). API calls follow Accept-Language when sent,
    else the user's saved language. API-key requests activate their tenant in the API auth.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        tenant = user.tenant if user is not None and user.is_authenticated else None
        token = activate_tenant(tenant)
        try:
            with request_origin(ip_from_request(request)):
                if tenant is not None:
                    self._apply_user_language(request, user)
                return self.get_response(request)
        finally:
            deactivate_tenant(token)

    @staticmethod
    def _apply_user_language(request, user) -> None:
        if not user.language:
            return
        if request.path.startswith(API_PREFIX) and request.META.get("HTTP_ACCEPT_LANGUAGE"):
            return
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language


class DomainErrorPageMiddleware:
    """Console pages: a ``PermissionDenied`` domain error becomes the friendly 403 page, a
    ``NotFound`` the 404 page, ``NotAuthenticated`` the sign-in page (the API renders its own
    problem bodies).

    HTMX requests don't swap error pages or follow redirects into a fragment, so for them a
    403/404 asks the browser to reload the page (``HX-Refresh``) and the sign-in redirect of an
    expired session becomes ``HX-Redirect``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.headers.get("HX-Request")
            and response.status_code == 302
            and response["Location"].startswith(resolve_url(settings.LOGIN_URL))
        ):
            redirect = HttpResponse(status=204)
            redirect["HX-Redirect"] = response["Location"]
            return redirect
        return response

    def process_exception(self, request, exception):
        if request.path.startswith(API_PREFIX):
            return None
        if isinstance(exception, errors.PermissionDenied):
            keep_denial_audited(exception)
            response = render(request, "403.html", {"message": exception.message}, status=403)
        elif isinstance(exception, NoActiveTenant):
            response = render(request, "403.html", {"no_tenant": True}, status=403)
        elif isinstance(exception, errors.NotFound):
            response = render(request, "404.html", {"message": exception.message}, status=404)
        elif isinstance(exception, errors.NotAuthenticated):
            return redirect_to_login(request.get_full_path())
        else:
            return None
        if request.headers.get("HX-Request"):
            response["HX-Refresh"] = "true"
        return response
