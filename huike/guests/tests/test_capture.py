"""Collection points (G2): the six quick forms, as services, API calls and tablet pages."""

import pytest
from django.urls import reverse

from huike.core import errors
from huike.core.models import AuditEntry
from huike.core.tenancy import tenant_context
from huike.core.testing import assert_problem
from huike.guests import capture, services
from huike.guests.models import CollectedFact, Guest

# point → (who captures, what they type, what the fact keeps, what the profile then holds)
VALID = {
    "call_centre": (
        "desk",
        {"surname": "王", "gender": "m", "phone": "", "room_preference": "包房 牡丹厅"},
        {"surname": "王", "gender": "m", "room_preference": "包房 牡丹厅"},
        {"surname": "王", "gender": "m", "title": "王先生", "preferred_room": "包房 牡丹厅"},
    ),
    "arrival": (
        "waiter",
        {"booked": True, "companions_count": 3, "companions": "两位同事和一个孩子"},
        {"booked": True, "companions_count": 3, "companions": "两位同事和一个孩子"},
        {},
    ),
    "ordering": (
        "captain",
        {"age_band": "36_45", "taste": "偏辣", "companion_group": "business", "taboos": "花生过敏"},
        {"age_band": "36_45", "taste": "偏辣", "companion_group": "business", "taboos": "花生过敏"},
        {"taste_preferences": "偏辣", "taboos": "花生过敏"},
    ),
    "table_visit": (
        "waiter",
        {
            "name": "王大明",
            "company": "湘江实业",
            "job_title": "总经理",
            "phone": "139 0731 0001",
            "address": "长沙市芙蓉区五一大道 8 号",
            "meal_type": "business",
            "suggestions": "上菜可以再快一点",
            "taboos": "不吃香菜",
        },
        {
            "name": "王大明",
            "company": "湘江实业",
            "job_title": "总经理",
            "phone": "+8613907310001",
            "address": "长沙市芙蓉区五一大道 8 号",
            "meal_type": "business",
            "suggestions": "上菜可以再快一点",
            "taboos": "不吃香菜",
        },
        {
            "name": "王大明",
            "company": "湘江实业",
            "job_title": "总经理",
            "address": "长沙市芙蓉区五一大道 8 号",
            "meal_type": "business",
            "taboos": "不吃香菜",
            "primary_phone": "",  # the guest already has a primary phone: kept in the fact
        },
    ),
    "checkout": (
        "cashier",
        {"experience": "剁椒鱼头很好", "satisfied": False, "habits": "习惯刷卡"},
        {"experience": "剁椒鱼头很好", "satisfied": False, "habits": "习惯刷卡"},
        {},
    ),
    "callback": (
        "desk",
        {
            "recommend_score": 9,
            "cares_about": ["dishes", "price"],
            "cares_note": "在意停车",
            "discount_sensitive": True,
        },
        {
            "recommend_score": 9,
            "cares_about": ["dishes", "price"],
            "cares_note": "在意停车",
            "discount_sensitive": True,
        },
        {},
    ),
}

# point → (bad input, the field that must carry a message)
INVALID = [
    ("call_centre", {"gender": "x"}, "gender"),
    ("call_centre", {"phone": "12345"}, "phone"),
    ("call_centre", {"surname": "王" * 21}, "surname"),
    ("arrival", {"companions_count": 2}, "booked"),
    ("arrival", {"booked": True, "companions_count": -1}, "companions_count"),
    ("ordering", {"age_band": "teen"}, "age_band"),
    ("ordering", {"companion_group": "aliens", "taste": "辣"}, "companion_group"),
    ("table_visit", {"meal_type": "brunch"}, "meal_type"),
    ("table_visit", {"phone": "not a phone"}, "phone"),
    ("checkout", {"experience": "好"}, "satisfied"),
    ("callback", {"recommend_score": 11, "discount_sensitive": False}, "recommend_score"),
    ("callback", {"recommend_score": -1, "discount_sensitive": False}, "recommend_score"),
    (
        "callback",
        {"recommend_score": 5, "discount_sensitive": False, "cares_about": ["x"]},
        "cares_about",
    ),
    ("callback", {"recommend_score": 5}, "discount_sensitive"),
    ("ordering", {"taste": "辣", "spend": 100}, "spend"),
]


