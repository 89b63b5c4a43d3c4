"""POST /api/v1/orders: idempotent on the POS's own number, also under simultaneous requests
on a live server; refunds, corrections, list and detail."""

from decimal import Decimal

import pytest

from huike.core.api_auth import api_key_create
from huike.core.audit import verify_all_chains
from huike.core.testing import assert_problem, fire_requests
from huike.guests.models import Guest
from huike.guests.services import guest_create
from huike.orders.models import GuestDishTally, GuestPlaceTally, Order

from .factories import hours_ago, make_menu, order_body


def test_posting_an_order_answers_201_with_the_order(org, api, menu):
    response = api().post("/orders", order_body(org["store"]))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["pos_order_id"] == "P-0001" and body["total"] == "286.00"
    assert [line["dish_code"] for line in body["lines"]] == ["D001", "D002", "D003"]
    assert body["guest"] == Guest.objects.get().pk
    assert "Idempotent-Replayed" not in response.headers


def test_the_store_can_be_named_by_its_code(org, api, menu):
    body = order_body(org["store"])
    del body["store"]
    body["store_code"] = org["store"].code
    assert api().post("/orders", body).status_code == 201
    body["store_code"] = "nowhere"
    assert_problem(api().post("/orders", body), 400, "invalid_input", ["store_code"])


def test_the_same_body_twice_is_stored_once_and_replayed(org, api, menu):
    hq = api()
    first = hq.post("/orders", order_body(org["store"]))
    again = hq.post("/orders", order_body(org["store"]))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1 and Guest.objects.get().visit_count == 1


