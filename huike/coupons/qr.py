"""QR codes of coupons (segno): the QR carries the code itself, which a till's scanner types."""

from __future__ import annotations

import io

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg_inline(code: str, *, scale: int = 6) -> SafeString:
    """The QR as an inline ``<svg>`` (the code has only letters and digits: safe to embed)."""
    return mark_safe(segno.make(code, error="m").svg_inline(scale=scale, border=2))  # noqa: S308


def qr_svg(code: str, *, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    segno.make(code, error="m").save(buffer, kind="svg", scale=scale, border=2)
    return buffer.getvalue()
