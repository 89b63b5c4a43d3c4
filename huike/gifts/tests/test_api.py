"""The gifts API: catalogue, redemption with Idempotency-Key, cancellation, history; errors in
the one problem shape, nothing written on any of them."""

from __future__ import annotations

import pytest

from huike.core.testing import ApiClient, assert_problem
from huike.gifts.models import Gift, GiftRedemption
from huike.loyalty.models import LedgerEntry, MembershipCard


def key(k: str) -> dict:
    return {"Idempotency-Key": k}


def test_catalogue_list_create_update_and_stock(org, api, gift):
    created = api("marketing").post(
        "/gifts", {"name": "茶具", "points_cost": 800, "stock": 2, "stores": [org["store"].pk]}
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["stores"] == [org["store"].pk] and body["stock"] == 2
    changed = api("marketing").patch(f"/gifts/{body['id']}", {"points_cost": 700, "active": False})
    assert changed.status_code == 200 and changed.json()["points_cost"] == 700
    assert changed.json()["active"] is False and changed.json()["stock"] == 2
    stocked = api().post(f"/gifts/{body['id']}/stock", {"change": 5, "reason": "到货"})
    assert stocked.status_code == 200 and stocked.json()["stock"] == 7
    listed = api("cashier").get("/gifts?active=true")
    assert [g["name"] for g in listed.json()] == ["保温杯"]
    at_store2 = api("cashier").get(f"/gifts?store={org['store2'].pk}")
    assert [g["name"] for g in at_store2.json()] == ["保温杯"]


def test_bad_catalogue_input_is_a_problem(org, api, gift):
    bad = api(language="en").post("/gifts", {"name": "x", "points_cost": 0, "stock": -1})
    assert_problem(bad, 400, "invalid_input", fields=["points_cost"])
    bad = api(language="en").post("/gifts", {"name": "x", "points_cost": 5, "stock": -1})
    assert_problem(bad, 400, "invalid_input", fields=["stock"])
    bad = api().patch(f"/gifts/{gift.pk}", {"stock": 100})
    assert_problem(bad, 400, "invalid_input", fields=["stock"])
    bad = api().post(f"/gifts/{gift.pk}/stock", {"change": -9, "reason": "盘点"})
    assert_problem(bad, 400, "invalid_input", fields=["change"])
    assert_problem(
        api("cashier").post("/gifts", {"name": "y", "points_cost": 1}), 403, "permission_denied"
    )
    assert Gift.objects.count() == 1 and Gift.objects.get().stock == 5


def test_redeem_with_an_idempotency_key_replays(org, api, card, gift):
    cashier = api("cashier")
    payload = {"card": card.pk, "qty": 2, "store": org["store"].pk}
    first = cashier.post(f"/gifts/{gift.pk}/redeem", payload, headers=key("r1"))
    assert first.status_code == 201, first.json()
    assert first.json()["points"] == 600 and first.json()["status"] == "redeemed"
    again = cashier.post(f"/gifts/{gift.pk}/redeem", payload, headers=key("r1"))
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert GiftRedemption.objects.count() == 1
    assert MembershipCard.objects.get(pk=card.pk).points_balance == 400
    other = cashier.post(f"/gifts/{gift.pk}/redeem", {**payload, "qty": 1}, headers=key("r1"))
    assert_problem(other, 409, "idempotency_key_reused")


def test_redeem_without_a_key_is_refused(org, api, card, gift):
    response = api("cashier").post(
        f"/gifts/{gift.pk}/redeem", {"card": card.pk, "store": org["store"].pk}
    )
    assert_problem(response, 400, "idempotency_key_required")
    assert not GiftRedemption.objects.exists()


@pytest.mark.parametrize(
    ("qty", "status", "code"),
    [
        (6, 409, "gift_out_of_stock"),
        (4, 409, "insufficient_balance"),
        (0, 400, "invalid_input"),
        (-2, 400, "invalid_input"),
    ],
)
def test_redeem_errors_write_nothing(org, api, card, gift, qty, status, code):
    response = api("cashier", language="en").post(
        f"/gifts/{gift.pk}/redeem",
        {"card": card.pk, "qty": qty, "store": org["store"].pk},
        headers=key(f"bad-{qty}"),
    )
    body = assert_problem(response, status, code)
    if code == "gift_out_of_stock":
        assert body["message"] == "This gift is out of stock."
    assert Gift.objects.get().stock == 5
    assert MembershipCard.objects.get(pk=card.pk).points_balance == 1000
    assert not LedgerEntry.objects.filter(cause="gift").exists()


def test_another_tenants_card_or_gift_is_not_found(org, other_org, api, card, gift):
    from huike.core.tenancy import tenant_context
    from huike.gifts.services import gift_create

    with tenant_context(other_org["tenant"]):
        theirs = gift_create(
            acting_user=other_org["users"]["hq"], name="别家礼品", points_cost=1, stock=9
        )
    cashier = api("cashier")
    response = cashier.post(
        f"/gifts/{theirs.pk}/redeem",
        {"card": card.pk, "store": org["store"].pk},
        headers=key("foreign-gift"),
    )
    assert_problem(response, 404, "not_found")
    outsider = ApiClient(other_org["users"]["hq"])
    response = outsider.post(
        f"/gifts/{theirs.pk}/redeem",
        {"card": card.pk, "store": other_org["store"].pk},
        headers=key("foreign-card"),
    )
    assert_problem(response, 404, "not_found")
    assert_problem(outsider.get(f"/gifts/{gift.pk}"), 404, "not_found")
    assert GiftRedemption.all_tenants.count() == 0
    assert Gift.all_tenants.get(pk=theirs.pk).stock == 9


def test_cancel_and_history(org, api, card, gift):
    made = (
        api("cashier")
        .post(
            f"/gifts/{gift.pk}/redeem",
            {"card": card.pk, "store": org["store"].pk},
            headers=key("h1"),
        )
        .json()
    )
    listed = api("cashier").get(f"/gifts/redemptions?card={card.pk}")
    assert listed.json()["count"] == 1 and listed.json()["items"][0]["id"] == made["id"]
    assert api().get(f"/gifts/redemptions?gift={gift.pk}").json()["count"] == 1
    assert_problem(
        api("cashier").post(f"/gifts/redemptions/{made['id']}/cancel", {"reason": "x"}),
        403,
        "permission_denied",
    )
    done = api("manager").post(f"/gifts/redemptions/{made['id']}/cancel", {"reason": "退回"})
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    again = api("manager").post(f"/gifts/redemptions/{made['id']}/cancel", {"reason": "退回"})
    assert_problem(again, 409, "already_cancelled")
    assert MembershipCard.objects.get(pk=card.pk).points_balance == 1000
    assert Gift.objects.get().stock == 5
    cancelled = api().get("/gifts/redemptions?status=cancelled").json()
    assert cancelled["count"] == 1


def test_the_history_reads_a_page_in_a_fixed_number_of_queries(
    org, api, card, gift, django_assert_max_num_queries
):
    from huike.gifts import services
    from huike.loyalty.services import points_accrue

    points_accrue(acting_user=org["users"]["hq"], card=card, points=1000)
    for _ in range(3):
        services.gift_redeem(
            acting_user=org["users"]["hq"], card=card, gift=gift, store=org["store"]
        )
    client = api()
    client.get("/gifts/redemptions")  # warm the key's and the role's lookups
    with django_assert_max_num_queries(8) as few:
        assert client.get("/gifts/redemptions").json()["count"] == 3
    services.gift_redeem(acting_user=org["users"]["hq"], card=card, gift=gift, store=org["store"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/gifts/redemptions").json()["count"] == 4
