"""Alerts on the home page from any app: a failed nightly check that staff must act on.

An app registers a builder at start-up (from its ``AppConfig.ready``)::

    register_home_alert(ledger_alert)   # ledger_alert(*, user, tenant) -> list[HomeAlert]

The home page shows every alert the builders return for the signed-in user and the active brand
group; a builder decides who may see it and leaves out other brand groups' details.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class HomeAlert:
    code: str  # for tests and styling: data-testid="home-alert-<code>"
    message: str
    lines: list[str] = field(default_factory=list)


_BUILDERS: list[Callable[..., list[HomeAlert]]] = []


def register_home_alert(builder: Callable[..., list[HomeAlert]]) -> None:
    if builder not in _BUILDERS:
        _BUILDERS.append(builder)


def home_alerts(*, user, tenant) -> list[HomeAlert]:
    return [alert for builder in _BUILDERS for alert in builder(user=user, tenant=tenant)]
