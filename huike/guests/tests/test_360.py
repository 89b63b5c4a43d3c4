"""The 360° view (G3): sections registered per app, gated by the guest sheet (G5), one call."""

from decimal import Decimal

import pytest
from django.urls import reverse

from huike.core import errors
from huike.core.tenancy import tenant_context
from huike.core.testing import assert_problem
from huike.guests import capture, profile360, services
from huike.guests.models import Guest
from huike.org.models import FieldPolicy


@pytest.fixture
def guest(hq):
    guest = services.guest_create(
        acting_user=hq,
        name="王大明",
        surname="王",
        gender="m",
        primary_phone="13800138000",
        address="长沙市五一大道 8 号",
    )
    Guest.objects.filter(pk=guest.pk).update(total_spend=Decimal("8888.00"), visit_count=7)
    guest.refresh_from_db()
    return guest


def _codes(view):
    return [s["code"] for s in view["sections"]]


def _section(view, code):
    return next(s["data"] for s in view["sections"] if s["code"] == code)


def test_the_guests_sections_are_found_and_come_in_order(hq, guest):
    view = profile360.guest_360(user=hq, guest=guest)
    assert view["guest"] == guest.pk
    codes = _codes(view)
    assert codes[0] == "profile"
    assert codes.index("feedback") < codes.index("merge_history")
    assert _section(view, "profile")["total_spend"] == "8888.00"


def test_a_waiter_sees_taboos_but_not_spend_feedback_or_merges(users, guest):
    capture.fact_capture(
        acting_user=users["captain"], guest=guest, point="ordering", data={"taboos": "花生过敏"}
    )
    guest.refresh_from_db()
    view = profile360.guest_360(user=users["waiter"], guest=guest)
    profile = _section(view, "profile")
    assert profile["taboos"] == "花生过敏"
    assert "total_spend" not in profile and "address" not in profile
    assert profile["phone"] == "138****8000"
    assert "feedback" not in _codes(view) and "merge_history" not in _codes(view)


def test_captured_facts_show_in_feedback_newest_first_with_who_when_where(org, users, guest):
    captain = users["captain"]
    first = capture.fact_capture(
        acting_user=captain,
        guest=guest,
        point="ordering",
        data={"taste": "偏辣", "age_band": "36_45"},
    )
    second = capture.fact_capture(
        acting_user=users["desk"],
        guest=guest,
        point="callback",
        data={"recommend_score": 8, "discount_sensitive": True, "cares_about": ["price"]},
    )
    items = _section(profile360.guest_360(user=captain, guest=guest), "feedback")["items"]
    assert [i["id"] for i in items] == [second.pk, first.pk]
    newest = items[0]
    assert newest["point"] == "callback" and newest["store"]["id"] == org["store"].pk
    assert newest["captured_by"] == "desk员工" and newest["captured_at"] == second.captured_at
    lines = {line["key"]: line for line in newest["lines"]}
    assert lines["recommend_score"]["value"] == 8
    assert lines["discount_sensitive"]["value"] is True
    assert lines["cares_about"]["text"] == str(capture.Concern.PRICE.label)
    assert {line["key"] for line in items[1]["lines"]} == {"taste", "age_band"}


def test_feedback_hides_the_captured_values_the_role_may_not_see(users, guest):
    capture.fact_capture(
        acting_user=users["captain"],
        guest=guest,
        point="table_visit",
        data={"address": "岳麓区 1 号", "phone": "13907310001", "suggestions": "很好"},
    )
    captain_view = profile360.guest_360(user=users["captain"], guest=guest)
    lines = {
        line["key"]: line["value"]
        for line in _section(captain_view, "feedback")["items"][0]["lines"]
    }
    assert "address" not in lines and lines["phone"] == "139****0001"
    assert lines["suggestions"] == "很好"
    hq_lines = _section(profile360.guest_360(user=users["hq"], guest=guest), "feedback")
    assert {line["key"]: line["value"] for line in hq_lines["items"][0]["lines"]}[
        "address"
    ] == "岳麓区 1 号"


