"""The recruitment API: targets (list, create, update, delete) and progress; bad input in the
one problem shape, nothing written."""

from __future__ import annotations

from huike.core.testing import ApiClient, assert_problem
from huike.guests.services import guest_create
from huike.loyalty import services as loyalty
from huike.org.models import Staff
from huike.recruitment.models import RecruitmentTarget


def test_targets_create_list_update_delete(org, api, users):
    cashier = Staff.objects.get(user=users["cashier"])
    manager = api("manager")
    made = manager.post(
        "/recruitment/targets",
        {
            "store": org["store"].pk,
            "period_start": "2026-05-01",
            "period_end": "2026-05-31",
            "target": 20,
        },
    )
    assert made.status_code == 201, made.json()
    staff = manager.post(
        "/recruitment/targets",
        {
            "store": org["store"].pk,
            "staff": cashier.pk,
            "period_start": "2026-05-01",
            "period_end": "2026-05-31",
            "target": 5,
        },
    )
    assert staff.status_code == 201 and staff.json()["staff"] == cashier.pk
    listed = manager.get("/recruitment/targets?period=2026-05").json()
    assert {t["id"] for t in listed} == {made.json()["id"], staff.json()["id"]}
    assert manager.get("/recruitment/targets?period=2026-06").json() == []
    changed = manager.patch(f"/recruitment/targets/{made.json()['id']}", {"target": 25})
    assert changed.status_code == 200 and changed.json()["target"] == 25
    gone = manager.delete(f"/recruitment/targets/{staff.json()['id']}")
    assert gone.status_code == 204
    assert RecruitmentTarget.objects.count() == 1


def test_bad_targets_are_problems(org, api):
    hq = api(language="en")
    base = {
        "store": org["store"].pk,
        "period_start": "2026-05-01",
        "period_end": "2026-05-31",
        "target": 20,
    }
    assert_problem(
        hq.post("/recruitment/targets", {**base, "target": 0}),
        400,
        "invalid_input",
        fields=["target"],
    )
    assert_problem(
        hq.post("/recruitment/targets", {**base, "period_end": "2026-04-01"}),
        400,
        "invalid_input",
        fields=["period_end"],
    )
    assert hq.post("/recruitment/targets", base).status_code == 201
    overlap = hq.post(
        "/recruitment/targets", {**base, "period_start": "2026-05-15", "period_end": "2026-06-15"}
    )
    assert_problem(overlap, 400, "target_overlaps", fields=["period_start"])
    other_store = api("manager").post("/recruitment/targets", {**base, "store": org["store2"].pk})
    assert_problem(other_store, 400, "invalid_input", fields=["store"])
    assert_problem(api("cashier").post("/recruitment/targets", base), 403, "permission_denied")
    assert RecruitmentTarget.objects.count() == 1


def test_another_tenants_target_is_not_found(org, other_org, api):
    made = (
        api()
        .post(
            "/recruitment/targets",
            {
                "store": org["store"].pk,
                "period_start": "2026-05-01",
                "period_end": "2026-05-31",
                "target": 20,
            },
        )
        .json()
    )
    outsider = ApiClient(other_org["users"]["hq"])
    assert_problem(
        outsider.patch(f"/recruitment/targets/{made['id']}", {"target": 1}), 404, "not_found"
    )
    assert_problem(outsider.delete(f"/recruitment/targets/{made['id']}"), 404, "not_found")
    assert RecruitmentTarget.objects.get().target == 20


def test_progress_of_this_month(org, api, users, hq):
    from huike.core.timeutils import local_today

    today = local_today()
    first = today.replace(day=1)
    api().post(
        "/recruitment/targets",
        {
            "store": org["store"].pk,
            "period_start": first.isoformat(),
            "period_end": today.isoformat(),
            "target": 4,
        },
    )
    guest = guest_create(acting_user=hq, name="新会员", primary_phone="13700001111")
    loyalty.card_issue(acting_user=users["cashier"], guest=guest, store=org["store"])
    body = api("manager").get("/recruitment/progress").json()
    assert [s["store"] for s in body] == [org["store"].pk]
    (store,) = body
    assert store["cards"] == 1 and store["targets"][0]["percent"] == 25
    assert store["targets"][0]["days_left"] == 1
    top = store["ranking"][0]
    assert top["cards"] == 1 and top["staff"] == Staff.objects.get(user=users["cashier"]).pk
    every = api().get(f"/recruitment/progress?store={org['store2'].pk}&period=2026-05").json()
    assert [s["cards"] for s in every] == [0]
    assert_problem(
        api().get("/recruitment/progress?period=May"), 400, "invalid_input", fields=["period"]
    )
    assert_problem(
        api("manager").get(f"/recruitment/progress?store={org['store2'].pk}"), 404, "not_found"
    )
