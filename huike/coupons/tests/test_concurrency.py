"""Real simultaneous requests (each on its own database connection), on SQLite and PostgreSQL
alike: a coupon scanned by twenty tills at the same instant is redeemed once, and a template's
total limit holds under simultaneous issues."""

from __future__ import annotations

from collections import Counter

import pytest

from huike.core import errors
from huike.core.api_auth import api_key_create
from huike.core.tenancy import tenant_context
from huike.core.testing import fire_concurrently, fire_requests
from huike.coupons import services
from huike.coupons.models import Coupon, CouponEvent, CouponTemplate
from huike.guests.services import guest_create
from huike.messaging.models import Message

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live_guest(live_org):
    return guest_create(
        acting_user=live_org["users"]["hq"], name="并发", primary_phone="13800138001"
    )


def test_twenty_tills_scan_one_coupon_at_the_same_instant(live_org, live_server, live_guest):
    hq = live_org["users"]["hq"]
    template = services.template_create(
        acting_user=hq, name="代金券50元", kind="cash", face_value="50", valid_days=30
    )
    coupon = services.coupon_issue(acting_user=hq, template=template, guest=live_guest)
    assert Message.objects.filter(purpose="loyalty.coupon_issued").count() == 1
    _, key = api_key_create(user=live_org["users"]["cashier"], name="till")
    requests = [
        {
            "method": "POST",
            "path": "/coupons/redeem",
            "json": {"code": coupon.code, "store": live_org["store"].pk, "reference": f"R-{i}"},
            "headers": {
                "Authorization": f"Bearer {key}",
                "Idempotency-Key": f"till-{i}",
                "Accept-Language": "en",
            },
        }
        for i in range(20)
    ]
    responses = fire_requests(f"{live_server.url}/api/v1", requests)

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: 1, 409: 19}, [r.text for r in responses if r.status_code >= 500]
    for r in responses:
        if r.status_code == 409:
            body = r.json()
            assert body["code"] == "coupon_already_used"
            assert live_org["store"].name in body["message"]
    assert Coupon.objects.get(pk=coupon.pk).status == "redeemed"
    assert CouponEvent.objects.filter(coupon=coupon, kind="redeemed").count() == 1
    assert Message.objects.filter(purpose="loyalty.coupon_issued").count() == 1


def test_simultaneous_issues_stop_at_the_total_limit(live_org, live_guest):
    hq = live_org["users"]["hq"]
    template = services.template_create(
        acting_user=hq, name="限量券", kind="cash", face_value="10", valid_days=7, total_limit=5
    )

    def issue(i):
        with tenant_context(live_org["tenant"]):
            return services.coupon_issue(
                acting_user=hq, template=template, guest=live_guest, send=False
            )

    outcomes = fire_concurrently(issue, 12)
    assert sum(o.error is None for o in outcomes) == 5
    failures = [o.error for o in outcomes if o.error is not None]
    assert all(isinstance(e, errors.Conflict) for e in failures), failures
    assert {e.code for e in failures} == {"coupon_limit_reached"}
    assert Coupon.objects.filter(template=template).count() == 5
    assert CouponTemplate.objects.get(pk=template.pk).issued_count == 5
