"""Per request: the acting tenant, the client's address and the user's language."""

from __future__ import annotations

from django.utils import translation

from .context import ip_from_request, request_origin
from .tenancy import activate_tenant, deactivate_tenant

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