def test_the_guest_sheet_policy_gates_whole_sections(org, users, guest):
    role = users["captain"].staff.role
    FieldPolicy.objects.create(role=role, resource="guest", field="feedback", visible=False)
    assert "feedback" not in _codes(profile360.guest_360(user=users["captain"], guest=guest))
    assert "feedback" in _codes(profile360.guest_360(user=users["desk"], guest=guest))


def test_merge_history_lists_the_guests_merged_into_this_one(hq, users, guest):
    from huike.guests.merging import guest_merge

    loser = services.guest_create(acting_user=hq, name="王先生(重复)", primary_phone="13900001234")
    merge = guest_merge(acting_user=hq, survivor=guest, merged=loser)
    items = _section(profile360.guest_360(user=users["manager"], guest=guest), "merge_history")[
        "items"
    ]
    assert [(i["id"], i["name"], i["phone"], i["merge_id"]) for i in items] == [
        (loser.pk, "王先生(重复)", "139****1234", merge.pk)
    ]


def test_other_apps_register_sections_gated_by_a_sheet_field(monkeypatch, users, guest):
    profile360.discover()  # before copying, or the apps' sections land in the copy only
    monkeypatch.setattr(profile360, "_SECTIONS", dict(profile360._SECTIONS))
    calls = []

    def consumption(*, user, guest):
        calls.append(user)
        return {"orders": 3}

    profile360.register_section("consumption", "Consumption", consumption, order=40, field="spend")
    profile360.register_section("nothing", "Nothing", lambda **kw: None, order=50)
    hq_view = profile360.guest_360(user=users["hq"], guest=guest)
    assert _codes(hq_view).index("consumption") == 1 and "nothing" not in _codes(hq_view)
    assert _section(hq_view, "consumption") == {"orders": 3}
    assert "consumption" not in _codes(profile360.guest_360(user=users["waiter"], guest=guest))
    assert calls == [users["hq"]]  # a gated section's builder is not even run
    with pytest.raises(KeyError):
        profile360.register_section("bad", "Bad", consumption, order=1, field="no_such_field")


def test_the_360_needs_the_view_permission(users, guest):
    with pytest.raises(errors.PermissionDenied):
        profile360.guest_360(user=users["agent"], guest=guest)


def test_the_360_takes_a_bounded_number_of_queries(hq, users, guest, django_assert_max_num_queries):
    for n in range(12):
        capture.fact_capture(
            acting_user=users["captain" if n % 2 else "desk"],
            guest=guest,
            point="checkout",
            data={"satisfied": True, "experience": f"第 {n} 次"},
        )
    for n in range(3):
        loser = services.guest_create(acting_user=hq, name=f"重复{n}")
        Guest.objects.filter(pk=loser.pk).update(merged_into=guest)
    from huike.guests.api_360 import guest_for_360

    reader = type(hq).objects.get(pk=hq.pk)  # nothing cached on it
    # A fixed number whatever the facts: profile, feedback, merge history, and one indexed query
    # each for the orders app's consumption, favourite dishes and preferred rooms, and one for
    # the reservations app's bookings.
    with django_assert_max_num_queries(16):
        view = profile360.guest_360(user=reader, guest=guest_for_360(reader, guest.pk))
    assert len(_section(view, "feedback")["items"]) == 12


# --- API -------------------------------------------------------------------------------------
def test_the_api_answers_the_360_in_one_call(api, users, guest):
    capture.fact_capture(
        acting_user=users["captain"], guest=guest, point="ordering", data={"taboos": "不吃香菜"}
    )
    body = api("captain").get(f"/guests/{guest.pk}/360").json()
    assert body["guest"] == guest.pk
    sections = {s["code"]: s for s in body["sections"]}
    assert sections["profile"]["data"]["taboos"] == "不吃香菜"
    assert sections["feedback"]["data"]["items"][0]["lines"][0]["value"] == "不吃香菜"
    assert sections["feedback"]["title"]
    waiter = api("waiter").get(f"/guests/{guest.pk}/360").json()
    profile = next(s for s in waiter["sections"] if s["code"] == "profile")["data"]
    assert "total_spend" not in profile and profile["taboos"] == "不吃香菜"


