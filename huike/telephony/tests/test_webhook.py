import time

import pytest

from huike.core.tenancy import tenant_context
from huike.core.testing import assert_problem
from huike.guests.services import guest_create
from huike.telephony import services
from huike.telephony.models import IncomingCall

from .conftest import post_call

pytestmark = pytest.mark.django_db


def test_a_signed_new_call_is_stored_and_popped(line, published, hq):
    guest = guest_create(acting_user=hq, name="王芳", primary_phone="13800138000")
    response = post_call(line, {"call_id": "c-1", "caller": "138 0013 8000", "called": "8001"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["guest"] == guest.pk and body["caller_known"] is True
    assert body["caller_masked"] == "138****8000"
    call = IncomingCall.objects.get()
    assert (call.caller, call.caller_valid, call.guest_id) == ("+8613800138000", True, guest.pk)
    assert (call.store_id, call.source, call.called) == (line.store_id, "webhook", "8001")
    assert published == [
        (
            f"store:{line.store_id}:desk",
            "call",
            {"call": call.pk, "guest": guest.pk, "phone": "138****8000"},
        )
    ]


def test_the_same_call_again_answers_the_stored_one_and_pops_nothing(line, published):
    first = post_call(line, {"call_id": "c-1", "caller": "13900001111"})
    again = post_call(line, {"call_id": "c-1", "caller": "13900001111"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert IncomingCall.objects.count() == 1 and len(published) == 1


def test_an_unknown_caller_is_popped_without_a_guest(line, published):
    response = post_call(line, {"call_id": "c-2", "caller": "13900001111"})
    assert response.status_code == 201
    assert response.json()["guest"] is None
    assert published[0][2]["guest"] is None


@pytest.mark.parametrize("caller", ["12345", "not-a-number", ""])
def test_a_malformed_caller_is_stored_as_sent_and_popped_as_unknown(line, published, caller):
    response = post_call(line, {"call_id": "c-3", "caller": caller})
    assert response.status_code == 201, response.json()
    call = IncomingCall.objects.get()
    assert (call.caller, call.caller_valid, call.guest_id) == (caller, False, None)
    assert published[0][2]["guest"] is None


def test_a_wrong_signature_is_refused(line, published):
    response = post_call(line, {"call_id": "c-1", "caller": "13900001111"}, secret="guess")
    assert_problem(response, 401, "bad_signature")
    assert not IncomingCall.objects.exists() and not published


def test_an_unsigned_call_is_refused(line):
    assert_problem(post_call(line, {"call_id": "c-1"}, signature=""), 401, "bad_signature")
    assert not IncomingCall.objects.exists()


def test_a_tampered_body_is_refused(line):
    stamp = str(int(time.time()))
    signature = services.sign(line.secret, stamp, b'{"call_id": "c-1"}')
    response = post_call(line, {"call_id": "c-2"}, timestamp=stamp, signature=signature)
    assert_problem(response, 401, "bad_signature")


@pytest.mark.parametrize("skew", [-301, 400, 86400])
def test_a_stale_request_is_refused_as_a_replay(line, skew):
    response = post_call(line, {"call_id": "c-1"}, timestamp=int(time.time()) - skew)
    assert_problem(response, 401, "stale_request")
    assert not IncomingCall.objects.exists()


def test_a_request_within_five_minutes_is_taken(line):
    response = post_call(line, {"call_id": "c-1"}, timestamp=int(time.time()) - 240)
    assert response.status_code == 201


def test_an_unknown_or_inactive_line_is_refused(line):
    assert_problem(post_call(line, {"call_id": "c-1"}, code="nope"), 401, "unknown_line")
    line.active = False
    line.save()
    assert_problem(post_call(line, {"call_id": "c-1"}), 401, "unknown_line")
    assert not IncomingCall.objects.exists()


def test_a_signed_body_without_call_id_is_invalid_and_writes_nothing(line, published):
    assert_problem(post_call(line, {"caller": "139"}), 400, "invalid_input", ["call_id"])
    assert_problem(post_call(line, b"not json"), 400, "invalid_input")
    assert not IncomingCall.objects.exists() and not published


def test_the_same_line_code_in_another_brand_group_uses_its_own_secret(line, other_org):
    with tenant_context(other_org["tenant"]):
        theirs = services.line_create(
            acting_user=other_org["users"]["hq"],
            store=other_org["store"],
            name="热线",
            code=line.code,
        )
    response = post_call(theirs, {"call_id": "c-1", "caller": "13900001111"})
    assert response.status_code == 201
    assert IncomingCall.all_tenants.get().tenant_id == other_org["tenant"].pk
    assert not IncomingCall.objects.exists()  # none in this brand group


def test_a_line_code_is_unique_in_the_brand_group(line, hq, org):
    from huike.core import errors

    with pytest.raises(errors.InvalidInput) as caught:
        services.line_create(acting_user=hq, store=org["store2"], name="二号", code=line.code)
    assert "code" in caught.value.fields


def test_only_hq_sets_up_lines(users, org):
    from huike.core import errors

    with pytest.raises(errors.PermissionDenied):
        services.line_create(acting_user=users["desk"], store=org["store"], name="x", code="x")


def test_the_openapi_documents_the_webhook_without_staff_auth():
    from django.test import Client

    spec = Client().get("/api/v1/openapi.json").json()
    post = spec["paths"]["/api/v1/telephony/calls"]["post"]
    assert "security" not in post or post["security"] in ([], [{}])
    assert "call_id" in post["requestBody"]["content"]["application/json"]["schema"]["properties"]
