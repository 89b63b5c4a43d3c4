"""Platform pages: sign-in, language switch, home, health."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import errors, selectors
from .auth import language_set, sign_in, sign_out


def _safe_next(request, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_http_methods(["GET", "POST"])
def login_view(request):
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request, settings.LOGIN_REDIRECT_URL and "/"))
    error, status = None, 200
    username = ""
    if request.method == "POST":
        username = request.POST.get("username", "")
        try:
            sign_in(request=request, username=username, password=request.POST.get("password", ""))
        except errors.DomainError as exc:
            error, status = exc.message, exc.status
        else:
            return redirect(_safe_next(request))
    return render(
        request,
        "core/login.html",
        {"error": error, "username": username, "next": _safe_next(request, "")},
        status=status,
    )


@require_POST
def logout_view(request):
    sign_out(request=request)
    return redirect("login")


@require_POST
def language_view(request):
    language = request.POST.get("language", "")
    try:
        language_set(user=request.user, language=language)
    except errors.InvalidInput:
        language = settings.LANGUAGE_CODE
    translation.activate(language)
    response = HttpResponseRedirect(_safe_next(request))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax"
    )
    return response


@login_required
def home(request):
    return render(request, "core/home.html", selectors.home_figures(user=request.user))


@require_GET
def healthz(request):
    """Liveness for load balancers and monitoring: the database and the job queue."""
    database = {"ok": True, "vendor": connection.vendor}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # report, don't raise: this is the health answer
        database = {"ok": False, "vendor": connection.vendor, "error": str(exc)[:200]}
    queue = selectors.queue_health()
    ok = database["ok"] and queue["ok"]
    return JsonResponse({"ok": ok, "database": database, "queue": queue}, status=200 if ok else 503)


def api_not_found(request):
    """Unknown API paths answer in the API's problem shape, not with an HTML page."""
    return JsonResponse(
        errors.NotFound().as_problem(), status=404, json_dumps_params={"ensure_ascii": False}
    )
