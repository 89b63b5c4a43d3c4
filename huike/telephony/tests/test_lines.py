"""HQ's telephone lines: a new secret, the old one's grace, a line switched off; page and API."""

import datetime as dt

import pytest
from django.test import Client

from huike.core import errors
from huike.core.models import AuditEntry
from huike.core.testing import assert_problem
from huike.telephony import services
from huike.telephony.models import TelephonyLine

from .conftest import post_call

pytestmark = pytest.mark.django_db


def _call(n: int) -> dict:
    return {"call_id": f"rot-{n}", "caller": "13900001111"}


def test_a_rotated_line_signs_with_both_secrets_until_the_grace_ends(line, hq, published):
    old = line.secret
    rotated = services.line_rotate_secret(acting_user=hq, line=line)
    assert rotated.secret != old and rotated.previous_secret == old
    assert rotated.previous_secret_until - rotated.secret_rotated_at == services.ROTATION_GRACE
    assert post_call(rotated, _call(1)).status_code == 201
    assert post_call(rotated, _call(2), secret=old).status_code == 201

    later = rotated.previous_secret_until + dt.timedelta(seconds=1)
    stamp = str(int(later.timestamp()))
    signed_old = services.sign(old, stamp, b"{}")
    with pytest.raises(errors.NotAuthenticated) as refused:
        services.line_authenticate(
            code=line.code, timestamp=stamp, signature=signed_old, body=b"{}", now=later
        )
    assert refused.value.code == "bad_signature"
    signed_new = services.sign(rotated.secret, stamp, b"{}")
    assert (
        services.line_authenticate(
            code=line.code, timestamp=stamp, signature=signed_new, body=b"{}", now=later
        )
        == line
    )


def test_rotating_twice_ends_the_oldest_secret_at_once(line, hq, published):
    first = line.secret
    services.line_rotate_secret(acting_user=hq, line=line)
    services.line_rotate_secret(acting_user=hq, line=line)
    response = post_call(line, _call(3), secret=first)
    assert_problem(response, 401, "bad_signature")
    entries = AuditEntry.objects.filter(object_type="telephony.telephonyline", action="update")
    assert entries.count() == 2
    assert all(first not in str(e.changes) for e in entries)  # no secret in the audit log


def test_a_line_switched_off_is_refused_and_on_again_accepted(line, hq, published):
    services.line_set_active(acting_user=hq, line=line, active=False)
    assert_problem(post_call(line, _call(4)), 401, "unknown_line")
    services.line_set_active(acting_user=hq, line=line, active=True)
    assert post_call(line, _call(5)).status_code == 201


def test_a_cashier_may_neither_rotate_nor_switch_off(line, users):
    with pytest.raises(errors.PermissionDenied):
        services.line_rotate_secret(acting_user=users["cashier"], line=line)
    with pytest.raises(errors.PermissionDenied):
        services.line_set_active(acting_user=users["cashier"], line=line, active=False)
    line.refresh_from_db()
    assert line.previous_secret == "" and line.active


def test_the_lines_page_shows_a_new_secret_once_and_switches_a_line_off(line, hq):
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(hq)
    page = client.post(f"/telephony/lines/{line.pk}/rotate/")
    line.refresh_from_db()
    assert page.status_code == 200
    assert line.secret in page.content.decode() and "has a new secret" in page.content.decode()
    assert line.secret not in client.get("/telephony/lines/").content.decode()

    off = client.post(f"/telephony/lines/{line.pk}/active/", {"active": "0"})
    assert off.status_code == 302
    line.refresh_from_db()
    assert line.active is False


def test_the_lines_api_adds_rotates_and_switches(org, api, published):
    hq = api("hq", language="en")
    created = hq.post(
        "/telephony/lines", {"store": org["store"].pk, "name": "二号线", "code": "d2"}
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert len(body["secret"]) == 64 and body["active"] is True
    listed = hq.get("/telephony/lines").json()
    assert [row["code"] for row in listed] == ["d2"] and "secret" not in listed[0]

    rotated = hq.post(f"/telephony/lines/{body['id']}/rotate-secret")
    assert rotated.status_code == 200
    assert rotated.json()["secret"] != body["secret"] and rotated.json()["previous_secret_until"]

    off = hq.patch(f"/telephony/lines/{body['id']}", {"active": False})
    assert off.status_code == 200 and off.json()["active"] is False
    line = TelephonyLine.objects.get(pk=body["id"])
    assert_problem(post_call(line, _call(6)), 401, "unknown_line")


def test_the_lines_api_refuses_a_taken_code_a_foreign_store_and_a_cashier(org, api, line):
    hq = api("hq", language="en")
    taken = hq.post("/telephony/lines", {"store": org["store"].pk, "name": "x", "code": line.code})
    assert_problem(taken, 400, "invalid_input")
    assert "taken" in str(taken.json())
    foreign = hq.post("/telephony/lines", {"store": 999999, "name": "x", "code": "new"})
    assert_problem(foreign, 400, "invalid_input")
    assert_problem(api("cashier").get("/telephony/lines"), 403, "permission_denied")
    assert_problem(hq.post("/telephony/lines/999999/rotate-secret"), 404, "not_found")
    assert_problem(
        hq.patch(f"/telephony/lines/{line.pk}", {"active": "maybe"}), 400, "invalid_input"
    )
    assert TelephonyLine.objects.count() == 1 and TelephonyLine.objects.get().active
