"""The QR code of a table (segno): it carries the absolute URL of the table's public ordering
page, which a phone's camera opens."""

from __future__ import annotations

import segno
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe


def table_url(request, token: str) -> str:
    return request.build_absolute_uri(reverse("table_qr", args=[token]))


def table_qr_svg(url: str, *, scale: int = 5) -> SafeString:
    """The QR as an inline ``<svg>`` (segno writes only its own markup: safe to embed)."""
    return mark_safe(segno.make(url, error="m").svg_inline(scale=scale, border=2))  # noqa: S308
