"""The platform API: authentication, /me, searching the audit log, the OpenAPI document."""

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from huike.core.audit import audit_record
from huike.core.models import ApiKey, AuditEntry
from huike.core.selectors import audit_search
from huike.core.testing import assert_problem


# --- Authentication --------------------------------------------------------------------------
def test_request_without_a_key_is_401(org):
    body = assert_problem(Client().get("/api/v1/stores"), 401, "not_authenticated")
    assert body["message"]
    english = Client().get("/api/v1/me", headers={"Accept-Language": "en"})
    assert english.json()["message"] == "Sign in or send a valid API key."


@pytest.mark.parametrize("token", ["hk_nosuchprefix_secret", "garbage", "hk__", ""])
def test_unknown_or_malformed_key_is_401(api, token):
    hq = api()
    hq.key = token
    assert_problem(hq.get("/me"), 401, "not_authenticated")


def test_key_with_a_wrong_secret_is_401(api):
    hq = api()
    prefix = hq.key.split("_")[1]
    hq.key = f"hk_{prefix}_{'x' * 43}"
    assert_problem(hq.get("/me"), 401, "not_authenticated")


def test_revoked_key_is_401(api):
    hq = api()
    assert hq.get("/me").status_code == 200
    ApiKey.objects.update(revoked_at=timezone.now())
    assert_problem(hq.get("/me"), 401, "not_authenticated")


def test_key_of_a_deactivated_login_is_401(api, users):
    waiter = api("waiter")
    users["waiter"].is_active = False
    users["waiter"].save(update_fields=["is_active"])
    assert_problem(waiter.get("/me"), 401, "not_authenticated")


def test_key_use_is_remembered(api):
    hq = api()
    hq.get("/me")
    assert ApiKey.objects.get().last_used_at is not None


# --- Who am I --------------------------------------------------------------------------------
def test_me_tells_hq_who_they_are(org, api):
    me = api().get("/me").json()
    assert me["username"] == "t1-hq" and me["role"] == "hq" and me["row_scope"] == "all"
    assert me["tenant"] == {"id": org["tenant"].pk, "code": "t1", "name": "测试集团"}
    assert {"org.manage_stores", "core.view_audit"} <= set(me["permissions"])
    assert me["language"] == "zh-hans"


def test_me_for_a_waiter_shows_store_and_own_scope(org, users, api):
    me = api("waiter", language="en").get("/me").json()
    assert me["role"] == "waiter" and me["row_scope"] == "own"
    assert "org.view" not in me["permissions"] and "guests.view" in me["permissions"]
    assert me["store"] == org["store"].pk and me["brand"] == org["brand"].pk
    assert me["staff"] == users["waiter"].staff.pk and me["language"] == "en"


def test_api_follows_the_users_saved_language_without_accept_language(users, api):
    users["desk"].language = "en"
    users["desk"].save(update_fields=["language"])
    desk = api("desk")
    assert desk.get("/me").json()["language"] == "en"
    missing = desk.post("/stores", {})
    assert missing.json()["fields"]["name"] == ["This field is required."]


# --- The audit log ---------------------------------------------------------------------------
def audit(client, **query):
    return client.get(f"/audit?{urlencode(query)}")


def test_audit_search_finds_an_api_write_by_actor_action_and_object(org, api):
    hq = api()
    store = hq.post(
        "/stores",
        {
            "brand": org["brand"].pk,
            "name": "审计店",
            "code": "audited",
            "city": "长沙",
            "address": "x",
        },
    ).json()
    found = audit(
        hq, actor="t1-hq", action="create", object_type="org.store", object_id=store["id"]
    ).json()
    assert found["count"] == 1
    entry = found["items"][0]
    assert entry["actor"] == "t1-hq" and entry["object_repr"] == "审计店"
    assert entry["changes"]["code"] == "audited" and entry["ip_address"] == "127.0.0.1"
    assert audit(hq, actor="t1-waiter", object_id=store["id"]).json()["count"] == 0