def test_the_api_refuses_merged_foreign_and_unknown_guests(api, hq, guest, other_org):
    loser = services.guest_create(acting_user=hq, name="重复")
    Guest.objects.filter(pk=loser.pk).update(merged_into=guest)
    body = assert_problem(api("hq").get(f"/guests/{loser.pk}/360"), 404, "merged")
    assert body["fields"] == {"merged_into": [str(guest.pk)]}
    with tenant_context(other_org["tenant"]):
        foreign = services.guest_create(acting_user=other_org["users"]["hq"], name="别家")
    assert_problem(api("hq").get(f"/guests/{foreign.pk}/360"), 404, "not_found")
    assert_problem(api("hq").get("/guests/999999/360"), 404, "not_found")
    assert_problem(api("agent").get(f"/guests/{guest.pk}/360"), 403, "permission_denied")


# --- Page ------------------------------------------------------------------------------------
def test_a_captain_records_a_taboo_and_the_waiters_360_shows_it_without_spend(client, users, guest):
    client.force_login(users["captain"])
    response = client.post(
        reverse("guest_capture", args=[guest.pk, "ordering"]),
        {"taboos": "花生过敏", "taste": "偏辣"},
    )
    assert response.status_code == 302
    captain_page = client.get(reverse("guest_360", args=[guest.pk])).content.decode()
    assert 'data-testid="section-feedback"' in captain_page and "花生过敏" in captain_page

    client.force_login(users["waiter"])
    page = client.get(reverse("guest_360", args=[guest.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="section-profile"' in html and 'data-testid="profile-taboos"' in html
    assert "花生过敏" in html and "偏辣" in html
    assert 'data-testid="profile-total_spend"' not in html and "8,888" not in html
    assert 'data-testid="section-feedback"' not in html
    assert 'data-testid="capture-link-ordering"' in html

    client.force_login(users["hq"])
    hq_page = client.get(reverse("guest_360", args=[guest.pk])).content.decode()
    assert 'data-testid="profile-total_spend"' in hq_page and "¥8,888.00" in hq_page
    assert 'data-testid="section-merge_history"' in hq_page


def test_the_360_page_follows_a_merge_and_renders_unknown_sections_generically(
    client, monkeypatch, hq, users, guest
):
    loser = services.guest_create(acting_user=hq, name="重复")
    Guest.objects.filter(pk=loser.pk).update(merged_into=guest)
    client.force_login(users["hq"])
    response = client.get(reverse("guest_360", args=[loser.pk]))
    assert response.status_code == 302 and response["Location"] == reverse(
        "guest_360", args=[guest.pk]
    )
    profile360.discover()  # before copying, or the apps' sections land in the copy only
    monkeypatch.setattr(profile360, "_SECTIONS", dict(profile360._SECTIONS))
    profile360.register_section(
        "wine_notes", "Wine notes", lambda **kw: {"wines": ["茅台", "汾酒"]}, order=45
    )
    html = client.get(reverse("guest_360", args=[guest.pk])).content.decode()
    assert 'data-testid="section-wine_notes"' in html and "茅台" in html
    assert client.get(reverse("guest_360", args=[999999])).status_code == 404


def test_the_360_page_takes_a_bounded_number_of_queries(
    client, hq, users, guest, django_assert_max_num_queries
):
    for n in range(10):
        capture.fact_capture(
            acting_user=users["captain" if n % 2 else "cashier"],
            guest=guest,
            point="table_visit",
            data={"company": f"公司{n}", "suggestions": "好"},
        )
    client.force_login(users["captain"])
    with django_assert_max_num_queries(
        18
    ):  # 15 today (session, user, access, 360), any number of facts
        response = client.get(reverse("guest_360", args=[guest.pk]))
    assert response.content.decode().count('data-testid="feedback-item"') == 10