@pytest.fixture
def guest(hq):
    return services.guest_create(acting_user=hq, name="", primary_phone="13800138000")


def _audit_count():
    return AuditEntry.objects.count()


# --- Services --------------------------------------------------------------------------------
@pytest.mark.parametrize("point", list(VALID))
def test_each_point_keeps_who_when_where_and_copies_its_profile_facts(org, users, guest, point):
    role, data, kept, profile = VALID[point]
    fact = capture.fact_capture(acting_user=users[role], guest=guest, point=point, data=data)
    fact.refresh_from_db()
    assert fact.point == point and fact.data == kept
    assert fact.captured_by == users[role] and fact.captured_at is not None
    assert fact.store == org["store"]  # the staff member's own store
    guest.refresh_from_db()
    for field, value in profile.items():
        expected = guest.primary_phone if field == "primary_phone" else value
        assert getattr(guest, field) == expected, field
    assert guest.primary_phone == "+8613800138000"
    assert AuditEntry.objects.filter(
        object_type="guests.collectedfact", object_id=str(fact.pk), actor=users[role]
    ).exists()


@pytest.mark.parametrize(("point", "data", "field"), INVALID)
def test_bad_input_is_refused_beside_its_field_and_nothing_is_written(
    users, guest, point, data, field
):
    before, audits = Guest.objects.get(pk=guest.pk), _audit_count()
    with pytest.raises(errors.InvalidInput) as caught:
        capture.fact_capture(acting_user=users["hq"], guest=guest, point=point, data=data)
    assert field in caught.value.fields, caught.value.fields
    assert not CollectedFact.objects.exists() and _audit_count() == audits
    after = Guest.objects.get(pk=guest.pk)
    assert (after.surname, after.taboos, after.taste_preferences) == (
        before.surname,
        before.taboos,
        before.taste_preferences,
    )


def test_an_empty_form_is_refused(users, guest):
    with pytest.raises(errors.InvalidInput) as caught:
        capture.fact_capture(acting_user=users["captain"], guest=guest, point="ordering", data={})
    assert caught.value.code == "nothing_captured"
    assert not CollectedFact.objects.exists()


def test_taboos_and_taste_are_added_to_never_replaced(users, guest):
    captain = users["captain"]
    capture.fact_capture(
        acting_user=captain, guest=guest, point="ordering", data={"taboos": "不吃香菜"}
    )
    capture.fact_capture(
        acting_user=captain, guest=guest, point="table_visit", data={"taboos": "花生过敏"}
    )
    capture.fact_capture(
        acting_user=captain, guest=guest, point="ordering", data={"taboos": "花生过敏"}
    )
    guest.refresh_from_db()
    assert guest.taboos == "不吃香菜；花生过敏"
    assert CollectedFact.objects.filter(guest=guest).count() == 3


def test_a_profile_overflow_is_refused_beside_the_captured_field(users, guest):
    Guest.objects.filter(pk=guest.pk).update(taboos="忌" * 298)
    guest.refresh_from_db()
    with pytest.raises(errors.InvalidInput) as caught:
        capture.fact_capture(
            acting_user=users["captain"], guest=guest, point="ordering", data={"taboos": "花生过敏"}
        )
    assert "taboos" in caught.value.fields
    assert not CollectedFact.objects.exists()
    assert Guest.objects.get(pk=guest.pk).taboos == "忌" * 298


def test_a_waiter_without_edit_rights_still_fills_the_profile_by_capturing(users, guest):
    waiter = users["waiter"]
    with pytest.raises(errors.PermissionDenied):
        services.guest_update(acting_user=waiter, guest=guest, company="越权")
    capture.fact_capture(
        acting_user=waiter, guest=guest, point="table_visit", data={"company": "湘江实业"}
    )
    guest.refresh_from_db()
    assert guest.company == "湘江实业"
    assert AuditEntry.objects.filter(
        object_type="guests.guest", object_id=str(guest.pk), actor=waiter, action="update"
    ).exists()


def test_a_role_without_the_capture_permission_is_refused(users, guest):
    with pytest.raises(errors.PermissionDenied):
        capture.fact_capture(
            acting_user=users["marketing"], guest=guest, point="ordering", data={"taste": "辣"}
        )
    assert not CollectedFact.objects.exists()


