"""Dedupe and merge through the API and the console pages (G4): candidates, dismissing, merging
with its errors (zh-hans and English), the records, the HQ undo; and two merges of one pair sent
at the same instant merge once."""

import pytest
from django.urls import reverse
from django.utils import timezone

from huike.core.testing import assert_problem, fire_requests
from huike.guests import services
from huike.guests.models import Guest, GuestMerge, MergeCandidate
from huike.orders.models import Order
from huike.orders.services import order_post
from huike.orders.tests.factories import make_menu, order_args
from huike.org import services as org_services
from huike.org.models import Role


@pytest.fixture
def pair(org, hq):
    make_menu()
    kept = services.guest_create(acting_user=hq, name="王总", primary_phone="13812345678")
    dup = services.guest_create(
        acting_user=hq, name="王大明", primary_phone="13912345678", taboos="花生过敏"
    )
    order_post(acting_user=hq, **order_args(org["store"], guest_phone="13912345678"))
    return kept, dup


# --- API ---------------------------------------------------------------------------------------
def test_api_merges_lists_and_undoes(api, pair):
    kept, dup = pair
    client = api("hq")
    response = client.post(
        "/guests/merges", {"survivor": kept.pk, "merged": dup.pk, "reason": "同一人"}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["survivor"]["id"] == kept.pk and body["merged"]["id"] == dup.pk
    assert {"kind": "orders", "label": "订单", "count": 1} in body["moved"]
    assert body["undone_at"] is None and body["merged_by"] == "t1-hq"

    listed = client.get("/guests/merges").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]
    assert client.get(f"/guests/{dup.pk}/360").status_code == 404  # a redirect now

    undone = client.post(f"/guests/merges/{body['id']}/undo", {"reason": "误合并"})
    assert undone.status_code == 200 and undone.json()["undone_at"]
    assert Order.objects.get().guest_id == dup.pk


def test_api_merge_errors_are_clear_and_write_nothing(api, pair, other_org):
    kept, dup = pair
    client = api("hq", language="en")
    body = assert_problem(
        client.post("/guests/merges", {"survivor": kept.pk, "merged": kept.pk}),
        400,
        "same_guest",
        fields=["merged"],
    )
    assert body["message"] == "A guest cannot be merged with itself."
    from huike.core.tenancy import tenant_context

    with tenant_context(other_org["tenant"]):
        theirs = services.guest_create(
            acting_user=other_org["users"]["hq"], name="别家客", primary_phone="13911112222"
        )
    assert_problem(
        client.post("/guests/merges", {"survivor": kept.pk, "merged": theirs.pk}),
        400,
        "invalid_input",
        fields=["merged"],
    )
    assert_problem(
        client.post("/guests/merges", {"survivor": kept.pk, "merged": dup.pk, "extra": 1}),
        400,
        "invalid_input",
    )
    assert not GuestMerge.objects.exists()
    # in Chinese by default
    zh = assert_problem(
        api("hq").post("/guests/merges", {"survivor": kept.pk, "merged": kept.pk}),
        400,
        "same_guest",
    )
    assert zh["message"] == "不能把顾客与其自身合并。"


def test_api_merge_is_refused_without_the_permission(api, pair):
    kept, dup = pair
    assert_problem(
        api("manager").post("/guests/merges", {"survivor": kept.pk, "merged": dup.pk}),
        403,
        "permission_denied",
    )
    assert not GuestMerge.objects.exists()


def test_api_lists_scans_and_dismisses_candidates(api, org, hq):
    a = services.guest_create(acting_user=hq, name="张伟", primary_phone="13800001111")
    b = services.guest_create(acting_user=hq, name="张伟", primary_phone="13900002222")
    for guest in (a, b):
        services.guest_phone_add(acting_user=hq, guest=guest, phone="02088886666", label="")
    client = api("hq")
    assert client.post("/guests/duplicates/scan").status_code == 202  # immediate in tests
    listed = client.get("/guests/duplicates").json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert (item["guest_a"]["id"], item["guest_b"]["id"], item["reason"]) == (
        a.pk,
        b.pk,
        "same_phone",
    )
    dismissed = client.post(f"/guests/duplicates/{item['id']}/dismiss")
    assert dismissed.status_code == 200
    assert client.get("/guests/duplicates").json()["count"] == 0


def test_the_candidate_list_masks_phones_as_the_sheet_says(api, org, hq):
    manager = Role.objects.get(code="manager")
    org_services.role_update(
        acting_user=hq, role=manager, permissions=[*manager.permissions, "guests.merge"]
    )
    a = services.guest_create(acting_user=hq, name="张伟", primary_phone="13800001111")
    b = services.guest_create(acting_user=hq, name="张伟", primary_phone="13900002222")
    MergeCandidate.objects.create(
        guest_a=a, guest_b=b, reason="same_phone", found_at=timezone.now()
    )
    assert api("hq").get("/guests/duplicates").json()["items"][0]["guest_a"]["phone"] == (
        "+8613800001111"
    )
    seen = api("manager").get("/guests/duplicates").json()["items"][0]
    assert seen["guest_a"]["phone"] == "138****1111" and seen["guest_a"]["name"] == "张伟"