def test_the_same_number_with_another_body_is_409_duplicate_order(org, api, menu):
    hq = api(language="en")
    hq.post("/orders", order_body(org["store"]))
    other = hq.post("/orders", order_body(org["store"], table_label="兰花厅"))
    problem = assert_problem(other, 409, "duplicate_order", ["pos_order_id"])
    assert problem["message"] == (
        "Order P-0001 of this store was already posted with other content. "
        "Post a correction or a refund to change it."
    )
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lines": [{"dish_code": "NOPE", "qty": 1}]}, "lines.0.dish_code"),
        ({"lines": [{"dish_code": "D001", "qty": -1}]}, "lines.0.qty"),
        ({"total": "999.00"}, "total"),
        ({"payments": [{"method": "cash", "amount": "1.00"}]}, "payments"),
        ({"closed_at": "2026-05-01T12:00:00"}, "closed_at"),
        ({"guest_phone": "not a phone"}, "guest_phone"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_orders_get_a_problem_body_and_nothing_is_written(org, api, menu, changes, field):
    response = api().post("/orders", order_body(org["store"], **changes))
    assert_problem(response, 400, "invalid_input", [field])
    assert Order.objects.count() == 0 and Guest.objects.count() == 0


def test_another_tenants_store_is_refused(org, other_org, api, menu):
    response = api().post("/orders", order_body(org["store"], store=other_org["store"].pk))
    assert_problem(response, 400, "invalid_input", ["store"])


def test_a_waiter_may_not_post_and_a_cashier_may_without_seeing_the_list(org, api, menu):
    assert_problem(
        api("waiter").post("/orders", order_body(org["store"])), 403, "permission_denied"
    )
    cashier = api("cashier")
    assert cashier.post("/orders", order_body(org["store"])).status_code == 201
    assert_problem(cashier.get("/orders"), 403, "permission_denied")


def test_refund_and_correction_calls(org, api, menu):
    hq = api()
    order_id = hq.post("/orders", order_body(org["store"])).json()["id"]
    refund = hq.post(
        f"/orders/{order_id}/refund",
        {"pos_order_id": "R-1", "lines": [{"line": 3, "qty": 2}]},
    )
    assert refund.status_code == 201, refund.json()
    assert refund.json()["kind"] == "refund" and refund.json()["original"] == order_id
    again = hq.post(
        f"/orders/{order_id}/refund",
        {"pos_order_id": "R-1", "lines": [{"line": 3, "qty": 2}]},
    )
    assert again.status_code == 200 and again.json()["id"] == refund.json()["id"]
    spend_after_refund = Guest.objects.get().total_spend
    assert spend_after_refund == Decimal("286.00") - Decimal(refund.json()["total"])
    correction = hq.post(
        f"/orders/{order_id}/correction",
        {
            "pos_order_id": "C-1",
            "closed_at": hours_ago(1).isoformat(),
            "guest_phone": "13812345678",
            "lines": [{"dish_code": "D002", "qty": 1}],
            "payments": [{"method": "cash", "amount": "68"}],
        },
    )
    assert correction.status_code == 201, correction.json()
    guest = Guest.objects.get()
    assert (guest.visit_count, guest.total_spend) == (1, Decimal("68.00"))
    assert hq.get(f"/orders/{order_id}").json()["status"] == "superseded"
    assert_problem(
        hq.post(f"/orders/{order_id}/refund", {"pos_order_id": "R-2"}), 409, "order_superseded"
    )
    assert_problem(hq.post("/orders/999999/refund", {"pos_order_id": "R-3"}), 404, "not_found")


def test_list_filters_and_detail(org, api, menu):
    hq = api()
    hq.post("/orders", order_body(org["store"]))
    hq.post("/orders", order_body(org["store2"], pos_order_id="P-2", guest_phone="13900002222"))
    everything = hq.get("/orders").json()
    assert everything["count"] == 2
    only_store2 = hq.get(f"/orders?store={org['store2'].pk}").json()
    assert [o["pos_order_id"] for o in only_store2["items"]] == ["P-2"]
    guest = Guest.objects.get(primary_phone="+8613812345678")
    assert hq.get(f"/orders?guest={guest.pk}").json()["count"] == 1
    future = hq.get("/orders", headers={}).json()
    assert future["count"] == 2
    assert hq.get("/orders?since=2000-01-01T00:00:00%2B08:00&limit=1").json()["count"] == 2
    assert len(hq.get("/orders?limit=1").json()["items"]) == 1
    manager = api("manager")  # store scope: the first store only
    assert manager.get("/orders").json()["count"] == 1
    detail = hq.get(f"/orders/{only_store2['items'][0]['id']}")
    assert detail.status_code == 200 and detail.json()["lines"][0]["dish_code"] == "D001"
    assert_problem(manager.get(f"/orders/{only_store2['items'][0]['id']}"), 404, "not_found")


# --- Real concurrent requests against the live server ----------------------------------------
def _live(live_server, user, bodies: list[dict]):
    _, key = api_key_create(user=user, name="pos")
    return fire_requests(
        f"{live_server.url}/api/v1",
        [
            {
                "method": "POST",
                "path": "/orders",
                "json": body,
                "headers": {"Authorization": f"Bearer {key}"},
            }
            for body in bodies
        ],
    )


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_identical_posts_store_one_order(live_org, live_server):
    make_menu()
    responses = _live(live_server, live_org["users"]["hq"], [order_body(live_org["store"])] * 10)
    assert all(r.status_code in (200, 201) for r in responses), [r.json() for r in responses]
    assert [r.status_code for r in responses].count(201) == 1
    assert len({r.json()["id"] for r in responses}) == 1
    assert Order.objects.count() == 1
    guest = Guest.objects.get()
    assert (guest.visit_count, guest.total_spend) == (1, Decimal("286.00"))
    assert verify_all_chains()[1] == []


@pytest.mark.parametrize("known_guest", [False, True])
@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_orders_of_one_guest_lose_no_update(live_org, live_server, known_guest):
    make_menu()
    if known_guest:
        guest_create(
            acting_user=live_org["users"]["hq"], name="王先生", primary_phone="13812345678"
        )
    bodies = [
        order_body(
            live_org["store"],
            pos_order_id=f"P-{i}",
            closed_at=hours_ago(i + 1),
            lines=[{"dish_code": "D002", "qty": str(i + 1)}],
            discount="0",
            service_charge="0",
            payments=[{"method": "wechat", "amount": str(68 * (i + 1))}],
        )
        for i in range(10)
    ]
    responses = _live(live_server, live_org["users"]["cashier"], bodies)
    assert [r.status_code for r in responses] == [201] * 10, [r.json() for r in responses]
    guest = Guest.objects.get()
    assert guest.visit_count == 10
    assert guest.total_spend == Decimal(68 * 55)
    assert guest.first_visit_at == Order.objects.order_by("closed_at").first().closed_at
    assert guest.last_visit_at == Order.objects.order_by("closed_at").last().closed_at

    tally = GuestDishTally.objects.get(guest=guest)
    assert (tally.times_ordered, tally.qty) == (10, Decimal(55))
    assert GuestPlaceTally.objects.get(guest=guest).visits == 10
    assert verify_all_chains()[1] == []


@pytest.mark.django_db(transaction=True)
def test_simultaneous_repeats_of_a_whole_refund_refund_once(live_org, live_server):
    make_menu()
    user = live_org["users"]["hq"]
    order_id = _live(live_server, user, [order_body(live_org["store"])])[0].json()["id"]
    _, key = api_key_create(user=user, name="pos-refund")
    responses = fire_requests(
        f"{live_server.url}/api/v1",
        [
            {
                "method": "POST",
                "path": f"/orders/{order_id}/refund",
                "json": {"pos_order_id": "R-ALL"},
                "headers": {"Authorization": f"Bearer {key}"},
            }
        ]
        * 6,
    )
    assert sorted(r.status_code for r in responses) == [200] * 5 + [201], [
        r.json() for r in responses
    ]
    assert len({r.json()["id"] for r in responses}) == 1
    guest = Guest.objects.get()
    assert (guest.visit_count, guest.total_spend) == (0, Decimal("0.00"))
    assert Order.objects.filter(kind="refund").count() == 1