def test_the_store_is_one_of_the_users_stores(org, users, guest):
    fact = capture.fact_capture(
        acting_user=users["hq"], guest=guest, point="checkout", data={"satisfied": True}
    )
    assert fact.store is None  # HQ belongs to no store
    fact = capture.fact_capture(
        acting_user=users["hq"],
        guest=guest,
        point="checkout",
        data={"satisfied": True},
        store=org["store2"],
    )
    assert fact.store == org["store2"]
    with pytest.raises(errors.InvalidInput) as caught:
        capture.fact_capture(
            acting_user=users["waiter"],
            guest=guest,
            point="checkout",
            data={"satisfied": True},
            store=org["store2"],
        )
    assert "store" in caught.value.fields
    assert CollectedFact.objects.count() == 2


def test_a_captured_phone_fills_an_empty_primary_phone(users, hq):
    guest = services.guest_create(acting_user=hq, name="无号")
    capture.fact_capture(
        acting_user=users["captain"],
        guest=guest,
        point="table_visit",
        data={"phone": "13907310002"},
    )
    guest.refresh_from_db()
    assert guest.primary_phone == "+8613907310002"


def test_a_merged_guest_is_refused_with_the_survivor(users, hq, guest):
    loser = services.guest_create(acting_user=hq, name="重复")
    Guest.objects.filter(pk=loser.pk).update(merged_into=guest)
    loser.refresh_from_db()
    with pytest.raises(errors.NotFound) as caught:
        capture.fact_capture(
            acting_user=users["captain"], guest=loser, point="ordering", data={"taste": "辣"}
        )
    assert caught.value.code == "merged"
    assert caught.value.fields == {"merged_into": [str(guest.pk)]}


def test_the_call_centre_finds_or_creates_the_caller_by_phone(users):
    desk = users["desk"]
    fact, created = capture.call_centre_capture(
        acting_user=desk, data={"phone": "138 0013 8111", "surname": "李", "gender": "f"}
    )
    assert created and fact.guest.primary_phone == "+8613800138111"
    guest = Guest.objects.get(pk=fact.guest_id)
    assert (guest.surname, guest.title) == ("李", "李女士")
    again, created_again = capture.call_centre_capture(
        acting_user=desk, data={"phone": "+86 13800138111", "room_preference": "大厅靠窗"}
    )
    assert not created_again and again.guest_id == guest.pk
    guest.refresh_from_db()
    assert guest.preferred_room == "大厅靠窗" and guest.title == "李女士"


@pytest.mark.parametrize("phone", ["", "12345"])
def test_the_call_centre_needs_a_valid_phone_and_writes_nothing_without(users, phone):
    with pytest.raises(errors.InvalidInput) as caught:
        capture.call_centre_capture(
            acting_user=users["desk"], data={"phone": phone, "surname": "李"}
        )
    assert "phone" in caught.value.fields
    assert not Guest.objects.exists() and not CollectedFact.objects.exists()


# --- API -------------------------------------------------------------------------------------
@pytest.mark.parametrize("point", list(VALID))
def test_each_point_is_one_api_call(org, api, users, guest, point):
    role, data, kept, _profile = VALID[point]
    slug = point.replace("_", "-")
    response = api(role).post(f"/guests/{guest.pk}/capture/{slug}", data)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["point"] == point and body["data"] == kept and body["guest"] == guest.pk
    assert body["store"] == org["store"].pk and body["captured_by"] == users[role].username
    assert CollectedFact.objects.get(pk=body["id"]).data == kept


@pytest.mark.parametrize(("point", "data", "field"), INVALID)
def test_bad_api_input_gets_the_problem_body_and_writes_nothing(api, guest, point, data, field):
    slug = point.replace("_", "-")
    response = api("hq").post(f"/guests/{guest.pk}/capture/{slug}", data)
    body = assert_problem(response, 400, "invalid_input")
    assert any(name.split(".")[0] == field for name in body["fields"]), body  # cares_about.0
    assert not CollectedFact.objects.exists()


