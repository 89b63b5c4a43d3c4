"""Opening hours as people type them, one weekday at a time: ``10:30-14:00, 17:00-21:30``.

Parsed into the store's JSON form ``[["10:30", "14:00"], ["17:00", "21:30"]]``; an empty day is
closed; a close before its open runs past midnight (``17:00-02:00``). Full-width input
(``10：30－14：00，17：00～21：30``) is read the same way.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_PERIOD_SPLIT = re.compile(r"[,;、\s]+(?=\d)")
_RANGE = re.compile(r"^(\d{1,2}):?(\d{2})\s*[-~–—至到]\s*(\d{1,2}):?(\d{2})$")


def parse_day(text: str) -> list[list[str]]:
    """One weekday's periods; raises ValidationError with a message for the person typing."""
    text = unicodedata.normalize("NFKC", text or "").strip().strip(",;")
    if not text:
        return []
    periods = []
    for chunk in _PERIOD_SPLIT.split(text):
        chunk = chunk.strip().strip(",;")
        if not chunk:
            continue
        match = _RANGE.match(chunk)
        if not match:
            raise ValidationError(
                _("“%(text)s” is not a period like 10:30-14:00."),
                params={"text": chunk},
                code="period_format",
            )
        opens = _time(match.group(1), match.group(2))
        closes = _time(match.group(3), match.group(4))
        if opens == closes:
            raise ValidationError(
                _("A period cannot open and close at the same time (%(text)s)."),
                params={"text": chunk},
                code="period_empty",
            )
        periods.append([opens, closes])
    return periods


def _time(hours: str, minutes: str) -> str:
    h, m = int(hours), int(minutes)
    if h > 23 or m > 59:
        raise ValidationError(
            _("“%(time)s” is not a time of day (00:00 to 23:59)."),
            params={"time": f"{hours}:{minutes}"},
            code="time_of_day",
        )
    return f"{h:02d}:{m:02d}"


def format_day(periods) -> str:
    """The text form of one weekday's periods (for the edit form)."""
    return ", ".join(f"{opens}-{closes}" for opens, closes in periods or [])
