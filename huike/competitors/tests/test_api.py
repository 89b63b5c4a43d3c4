"""The competitors API: records, notes, dishes, the comparison; bad input and tenancy."""

import pytest

from huike.competitors.models import Competitor, CompetitorDish, CompetitorNote
from huike.core.models import AuditEntry
from huike.core.tenancy import tenant_context
from huike.core.testing import assert_problem
from huike.menu.tests.factories import category, dish

from .factories import competitor, competitor_dish


@pytest.fixture
def ours(hq):
    return dish(hq, category(hq), "D001", "辣椒炒肉", price_regular="48.00", price_hall="42.00")


def test_create_get_patch_list(org, api):
    hq = api()
    created = hq.post(
        "/competitors",
        {"name": "费大厨", "cuisine": "湘菜", "city": "长沙", "average_spend": "85.5"},
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["average_spend"] == "85.50" and body["kind"] == "competitor"
    got = hq.get(f"/competitors/{body['id']}").json()
    assert got == body
    patched = hq.patch(f"/competitors/{body['id']}", {"kind": "partner", "average_spend": None})
    assert patched.status_code == 200, patched.json()
    assert patched.json()["kind"] == "partner" and patched.json()["average_spend"] is None
    assert [c["name"] for c in hq.get("/competitors?kind=partner").json()] == ["费大厨"]
    assert hq.get("/competitors?kind=competitor").json() == []


def test_create_is_idempotent(org, api):
    hq = api()
    first = hq.post("/competitors", {"name": "炊烟"}, headers={"Idempotency-Key": "k1"})
    again = hq.post("/competitors", {"name": "炊烟"}, headers={"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Competitor.objects.count() == 1


@pytest.mark.parametrize(
    "body,field",
    [
        ({"name": "x" * 81}, "name"),
        ({"name": ""}, "name"),
        ({"name": "a", "average_spend": "-5"}, "average_spend"),
        ({"name": "a", "average_spend": "1.234"}, "average_spend"),
        ({"name": "a", "address": "x" * 201}, "address"),
        ({"name": "a", "notes": "x" * 2001}, "notes"),
        ({"name": "a", "website": "ftp//nope"}, "website"),
        ({"name": "a", "kind": "enemy"}, "kind"),
        ({"name": "a", "tenant": 2}, "tenant"),
    ],
)
def test_create_refuses_bad_input(org, api, body, field):
    assert_problem(api().post("/competitors", body), 400, "invalid_input", {field})
    assert not Competitor.objects.exists()


def test_notes(org, api, hq):
    rival = competitor(hq)
    client = api("marketing")
    added = client.post(f"/competitors/{rival.pk}/notes", {"text": "推出 68 元套餐"})
    assert added.status_code == 201, added.json()
    assert added.json()["author"] == "t1-marketing" and added.json()["created_at"]
    listed = client.get(f"/competitors/{rival.pk}/notes").json()
    assert [n["text"] for n in listed] == ["推出 68 元套餐"]
    assert_problem(
        client.post(f"/competitors/{rival.pk}/notes", {"text": "x" * 2001}),
        400,
        "invalid_input",
        {"text"},
    )


def test_dishes(org, api, hq, ours):
    rival = competitor(hq)
    client = api()
    body = {"name": "农家小炒肉", "price": "58", "observed_at": "2026-11-01", "our_dish": ours.pk}
    added = client.post(f"/competitors/{rival.pk}/dishes", body)
    assert added.status_code == 201, added.json()
    theirs = added.json()
    assert theirs["price"] == "58.00" and theirs["our_dish"] == ours.pk
    assert theirs["competitor"] == rival.pk
    patched = client.patch(f"/competitors/{rival.pk}/dishes/{theirs['id']}", {"price": "60.5"})
    assert patched.status_code == 200 and patched.json()["price"] == "60.50"
    assert [d["name"] for d in client.get(f"/competitors/{rival.pk}/dishes").json()] == [
        "农家小炒肉"
    ]
    assert client.delete(f"/competitors/{rival.pk}/dishes/{theirs['id']}").status_code == 204
    assert not CompetitorDish.objects.exists()


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"price": "-0.01"}, "price"),
        ({"price": "abc"}, "price"),
        ({"name": "x" * 81}, "name"),
        ({"category": "x" * 41}, "category"),
        ({"observed_at": "2026-13-01"}, "observed_at"),
        ({"our_dish": 999999}, "our_dish"),
    ],
)
def test_dish_refuses_bad_input(org, api, hq, changes, field):
    rival = competitor(hq)
    body = {"name": "小炒肉", "price": "58", "observed_at": "2026-11-01", **changes}
    assert_problem(
        api().post(f"/competitors/{rival.pk}/dishes", body), 400, "invalid_input", {field}
    )
    assert not CompetitorDish.objects.exists()