def test_api_messages_follow_the_language(api, guest):
    response = api("hq", language="en").post(
        f"/guests/{guest.pk}/capture/callback", {"recommend_score": 12, "discount_sensitive": True}
    )
    body = assert_problem(response, 400, "invalid_input", ["recommend_score"])
    assert body["fields"]["recommend_score"] == ["Must be at most 10."]


def test_api_store_choice_and_refusals(org, api, guest, other_org):
    response = api("hq").post(
        f"/guests/{guest.pk}/capture/checkout?store={org['store2'].pk}", {"satisfied": True}
    )
    assert response.status_code == 201 and response.json()["store"] == org["store2"].pk
    response = api("waiter").post(
        f"/guests/{guest.pk}/capture/checkout?store={org['store2'].pk}", {"satisfied": True}
    )
    assert_problem(response, 400, "invalid_input", ["store"])
    assert_problem(
        api("marketing").post(f"/guests/{guest.pk}/capture/arrival", {"booked": True}),
        403,
        "permission_denied",
    )
    assert_problem(
        api("hq").post("/guests/999999/capture/arrival", {"booked": True}), 404, "not_found"
    )
    assert_problem(
        api("hq").post(f"/guests/{guest.pk}/capture/dessert", {"booked": True}), 404, "not_found"
    )
    with tenant_context(other_org["tenant"]):
        foreign = services.guest_create(acting_user=other_org["users"]["hq"], name="别家")
    assert_problem(
        api("hq").post(f"/guests/{foreign.pk}/capture/arrival", {"booked": True}), 404, "not_found"
    )
    assert CollectedFact.objects.count() == 1


def test_api_capture_of_a_merged_guest_names_the_survivor(api, hq, guest):
    loser = services.guest_create(acting_user=hq, name="重复")
    Guest.objects.filter(pk=loser.pk).update(merged_into=guest)
    body = assert_problem(
        api("captain").post(f"/guests/{loser.pk}/capture/ordering", {"taste": "辣"}), 404, "merged"
    )
    assert body["fields"]["merged_into"] == [str(guest.pk)]


def test_api_call_centre_by_phone_creates_then_finds_and_replays_a_repeat(api):
    client = api("desk")
    first = client.post("/capture/call-centre", {"phone": "13800138222", "surname": "赵"})
    assert first.status_code == 201 and first.json()["guest_created"] is True
    second = client.post("/capture/call-centre", {"phone": "+86 138 0013 8222", "gender": "m"})
    assert second.json()["guest_created"] is False
    assert second.json()["guest"] == first.json()["guest"]
    assert Guest.objects.get(pk=first.json()["guest"]).title == "赵先生"
    key = {"Idempotency-Key": "call-42"}
    once = client.post("/capture/call-centre", {"phone": "13800138222"}, headers=key)
    twice = client.post("/capture/call-centre", {"phone": "13800138222"}, headers=key)
    assert once.status_code == twice.status_code == 201
    assert twice.json() == once.json() and twice["Idempotent-Replayed"] == "true"
    assert CollectedFact.objects.count() == 3
    assert_problem(
        client.post("/capture/call-centre", {"surname": "赵"}), 400, "invalid_input", ["phone"]
    )


# --- Pages -----------------------------------------------------------------------------------
@pytest.fixture
def signed_in(client, users):
    def sign_in(role):
        client.force_login(users[role])
        return client

    return sign_in


FORM_INPUT = {
    "call_centre": {"surname": "王", "gender": "m", "room_preference": "牡丹厅"},
    "arrival": {"booked": "yes", "companions_count": "2", "companions": "夫人"},
    "ordering": {"age_band": "46_55", "taste": "清淡", "taboos": "海鲜过敏"},
    "table_visit": {"company": "湘江实业", "meal_type": "family", "suggestions": "很好"},
    "checkout": {"satisfied": "no", "experience": "等位太久"},
    "callback": {"recommend_score": "10", "cares_about": ["service"], "discount_sensitive": "no"},
}
BAD_FORM_INPUT = {
    "call_centre": ({"phone": "12345"}, "phone"),
    "arrival": ({"companions_count": "2"}, "booked"),
    "ordering": ({"age_band": "teen"}, "age_band"),
    "table_visit": ({"phone": "abc"}, "phone"),
    "checkout": ({"experience": "好"}, "satisfied"),
    "callback": ({"recommend_score": "11", "discount_sensitive": "no"}, "recommend_score"),
}


