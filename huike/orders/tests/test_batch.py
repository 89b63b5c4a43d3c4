"""Posting orders in a batch (``orders_post_batch``, POST /api/v1/orders/batch): each order is
checked, made idempotent and counted exactly as ``order_post`` would, a bad order fails alone,
and simultaneous batches store every order once."""

import datetime as dt
from decimal import Decimal

import pytest

from huike.core import errors
from huike.core.api_auth import api_key_create
from huike.core.audit import verify_all_chains
from huike.core.models import AuditEntry
from huike.core.phone import normalise_phone
from huike.core.testing import fire_requests
from huike.guests.models import Guest, GuestTag, GuestTagging
from huike.orders import imports
from huike.orders.models import GuestDishTally, GuestPlaceTally, Order, OrderLine, OrderPayment
from huike.orders.services import (
    CREATED,
    ERROR,
    REPLAYED,
    DuplicateOrder,
    order_post,
    orders_post_batch,
)

from .factories import hours_ago, make_menu, order_args, order_body


def _orders(at_store, n: int, *, phone=lambda i: f"1381234{i % 3:04d}", **changes) -> list[dict]:
    """``n`` orders of three guests, each at its own time, table and quantities."""
    return [
        order_args(
            at_store,
            pos_order_id=f"B-{i}",
            closed_at=hours_ago(2 + (i * 5) % 7 + i / 100),  # not in the order of posting
            guest_phone=phone(i),
            table_label=f"A{i % 2}",
            lines=[
                {"dish_code": "D001", "qty": "1"},
                {"dish_code": "D002", "qty": str(i + 1)},
                {"dish_code": "D001", "qty": "1"},
            ],
            discount="0",
            service_charge="0",
            payments=[{"method": "cash", "amount": str(256 + 68 * (i + 1))}],
            **changes,
        )
        for i in range(n)
    ]


def _history(phone: str) -> dict:
    """Everything posting derives for the guest of ``phone``."""
    guest = Guest.objects.get(primary_phone=normalise_phone(phone))
    return {
        "visits": guest.visit_count,
        "spend": guest.total_spend,
        "first": guest.first_visit_at,
        "last": guest.last_visit_at,
        "dishes": sorted(
            (t.dish_id, t.times_ordered, t.qty, t.last_ordered_at)
            for t in GuestDishTally.objects.filter(guest=guest)
        ),
        "places": sorted(
            (t.store_id, t.table_label, t.visits)
            for t in GuestPlaceTally.objects.filter(guest=guest)
        ),
    }


# --- The service -----------------------------------------------------------------------------
def test_a_batch_gives_each_guest_the_history_of_posting_one_by_one(org, hq, menu):
    batch = _orders(org["store"], 7, phone=lambda i: f"1381234{i % 3:04d}")
    single = _orders(org["store2"], 7, phone=lambda i: f"1391234{i % 3:04d}")
    single = [{**o, "pos_order_id": f"S-{n}"} for n, o in enumerate(single)]
    results = orders_post_batch(acting_user=hq, orders=batch)
    assert [r.status for r in results] == [CREATED] * 7
    for args in single:
        order_post(acting_user=hq, **args)
    for k in range(3):
        in_batch, one_by_one = _history(f"1381234{k:04d}"), _history(f"1391234{k:04d}")
        # the same history, but at the other store
        stores = {org["store"].pk: org["store2"].pk}
        in_batch["places"] = [(stores[s], t, v) for s, t, v in in_batch["places"]]
        assert in_batch == one_by_one
    first = _history("+8613812340000")
    assert first["visits"] == 3 and first["spend"] == Decimal(3 * 256 + 68 * (1 + 4 + 7))
    # one order per dish per visit; the quantities add up
    assert [(times, qty) for _d, times, qty, _at in first["dishes"]] == [
        (3, Decimal(6)),
        (3, Decimal(12)),
    ]
    assert Guest.objects.count() == 6
    assert verify_all_chains()[1] == []


def test_the_orders_of_a_batch_are_stored_with_their_lines_payments_and_audit(org, hq, menu):
    results = orders_post_batch(acting_user=hq, orders=_orders(org["store"], 4))
    orders = [r.order for r in results]
    assert [o.pos_order_id for o in orders] == ["B-0", "B-1", "B-2", "B-3"]
    assert all(o.pk and not o.replayed and o.source == "api" for o in orders)
    stored = Order.objects.get(pk=orders[1].pk)
    assert stored.guest.primary_phone == "+8613812340001" and stored.visit_counted
    assert stored.total == Decimal(256 + 136)
    assert list(stored.lines.values_list("line_no", "dish_code", "qty")) == [
        (1, "D001", Decimal(1)),
        (2, "D002", Decimal(2)),
        (3, "D001", Decimal(1)),
    ]
    assert list(stored.payments.values_list("method", "amount")) == [("cash", Decimal(392))]
    entries = AuditEntry.objects.filter(object_type="orders.order").order_by("seq")
    assert [e.object_repr for e in entries] == ["B-0", "B-1", "B-2", "B-3"]
    assert entries[1].changes["guest_now"] == {"visit_count": 1, "total_spend": "392.00"}
    assert entries[3].changes["guest_now"] == {"visit_count": 2, "total_spend": "852.00"}
    # the three new guests were created, audited, before their orders
    guests = AuditEntry.objects.filter(object_type="guests.guest", action="create")
    assert guests.count() == 3
    assert max(g.seq for g in guests) < min(e.seq for e in entries)
    assert verify_all_chains()[1] == []


