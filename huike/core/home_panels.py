"""Panels on the home page from any app: a box of figures a role looks at every day (a store
manager's recruitment progress, …).

An app registers a builder at start-up (from its ``AppConfig.ready``)::

    register_home_panel(recruitment_panel)  # (*, user, tenant) -> HomePanel | None

The home page renders, after its figures, each panel the builders return for the signed-in user
and the active brand group (``{% home_panels %}``); a builder decides who may see it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class HomePanel:
    code: str  # for tests and styling: data-testid="home-panel-<code>"
    template: str  # rendered with ``context`` plus the request's (user, request, …)
    context: dict = field(default_factory=dict)


_BUILDERS: list[Callable[..., HomePanel | None]] = []


def register_home_panel(builder: Callable[..., HomePanel | None]) -> None:
    if builder not in _BUILDERS:
        _BUILDERS.append(builder)


def home_panels(*, user, tenant) -> list[HomePanel]:
    panels = (builder(user=user, tenant=tenant) for builder in _BUILDERS)
    return [panel for panel in panels if panel is not None]