@pytest.mark.parametrize("point", list(FORM_INPUT))
def test_each_point_is_one_tablet_page(org, signed_in, users, guest, point):
    slug = point.replace("_", "-")
    client = signed_in("captain")
    url = reverse("guest_capture", args=[guest.pk, slug])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-testid="capture-{slug}-form"' in html
    for name in FORM_INPUT[point]:
        assert f'data-testid="field-{name}"' in html
    response = client.post(url, FORM_INPUT[point])
    assert response.status_code == 302
    assert response["Location"] == reverse("guest_360", args=[guest.pk])
    fact = CollectedFact.objects.get()
    assert fact.point == point and fact.captured_by == users["captain"]
    assert fact.store == org["store"]


@pytest.mark.parametrize("point", list(BAD_FORM_INPUT))
def test_a_bad_page_input_shows_beside_the_field_and_writes_nothing(signed_in, guest, point):
    data, field = BAD_FORM_INPUT[point]
    client = signed_in("hq")
    url = reverse("guest_capture", args=[guest.pk, point.replace("_", "-")])
    response = client.post(url, data)
    assert response.status_code == 200
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert not CollectedFact.objects.exists()


def test_an_htmx_capture_answers_with_a_redirect_header(signed_in, guest):
    client = signed_in("waiter")
    url = reverse("guest_capture", args=[guest.pk, "arrival"])
    response = client.post(url, {"booked": "no"}, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("guest_360", args=[guest.pk])
    bad = client.post(url, {}, headers={"HX-Request": "true"})
    assert bad.status_code == 200 and 'data-testid="error-booked"' in bad.content.decode()
    assert "<html" not in bad.content.decode()  # the partial only
    assert CollectedFact.objects.count() == 1


def test_the_capture_page_refuses_roles_without_capture_and_unknown_points(signed_in, guest):
    assert (
        signed_in("marketing").get(reverse("guest_capture", args=[guest.pk, "arrival"])).status_code
        == 403
    )
    assert (
        signed_in("hq").get(reverse("guest_capture", args=[guest.pk, "dessert"])).status_code == 404
    )


def test_the_capture_page_of_a_merged_guest_goes_to_the_survivor(signed_in, hq, guest):
    loser = services.guest_create(acting_user=hq, name="重复")
    Guest.objects.filter(pk=loser.pk).update(merged_into=guest)
    response = signed_in("captain").get(reverse("guest_capture", args=[loser.pk, "ordering"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("guest_capture", args=[guest.pk, "ordering"])


def test_the_call_centre_page_creates_the_caller_and_opens_their_360(signed_in):
    client = signed_in("desk")
    url = reverse("guest_capture_call_centre")
    page = client.get(url).content.decode()
    assert 'data-testid="capture-call-centre-form"' in page and 'data-testid="field-phone"' in page
    bad = client.post(url, {"surname": "钱"})
    assert 'data-testid="error-phone"' in bad.content.decode() and not Guest.objects.exists()
    response = client.post(url, {"phone": "13800138333", "surname": "钱", "gender": "m"})
    guest = Guest.objects.get(primary_phone="+8613800138333")
    assert response.status_code == 302
    assert response["Location"] == reverse("guest_360", args=[guest.pk])
    assert guest.title == "钱先生"


def test_taboos_captured_at_the_same_moment_are_all_kept(live_org):
    from huike.core.testing import fire_concurrently

    users = live_org["users"]
    guest = services.guest_create(acting_user=users["hq"], name="抢写")
    taboos = ["不吃香菜", "花生过敏", "不吃葱", "海鲜过敏"]

    def call(i):
        with tenant_context(live_org["tenant"]):
            target = Guest.objects.get(pk=guest.pk)
            return capture.fact_capture(
                acting_user=type(users["captain"]).objects.get(pk=users["captain"].pk),
                guest=target,
                point="ordering",
                data={"taboos": taboos[i]},
            )

    outcomes = fire_concurrently(call, len(taboos))
    assert [o.error for o in outcomes] == [None] * len(taboos)
    guest.refresh_from_db()
    assert sorted(guest.taboos.split("；")) == sorted(taboos)
    assert CollectedFact.objects.filter(guest=guest).count() == len(taboos)