def test_a_bad_order_fails_alone_with_the_message_of_a_single_post(org, hq, menu):
    orders = _orders(org["store"], 3)
    orders[1]["lines"] = [{"dish_code": "NOPE", "qty": "1"}]
    with pytest.raises(errors.InvalidInput) as single:
        order_post(acting_user=hq, **{**orders[1], "pos_order_id": "X"})
    results = orders_post_batch(acting_user=hq, orders=orders)
    assert [r.status for r in results] == [CREATED, ERROR, CREATED]
    assert results[1].order is None
    assert results[1].error.code == "invalid_input"
    assert results[1].error.fields == single.value.fields
    assert "lines.0.dish_code" in results[1].error.fields
    assert set(Order.objects.values_list("pos_order_id", flat=True)) == {"B-0", "B-2"}
    assert OrderLine.objects.count() == 6 and OrderPayment.objects.count() == 2
    # the failed order's guest (a phone not used by the others) was not created
    assert not Guest.objects.filter(primary_phone="+8613812340001").exists()


def test_a_batch_replays_what_is_stored_and_refuses_other_content(org, hq, menu):
    orders = _orders(org["store"], 3)
    first = orders_post_batch(acting_user=hq, orders=orders[:2])
    again = orders[:2] + [orders[2]]
    again[1] = {**again[1], "table_label": "兰花厅"}
    results = orders_post_batch(acting_user=hq, orders=again)
    assert [r.status for r in results] == [REPLAYED, ERROR, CREATED]
    assert results[0].order.pk == first[0].order.pk and results[0].order.replayed
    assert isinstance(results[1].error, DuplicateOrder)
    assert results[1].error.code == "duplicate_order"
    assert list(results[1].error.fields) == ["pos_order_id"]
    assert Order.objects.count() == 3
    guest = Guest.objects.get(primary_phone="+8613812340000")
    assert guest.visit_count == 1  # the replay counted nothing


def test_the_same_number_twice_in_one_batch_is_one_order(org, hq, menu):
    [order] = _orders(org["store"], 1)
    other = {**order, "party_size": 9}
    results = orders_post_batch(acting_user=hq, orders=[order, order, other])
    assert [r.status for r in results] == [CREATED, REPLAYED, ERROR]
    assert results[1].order.pk == results[0].order.pk
    assert not results[0].order.replayed and results[1].order.replayed
    assert results[2].error.code == "duplicate_order"
    assert Order.objects.count() == 1
    assert Guest.objects.get().visit_count == 1


def test_the_same_order_posted_singly_is_replayed_by_a_batch_and_back(org, hq, menu):
    orders = _orders(org["store"], 2)
    single = order_post(acting_user=hq, **orders[0])
    results = orders_post_batch(acting_user=hq, orders=orders)
    assert [r.status for r in results] == [REPLAYED, CREATED]
    assert results[0].order.pk == single.pk
    assert order_post(acting_user=hq, **orders[1]).replayed


def test_a_batch_needs_the_permission_and_only_sees_the_users_stores(org, users, menu):
    with pytest.raises(errors.PermissionDenied):
        orders_post_batch(acting_user=users["waiter"], orders=_orders(org["store"], 1))
    orders = _orders(org["store"], 1) + [
        {**o, "pos_order_id": "B-9"} for o in _orders(org["store2"], 1)
    ]
    results = orders_post_batch(acting_user=users["cashier"], orders=orders)
    assert [r.status for r in results] == [CREATED, ERROR]
    assert list(results[1].error.fields) == ["store"]


def test_a_batch_is_limited_in_size(org, hq, menu):
    with pytest.raises(errors.InvalidInput):
        orders_post_batch(acting_user=hq, orders=[{}] * 501)


def test_a_batch_refreshes_the_auto_tags_of_its_guests(org, hq, menu):
    regular = GuestTag.objects.create(
        name="常客", rule=[{"metric": "visit_count", "op": ">=", "value": 2}]
    )
    orders_post_batch(acting_user=hq, orders=_orders(org["store"], 4))
    tagged = set(GuestTagging.objects.filter(tag=regular).values_list("guest__primary_phone"))
    assert tagged == {("+8613812340000",)}  # the only guest with two orders