def test_audit_search_by_time_window(org, api):
    hq = api()
    entries = AuditEntry.objects.filter(tenant=org["tenant"])
    first, last = entries.order_by("seq").first(), entries.order_by("seq").last()
    everything = audit(
        hq,
        since=first.created_at.isoformat(),
        until=(last.created_at + dt.timedelta(seconds=1)).isoformat(),
    ).json()
    assert everything["count"] == entries.count()
    later = audit(hq, since=(last.created_at + dt.timedelta(seconds=1)).isoformat()).json()
    assert later == {"count": 0, "items": []}
    earlier = audit(hq, until=first.created_at.isoformat()).json()
    assert earlier["count"] == 0
    in_shanghai = first.created_at.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert audit(hq, since=in_shanghai.isoformat()).json()["count"] == everything["count"]


def test_audit_times_must_carry_their_offset(org, api):
    hq = api(language="en")
    naive = assert_problem(audit(hq, since="2025-01-01T09:00:00"), 400, "invalid_input")
    assert list(naive["fields"]) == ["since"]
    garbage = assert_problem(audit(hq, until="yesterday"), 400, "invalid_input")
    assert garbage["fields"]["until"] == ["Enter a valid date and time."]


def test_audit_pages_newest_first(org, hq, api):
    for n in range(60):
        audit_record(action="export", actor=hq, object_type="test.export", object_id=str(n))
    total = AuditEntry.objects.filter(tenant=org["tenant"]).count()
    hq = api()
    first = audit(hq, limit=5).json()
    second = audit(hq, limit=5, offset=5).json()
    assert first["count"] == second["count"] >= total
    seqs = [e["seq"] for e in first["items"] + second["items"]]
    assert seqs == sorted(seqs, reverse=True) and len(set(seqs)) == 10
    assert len(audit(hq).json()["items"]) == 50
    assert len(audit(hq, limit=200).json()["items"]) == first["count"] > 60


@pytest.mark.parametrize(
    ("query", "field"),
    [({"limit": 201}, "limit"), ({"limit": 0}, "limit"), ({"offset": -1}, "offset")],
)
def test_audit_page_size_is_bounded(org, api, query, field):
    body = assert_problem(audit(api(language="en"), **query), 400, "invalid_input")
    assert list(body["fields"]) == [field]


def test_audit_never_shows_another_tenants_entries(org, other_org, api):
    items = audit(api(), limit=200).json()["items"]
    assert items and {e["object_repr"] for e in items}.isdisjoint({"别家集团一店", "别家集团二店"})
    ours = set(AuditEntry.objects.filter(tenant=org["tenant"]).values_list("pk", flat=True))
    assert {e["id"] for e in items} <= ours


def test_audit_search_needs_its_permission_and_the_denial_is_audited(org, users, api):
    assert_problem(audit(api("manager")), 403, "permission_denied")
    entry = AuditEntry.objects.filter(action="permission_denied").latest("seq")
    assert entry.actor == users["manager"] and entry.object_id == "core.view_audit"


def test_audit_selector_is_empty_for_users_without_the_permission(org, users, hq):
    assert audit_search(user=users["manager"]).count() == 0
    assert audit_search(user=hq, action="create", object_type="org.store").count() == 2


# --- The OpenAPI document --------------------------------------------------------------------
def test_openapi_lists_every_path(db):
    spec = Client().get("/api/v1/openapi.json").json()
    expected = {
        "/api/v1/me",
        "/api/v1/audit",
        "/api/v1/brands",
        "/api/v1/brands/{brand_id}",
        "/api/v1/stores",
        "/api/v1/stores/{store_id}",
        "/api/v1/org-units",
        "/api/v1/org-units/{unit_id}",
        "/api/v1/staff",
        "/api/v1/staff/{staff_id}",
        "/api/v1/roles",
        "/api/v1/roles/{role_id}",
        "/api/v1/roles/{role_id}/field-visibility/{resource}",
        "/api/v1/permissions",
    }
    assert expected <= set(spec["paths"])
    assert set(spec["paths"]["/api/v1/stores"]) == {"get", "post"}
    assert set(spec["paths"]["/api/v1/roles/{role_id}"]) == {"get", "patch", "delete"}


def test_openapi_docs_page_answers(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200 and b"openapi.json" in response.content


def test_unknown_api_paths_answer_in_the_problem_shape(client, db):
    response = client.get("/api/v1/no-such-thing", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Not found.", "fields": {}}