def test_another_tenants_dish_is_a_field_error(org, api, hq, other_org):
    with tenant_context(other_org["tenant"]):
        other_hq = other_org["users"]["hq"]
        foreign = dish(other_hq, category(other_hq), "F001", "外家菜")
    rival = competitor(hq)
    body = {"name": "小炒肉", "price": "58", "observed_at": "2026-11-01", "our_dish": foreign.pk}
    problem = assert_problem(
        api().post(f"/competitors/{rival.pk}/dishes", body), 400, "invalid_input", {"our_dish"}
    )
    assert set(problem["fields"]) == {"our_dish"}
    theirs = competitor_dish(hq, rival)
    assert_problem(
        api().patch(f"/competitors/{rival.pk}/dishes/{theirs.pk}", {"our_dish": foreign.pk}),
        400,
        "invalid_input",
        {"our_dish"},
    )
    assert CompetitorDish.objects.get().our_dish_id is None


def test_another_tenants_competitor_is_not_found(org, api, hq, other_org):
    with tenant_context(other_org["tenant"]):
        foreign = competitor(other_org["users"]["hq"], "别家对手")
        foreign_dish = competitor_dish(other_org["users"]["hq"], foreign)
    mine = competitor(hq)
    client = api()
    assert_problem(client.get(f"/competitors/{foreign.pk}"), 404, "not_found")
    assert_problem(client.patch(f"/competitors/{foreign.pk}", {"name": "x"}), 404, "not_found")
    assert_problem(client.get(f"/competitors/{foreign.pk}/notes"), 404, "not_found")
    assert_problem(client.post(f"/competitors/{foreign.pk}/notes", {"text": "x"}), 404, "not_found")
    assert_problem(
        client.post(
            f"/competitors/{foreign.pk}/dishes",
            {"name": "x", "price": "1", "observed_at": "2026-11-01"},
        ),
        404,
        "not_found",
    )
    # Another tenant's dish under my competitor's URL is not found either.
    assert_problem(
        client.delete(f"/competitors/{mine.pk}/dishes/{foreign_dish.pk}"), 404, "not_found"
    )
    assert [c["id"] for c in client.get("/competitors").json()] == [mine.pk]
    with tenant_context(other_org["tenant"]):
        assert Competitor.objects.get().name == "别家对手"
        assert CompetitorDish.objects.count() == 1


def test_comparison(org, api, hq, ours):
    fei = competitor(hq, "费大厨")
    yan = competitor(hq, "炊烟")
    competitor_dish(hq, fei, price="58.00", our_dish=ours)
    competitor_dish(hq, yan, price="39.90", our_dish=ours)
    body = api("manager").get("/competitors/comparison").json()
    assert body["tier"] == "regular"
    [row] = body["rows"]
    assert (row["code"], row["our_price"], row["price_regular"], row["price_hall"]) == (
        "D001",
        "48.00",
        "48.00",
        "42.00",
    )
    assert [
        (e["competitor_name"], e["price"], e["difference"], e["percent"]) for e in row["entries"]
    ] == [
        ("炊烟", "39.90", "-8.10", "-16.9"),
        ("费大厨", "58.00", "10.00", "20.8"),
    ]
    hall = api().get("/competitors/comparison?tier=hall").json()
    assert [(e["difference"], e["percent"]) for e in hall["rows"][0]["entries"]] == [
        ("-2.10", "-5.0"),
        ("16.00", "38.1"),
    ]
    assert_problem(
        api().get("/competitors/comparison?tier=vip_room"), 400, "invalid_input", {"tier"}
    )


def test_waiter_refused_and_audited(org, api, hq):
    rival = competitor(hq)
    waiter = api("waiter")
    assert_problem(waiter.get("/competitors"), 403, "permission_denied")
    assert_problem(waiter.get("/competitors/comparison"), 403, "permission_denied")
    assert_problem(waiter.get(f"/competitors/{rival.pk}"), 403, "permission_denied")
    denials = AuditEntry.objects.filter(
        action=AuditEntry.Action.PERMISSION_DENIED, object_id="competitors.view"
    )
    assert denials.count() == 3


def test_manager_reads_but_may_not_write(org, api, hq):
    rival = competitor(hq)
    manager = api("manager")
    assert manager.get(f"/competitors/{rival.pk}").status_code == 200
    assert_problem(manager.post("/competitors", {"name": "x"}), 403, "permission_denied")
    assert_problem(
        manager.post(f"/competitors/{rival.pk}/notes", {"text": "x"}), 403, "permission_denied"
    )
    assert not CompetitorNote.objects.exists()
    denial = AuditEntry.objects.filter(action=AuditEntry.Action.PERMISSION_DENIED).latest("seq")
    assert denial.object_id == "competitors.manage"
    assert denial.actor == org["users"]["manager"]
