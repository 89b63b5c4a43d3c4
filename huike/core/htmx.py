"""HTMX in console views (as NetBox's ``htmx_partial``): one view renders the whole page, or for
an HTMX request only its partial; after a save it answers with a redirect (``HX-Redirect`` for
HTMX, so the browser loads the next page instead of swapping it into the old one)."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def is_htmx_partial(request) -> bool:
    """An HTMX request that wants a fragment (a boosted link, or restoring history after a
    cache miss, wants the whole page)."""
    headers = request.headers
    return bool(headers.get("HX-Request")) and not (
        headers.get("HX-Boosted") or headers.get("HX-History-Restore-Request")
    )


def render_page(request, template: str, partial: str, context: dict, *, status: int = 200):
    """The full ``template``, or ``partial`` for an HTMX request."""
    name = partial if is_htmx_partial(request) else template
    response = render(request, name, context, status=status)
    patch_vary_headers(response, ["HX-Request"])  # a cached fragment is never shown as a page
    return response


def redirect_after_save(request, url: str) -> HttpResponse:
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)