def test_two_merges_of_one_pair_at_the_same_instant_merge_once(live_org, live_server):
    from huike.core.api_auth import api_key_create

    hq = live_org["users"]["hq"]
    kept = services.guest_create(acting_user=hq, name="王总", primary_phone="13812345678")
    dup = services.guest_create(acting_user=hq, name="王大明", primary_phone="13912345678")
    _, key = api_key_create(user=hq, name="race")
    headers = {"Authorization": f"Bearer {key}"}
    requests = [
        {
            "method": "POST",
            "path": "/api/v1/guests/merges",
            "headers": headers,
            "json": {"survivor": a.pk, "merged": b.pk},
        }
        for a, b in [(kept, dup), (dup, kept)] * 4
    ]
    responses = fire_requests(live_server.url, requests)
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1, [r.json() for r in responses]
    assert all(r.json()["code"] == "already_merged" for r in responses if r.status_code != 201)
    assert GuestMerge.objects.count() == 1
    merged = Guest.objects.filter(merged_into__isnull=False)
    assert merged.count() == 1


# --- Pages -------------------------------------------------------------------------------------
def test_pages_compare_merge_and_undo(client, users, pair):
    kept, dup = pair
    client.force_login(users["hq"])
    page = client.get(reverse("guest_merge") + f"?a={kept.pk}&b={dup.pk}")
    assert page.status_code == 200
    content = page.content.decode()
    assert "花生过敏" in content and 'data-testid="merge-row-taboos"' in content
    # The guest with the visit is suggested as the one to keep.
    assert page.context["form"].initial["survivor"] == dup.pk

    response = client.post(
        reverse("guest_merge") + f"?a={kept.pk}&b={dup.pk}",
        {"survivor": str(dup.pk), "reason": "同一人"},
    )
    merge = GuestMerge.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "merge_detail", args=[merge.pk]
    )
    assert merge.survivor_id == dup.pk and merge.merged_id == kept.pk

    detail = client.get(reverse("merge_detail", args=[merge.pk]))
    assert 'data-testid="merge-undo-form"' in detail.content.decode()
    undone = client.post(reverse("merge_detail", args=[merge.pk]), {"undo-reason": "误合并"})
    assert undone.status_code == 302
    merge.refresh_from_db()
    assert merge.undone_at is not None and merge.undo_reason == "误合并"


def test_the_merge_page_shows_a_service_error_beside_the_form(client, users, pair):
    kept, dup = pair
    client.force_login(users["hq"])
    services_hq = users["hq"]
    from huike.guests.merging import guest_merge

    third = services.guest_create(acting_user=services_hq, name="王三", primary_phone="13700001111")
    guest_merge(acting_user=services_hq, survivor=third, merged=dup)
    response = client.post(
        reverse("guest_merge") + f"?a={kept.pk}&b={dup.pk}", {"survivor": str(kept.pk)}
    )
    assert response.status_code == 200
    assert "已合并到其他顾客" in response.content.decode()
    assert GuestMerge.objects.count() == 1


def test_the_pick_form_finds_guests_by_number_or_phone(client, users, pair):
    kept, dup = pair
    client.force_login(users["hq"])
    response = client.post(
        reverse("duplicate_list"), {"pick-first": f"#{kept.pk}", "pick-second": "139 1234 5678"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("guest_merge") + f"?a={kept.pk}&b={dup.pk}"
    bad = client.post(reverse("duplicate_list"), {"pick-first": "#99999", "pick-second": "abc"})
    assert bad.status_code == 200
    assert bad.context["pick"].errors.keys() == {"first", "second"}


def test_the_pages_need_the_merge_permission_and_undo_needs_hq(client, users, pair):
    kept, dup = pair
    client.force_login(users["desk"])
    assert client.get(reverse("duplicate_list")).status_code == 403
    assert client.get(reverse("guest_merge") + f"?a={kept.pk}&b={dup.pk}").status_code == 403
    assert client.get(reverse("guest_list")).content.decode().count("guest-duplicates-link") == 0


def test_an_unknown_pair_address_is_not_found(client, users, pair):
    client.force_login(users["hq"])
    assert client.get(reverse("guest_merge") + "?a=x&b=1").status_code == 404
    assert client.get(reverse("guest_merge") + "?a=999999&b=1").status_code == 404


def test_the_comparison_shows_values_as_staff_read_them(client, users, pair):
    kept, dup = pair
    services.guest_update(acting_user=users["hq"], guest=kept, gender="m")
    client.force_login(users["hq"])
    rows = {
        row["key"]: row
        for row in client.get(reverse("guest_merge") + f"?a={kept.pk}&b={dup.pk}").context[
            "compared"
        ]["rows"]
    }
    assert rows["gender"]["first"] == "男"
    assert rows["total_spend"]["second"] == "¥286.00"
    assert len(rows["last_visit_at"]["second"]) == len("2026-01-01 12:00")