def test_guest_tallies_already_there_are_added_to(org, hq, menu):
    orders = _orders(org["store"], 6, phone=lambda i: "13812340000")
    orders_post_batch(acting_user=hq, orders=orders[:2])
    orders_post_batch(acting_user=hq, orders=orders[2:])
    history = _history("+8613812340000")
    assert history["visits"] == 6
    assert [(times, qty) for _d, times, qty, _at in history["dishes"]] == [
        (6, Decimal(12)),
        (6, Decimal(21)),
    ]
    assert history["places"] == [(org["store"].pk, "A0", 3), (org["store"].pk, "A1", 3)]
    assert history["first"] == min(o["closed_at"] for o in orders)
    assert history["last"] == max(o["closed_at"] for o in orders)


# --- The API ---------------------------------------------------------------------------------
def test_the_batch_endpoint_answers_each_orders_result(org, api, menu):
    good = order_body(org["store"], pos_order_id="A-1")
    bad_domain = order_body(org["store"], pos_order_id="A-2", total="1.00")
    bad_schema = order_body(org["store"], pos_order_id="A-3")
    bad_schema["lines"][0]["qty"] = "abc"
    by_code = order_body(org["store"], pos_order_id="A-4")
    del by_code["store"]
    by_code["store_code"] = org["store"].code
    response = api(language="en").post(
        "/orders/batch", {"orders": [good, bad_domain, bad_schema, by_code, good]}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["created"], body["replayed"], body["failed"]) == (2, 1, 2)
    results = body["results"]
    assert [r["status"] for r in results] == ["created", "error", "error", "created", "replayed"]
    assert [r["index"] for r in results] == [0, 1, 2, 3, 4]
    assert [r["pos_order_id"] for r in results] == ["A-1", "A-2", "A-3", "A-4", "A-1"]
    assert results[0]["order"]["total"] == "286.00" and results[0]["error"] is None
    assert results[4]["order"]["id"] == results[0]["order"]["id"]
    assert (
        results[1]["error"]["code"] == "invalid_input" and "total" in results[1]["error"]["fields"]
    )
    assert results[2]["error"]["fields"] == {"lines.0.qty": ["Enter a number."]}
    assert results[2]["order"] is None
    assert Order.objects.count() == 2
    assert Guest.objects.get().visit_count == 2


def test_the_batch_endpoint_gives_the_conflict_of_a_single_post(org, api, menu):
    hq = api(language="en")
    single = hq.post("/orders", order_body(org["store"]))
    assert single.status_code == 201
    other = order_body(org["store"], table_label="兰花厅")
    response = hq.post("/orders/batch", {"orders": [other]})
    alone = hq.post("/orders", other).json()
    [result] = response.json()["results"]
    assert result["status"] == "error" and result["error"] == alone
    assert alone["code"] == "duplicate_order"


def test_the_batch_endpoint_refuses_an_empty_or_oversized_batch_and_no_permission(org, api, menu):
    assert api().post("/orders/batch", {"orders": []}).status_code == 400
    too_many = {"orders": [order_body(org["store"])] * 501}
    assert api().post("/orders/batch", too_many).status_code == 400
    waiter = api("waiter").post("/orders/batch", {"orders": [order_body(org["store"])]})
    assert waiter.status_code == 403
    assert Order.objects.count() == 0


