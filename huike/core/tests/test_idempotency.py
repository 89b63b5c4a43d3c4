"""``Idempotency-Key`` on the API's creates: a repeat replays the first response, another body
with the same key is a conflict, and simultaneous repeats still create exactly one row."""

import pytest

from huike.core.api_auth import api_key_create
from huike.core.audit import verify_all_chains
from huike.core.models import AuditEntry, IdempotencyRecord
from huike.core.testing import ApiClient, fire_requests
from huike.org.models import Brand, OrgUnit, Role, Staff, Store


def store_body(org, **changes) -> dict:
    return {
        "brand": org["brand"].pk,
        "name": "测试集团三店",
        "code": "t1-s3",
        "city": "长沙",
        "address": "黄兴路 3 号",
        **changes,
    }


def test_same_key_and_body_replay_the_first_response(org, api):
    hq = api()
    key = {"Idempotency-Key": "pos-7f3a"}
    first = hq.post("/stores", store_body(org), headers=key)
    again = hq.post("/stores", store_body(org), headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Store.objects.filter(code="t1-s3").count() == 1
    assert (
        AuditEntry.objects.filter(
            object_type="org.store", action="create", object_id=str(first.json()["id"])
        ).count()
        == 1
    )


def test_key_order_and_spacing_of_the_body_do_not_matter(org, api):
    hq = api()
    key = {"Idempotency-Key": "k-order"}
    hq.post("/stores", store_body(org), headers=key)
    reordered = (
        '{ "code": "t1-s3", "address": "黄兴路 3 号", "city": "长沙", '
        f'"name": "测试集团三店", "brand": {org["brand"].pk} }}'
    )
    again = hq.post("/stores", raw=reordered, headers=key)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert Store.objects.count() == 3


def test_same_key_with_another_body_is_a_conflict(org, api):
    hq = api(language="en")
    key = {"Idempotency-Key": "reused"}
    assert hq.post("/stores", store_body(org), headers=key).status_code == 201
    other = hq.post("/stores", store_body(org, name="另一家", code="t1-s4"), headers=key)
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"
    assert other.json()["message"] == (
        "This Idempotency-Key was already used with a different request."
    )
    assert not Store.objects.filter(code="t1-s4").exists()


@pytest.mark.parametrize("bad_key", ["k" * 201, ""])
def test_invalid_key_is_refused_before_anything_is_written(org, api, bad_key):
    response = api().post("/stores", store_body(org), headers={"Idempotency-Key": bad_key})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"
    assert Store.objects.count() == 2 and IdempotencyRecord.objects.count() == 0


def test_longest_allowed_key_is_accepted(org, api):
    response = api().post("/stores", store_body(org), headers={"Idempotency-Key": "k" * 200})
    assert response.status_code == 201


def test_a_refused_request_does_not_use_up_its_key(org, api):
    hq = api()
    key = {"Idempotency-Key": "fix-and-retry"}
    bad = hq.post("/stores", store_body(org, time_zone="Mars/Olympus"), headers=key)
    assert bad.status_code == 400 and IdempotencyRecord.objects.count() == 0
    fixed = hq.post("/stores", store_body(org), headers=key)
    assert fixed.status_code == 201 and "Idempotent-Replayed" not in fixed.headers


def test_keys_belong_to_one_tenant(org, other_org, api):
    key = {"Idempotency-Key": "shared-key"}
    ours = api().post("/stores", store_body(org), headers=key)
    theirs = ApiClient(other_org["users"]["hq"]).post(
        "/stores", store_body(other_org, code="t2-s3"), headers=key
    )
    assert ours.status_code == theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs.headers
    assert ours.json()["id"] != theirs.json()["id"]


@pytest.mark.parametrize(
    ("path", "body", "model"),
    [
        ("/brands", lambda org: {"name": "新品牌", "code": "new-brand"}, Brand),
        (
            "/org-units",
            lambda org: {"kind": "group", "name": "二组", "parent": org["department"].pk},
            OrgUnit,
        ),
        (
            "/staff",
            lambda org: {"name": "新人", "employee_no": "N100", "store": org["store"].pk},
            Staff,
        ),
        ("/roles", lambda org: {"code": "trainee", "name": "实习生"}, Role),
    ],
)
def test_every_create_takes_a_key(org, api, path, body, model):
    hq = api()
    before = model.objects.count()
    key = {"Idempotency-Key": f"create{path}"}
    first = hq.post(path, body(org), headers=key)
    again = hq.post(path, body(org), headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert model.objects.count() == before + 1


# --- Real concurrent requests against the live server ----------------------------------------
def _live_post(live_server, user, sends: list[tuple[str, dict]]):
    """POST /stores once per (Idempotency-Key, body), all at the same instant."""
    _, api_key = api_key_create(user=user, name="pos")
    requests = [
        {
            "method": "POST",
            "path": "/stores",
            "json": body,
            "headers": {"Authorization": f"Bearer {api_key}", "Idempotency-Key": key},
        }
        for key, body in sends
    ]
    return fire_requests(f"{live_server.url}/api/v1", requests)


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_repeats_create_one_store(live_org, live_server):
    responses = _live_post(
        live_server, live_org["users"]["hq"], [("same-key", store_body(live_org))] * 10
    )
    assert [r.status_code for r in responses] == [201] * 10
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == 9
    assert Store.objects.filter(code="t1-s3").count() == 1
    assert IdempotencyRecord.objects.count() == 1
    assert (
        AuditEntry.objects.filter(
            object_type="org.store", action="create", object_id=str(responses[0].json()["id"])
        ).count()
        == 1
    )
    assert verify_all_chains()[1] == []


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_creates_of_one_store_code_make_one_row(live_org, live_server):
    sends = [(f"key-{i}", store_body(live_org, name=f"三店{i}")) for i in range(10)]
    responses = _live_post(live_server, live_org["users"]["hq"], sends)
    assert [r.status_code for r in responses].count(201) == 1, [r.json() for r in responses]
    for refused in (r for r in responses if r.status_code != 201):
        problem = refused.json()
        assert (refused.status_code, problem["code"]) in {
            (400, "invalid_input"),
            (409, "conflict"),
        }, problem
        if refused.status_code == 400:
            assert list(problem["fields"]) == ["code"]
    assert Store.objects.filter(code="t1-s3").count() == 1
    assert IdempotencyRecord.objects.count() == 1
    assert verify_all_chains()[1] == []


def test_the_nightly_job_forgets_old_first_responses_only(org, hq, settings):
    import datetime as dt

    from django.utils import timezone

    from huike.core.idempotency import run_once
    from huike.core.models import IdempotencyRecord, JobRun
    from huike.core.tasks import nightly_idempotency_prune

    settings.HUIKE_IDEMPOTENCY_TTL_HOURS = 48
    calls = []

    def perform():
        calls.append(1)
        return 201, {"n": len(calls)}

    run_once(scope="t", key="old", body=b"{}", perform=perform)
    run_once(scope="t", key="new", body=b"{}", perform=perform)
    IdempotencyRecord.objects.filter(key="old").update(
        created_at=timezone.now() - dt.timedelta(hours=49)
    )
    nightly_idempotency_prune()
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    assert JobRun.objects.get(name="idempotency_prune").detail == {"removed": 1}
    # the pruned key runs afresh; the kept one still replays
    assert run_once(scope="t", key="old", body=b"{}", perform=perform)[1] == {"n": 3}
    assert run_once(scope="t", key="new", body=b"{}", perform=perform)[2] is True
