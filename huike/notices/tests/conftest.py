"""Fixtures of the notices tests: the reservations floor and guest, the stand-in SMS gateway
(with templates for the notice purposes) and a local SMTP server."""

from __future__ import annotations

import pytest

from huike.messaging.tests.conftest import gateway, no_sms, smtp_server  # noqa: F401
from huike.reservations.tests.conftest import evening, floor, guest  # noqa: F401

NOTICE_TEMPLATES = {
    "notices.confirmation": "200001",
    "notices.change": "200002",
    "notices.cancellation": "200003",
    "notices.reminder": "200004",
}


@pytest.fixture
def sms(gateway, settings):  # noqa: F811
    """The stand-in gateway, with a Tencent template id for every notice."""
    settings.HUIKE_SMS_TEMPLATES = {**settings.HUIKE_SMS_TEMPLATES, **NOTICE_TEMPLATES}
    return gateway