# --- The import ------------------------------------------------------------------------------
def test_the_import_posts_in_batches_and_a_bad_order_fails_alone(org, hq, menu, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    monkeypatch.setattr(imports, "BATCH", 2)
    closed = hours_ago(5).isoformat()
    rows = ["store_code,pos_order_id,closed_at,guest_phone,pay_cash,dish_code,qty"]
    for i in range(5):
        dish = "NOPE" if i == 2 else "D003"
        rows.append(f"{org['store'].code},I-{i},{closed},13812340000,3,{dish},1")
    upload = SimpleUploadedFile("orders.csv", "\n".join(rows).encode())
    report = imports.import_orders(acting_user=hq, upload=upload)
    assert (report.orders_posted, report.orders_rejected) == (4, 1)
    assert [(e.row, e.column) for e in report.errors] == [(4, "dish_code")]
    assert Guest.objects.get().visit_count == 4
    upload.seek(0)
    again = imports.import_orders(acting_user=hq, upload=upload)
    assert (again.orders_posted, again.orders_already_posted) == (0, 4)


# --- Simultaneous batches --------------------------------------------------------------------
def _live_batches(live_server, user, batches: list[list[dict]]):
    _, key = api_key_create(user=user, name="pos")
    return fire_requests(
        f"{live_server.url}/api/v1",
        [
            {
                "method": "POST",
                "path": "/orders/batch",
                "json": {"orders": batch},
                "headers": {"Authorization": f"Bearer {key}"},
            }
            for batch in batches
        ],
    )


@pytest.mark.django_db(transaction=True)
def test_simultaneous_overlapping_batches_store_each_order_once(live_org, live_server):
    make_menu()
    bodies = [
        order_body(
            live_org["store"],
            pos_order_id=f"C-{i}",
            closed_at=hours_ago(i + 1),
            guest_phone=f"1381234{i % 4:04d}",
            lines=[{"dish_code": "D002", "qty": str(i + 1)}],
            discount="0",
            service_charge="0",
            payments=[{"method": "wechat", "amount": str(68 * (i + 1))}],
        )
        for i in range(12)
    ]
    # the same twelve orders, in three orders of sending, and a batch of half of them
    batches = [bodies, bodies[::-1], bodies[6:] + bodies[:6], bodies[::2]]
    responses = _live_batches(live_server, live_org["users"]["cashier"], batches)
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    created = [r.json()["created"] for r in responses]
    assert sum(created) == 12, created
    assert all(r.json()["failed"] == 0 for r in responses)
    ids = {}
    for response in responses:
        for result in response.json()["results"]:
            ids.setdefault(result["pos_order_id"], set()).add(result["order"]["id"])
    assert all(len(found) == 1 for found in ids.values())
    assert Order.objects.count() == 12 and Guest.objects.count() == 4
    for k in range(4):
        guest = Guest.objects.get(primary_phone=f"+86138123400{k:02d}")
        quantities = [i + 1 for i in range(12) if i % 4 == k]
        assert guest.visit_count == 3
        assert guest.total_spend == Decimal(68 * sum(quantities))
        tally = GuestDishTally.objects.get(guest=guest)
        assert (tally.times_ordered, tally.qty) == (3, Decimal(sum(quantities)))
        assert GuestPlaceTally.objects.get(guest=guest).visits == 3
        assert (
            guest.last_visit_at == Order.objects.filter(guest=guest).latest("closed_at").closed_at
        )
    assert verify_all_chains()[1] == []


@pytest.mark.django_db(transaction=True)
def test_simultaneous_identical_batches_and_single_posts_store_once(live_org, live_server):
    make_menu()
    body = order_body(live_org["store"])
    _, key = api_key_create(user=live_org["users"]["hq"], name="pos")
    headers = {"Authorization": f"Bearer {key}"}
    requests = [
        {"method": "POST", "path": "/orders/batch", "json": {"orders": [body]}, "headers": headers}
        for _ in range(4)
    ] + [{"method": "POST", "path": "/orders", "json": body, "headers": headers} for _ in range(4)]
    responses = fire_requests(f"{live_server.url}/api/v1", requests)
    assert all(r.status_code in (200, 201) for r in responses), [r.text for r in responses]
    statuses = [r.json()["results"][0]["status"] for r in responses[:4]]
    statuses += ["created" if r.status_code == 201 else "replayed" for r in responses[4:]]
    assert statuses.count("created") == 1, statuses
    assert Order.objects.count() == 1
    guest = Guest.objects.get()
    assert (guest.visit_count, guest.total_spend) == (1, Decimal("286.00"))
    assert verify_all_chains()[1] == []


def test_posting_to_a_time_in_the_future_fails_alone(org, hq, menu):
    orders = _orders(org["store"], 2)
    orders[0]["closed_at"] = hours_ago(-2)
    orders[0]["opened_at"] = orders[0]["closed_at"] - dt.timedelta(hours=1)
    results = orders_post_batch(acting_user=hq, orders=orders)
    assert [r.status for r in results] == [ERROR, CREATED]
    assert list(results[0].error.fields) == ["closed_at"]


def test_a_batch_costs_the_same_statements_for_5_orders_as_for_20(org, hq, menu):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def orders(prefix: str, n: int) -> list[dict]:
        return [
            order_args(
                org["store"],
                pos_order_id=f"{prefix}-{i}",
                guest_phone=f"1381234{i:04d}",
                lines=[{"dish_code": "D003", "qty": "1"}],
                discount="0",
                service_charge="0",
                payments=[{"method": "cash", "amount": "3"}],
            )
            for i in range(n)
        ]

    orders_post_batch(acting_user=hq, orders=orders("W", 20))  # the guests and their tallies
    counts = []
    for prefix, n in (("F", 5), ("T", 20)):
        with CaptureQueriesContext(connection) as queries:
            results = orders_post_batch(acting_user=hq, orders=orders(prefix, n))
        assert [r.status for r in results] == [CREATED] * n
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert Guest.objects.get(primary_phone="+8613812340003").visit_count == 3
