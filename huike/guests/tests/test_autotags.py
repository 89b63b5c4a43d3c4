"""Auto-tag rules (自动标签): validated with a message per condition, put on and taken off as a
guest's orders are posted, refunded and corrected, re-evaluated nightly for every guest at
once, never touching the taggings set by hand; set on the tag page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from huike.core import errors
from huike.core.models import AuditEntry, JobRun
from huike.core.tenancy import tenant_context
from huike.guests import autotags, services
from huike.guests.autotags import (
    autotags_nightly,
    autotags_refresh_all,
    guest_autotags_refresh,
    matching_guests,
    rule_validate,
    tag_autotags_refresh,
)
from huike.guests.models import Guest, GuestTag, GuestTagging
from huike.menu.models import Dish
from huike.orders.models import GuestDishTally, Order
from huike.orders.services import order_correct, order_post, order_refund
from huike.orders.tasks import autotags_refresh_tag
from huike.orders.tests.factories import hours_ago, make_menu, order_args

HX = {"HX-Request": "true"}
PHONE = "+8613812345678"


@pytest.fixture
def menu(org):
    return make_menu()


def tid(name: str) -> str:
    return f'data-testid="{name}"'


def make_tag(hq, name: str, rule=None) -> GuestTag:
    return services.guest_tag_create(acting_user=hq, name=name, rule=rule)


def tags_of(guest) -> dict[str, bool]:
    """{tag name: set by rule?} of the guest's taggings."""
    return {
        t.tag.name: t.auto for t in GuestTagging.objects.filter(guest=guest).select_related("tag")
    }


def autotag_entries(guest) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            object_type="guests.guest", object_id=str(guest.pk), actor_name="autotags"
        ).order_by("seq")
    )


# --- Validation ------------------------------------------------------------------------------
def rule_errors(rule) -> list[str]:
    with pytest.raises(errors.InvalidInput) as caught:
        rule_validate(rule)
    return [str(m) for m in caught.value.fields["rule"]]


def test_a_valid_rule_is_stored_in_its_normal_form(org):
    rule = rule_validate(
        [
            {"metric": "visit_count", "op": ">=", "value": "5"},
            {"metric": "total_spend", "op": ">=", "value": 1000.5},
            {"metric": "ordered_dish", "dish": " D001 ", "op": ">=", "value": 3},
            {"metric": "days_since_last_visit", "op": "<=", "value": 30},
            {"metric": "max_party_size", "op": "==", "value": 10},
        ]
    )
    assert rule == [
        {"metric": "visit_count", "op": ">=", "value": 5},
        {"metric": "total_spend", "op": ">=", "value": "1000.50"},
        {"metric": "ordered_dish", "op": ">=", "value": 3, "dish": "D001"},
        {"metric": "days_since_last_visit", "op": "<=", "value": 30},
        {"metric": "max_party_size", "op": "==", "value": 10},
    ]
    assert rule_validate(None) is None and rule_validate([]) is None


def test_a_bad_rule_is_refused_with_a_message_per_condition(org):
    bad_rule = [
        {"metric": "height", "op": ">=", "value": 1},
        {"metric": "visit_count", "op": ">", "value": 1},
        {"metric": "visit_count", "op": ">=", "value": "many"},
        {"metric": "visit_count", "op": ">=", "value": 2.5},
        {"metric": "total_spend", "op": ">=", "value": -1},
        {"metric": "ordered_dish", "op": ">=", "value": 2},
        {"metric": "visit_count", "op": ">=", "value": 2, "dish": "D001"},
        {"metric": "visit_count", "op": ">=", "value": 2, "colour": "red"},
        {"op": ">=", "value": 2},
        "visits > 3",
    ]
    with translation.override("en"):
        messages = rule_errors(bad_rule)
        assert rule_errors({"metric": "visit_count"}) == ["A rule is a list of conditions."]
    assert [m.split(":")[0] for m in messages] == [f"Condition {n}" for n in range(1, 11)]
    assert "visit_count" in messages[0] and ">=" in messages[1]
    assert "number" in messages[2] and "whole number" in messages[3]
    assert "between 0" in messages[4] and "dish code" in messages[5].lower()
    assert "Only the dish metric" in messages[6] and "colour" in messages[7]
    assert "metric is required" in messages[8]
    assert rule_errors([{"metric": "visit_count", "op": ">=", "value": 1}] * 11)
    assert rule_errors(bad_rule)[0].startswith("条件 1")  # Chinese by default


def test_a_tag_with_a_bad_rule_is_not_saved(hq):
    with pytest.raises(errors.InvalidInput) as caught:
        make_tag(hq, "常客", rule=[{"metric": "visits", "op": ">=", "value": 2}])
    assert "rule" in caught.value.fields and not GuestTag.objects.exists()


# --- On posting ------------------------------------------------------------------------------
def test_posting_across_a_threshold_adds_the_tag_and_a_refund_takes_it_off(org, hq, menu):
    store = org["store"]
    regular = make_tag(hq, "常客", rule=[{"metric": "visit_count", "op": ">=", "value": 2}])
    big = make_tag(hq, "大户", rule=[{"metric": "total_spend", "op": ">=", "value": 500}])
    friend = make_tag(hq, "朋友")

    first = order_post(acting_user=hq, **order_args(store, pos_order_id="P-1"))
    guest = Guest.objects.get(primary_phone=PHONE)
    services.tag_add(acting_user=hq, guest=guest, tag=friend)
    assert tags_of(guest) == {"朋友": False} and autotag_entries(guest) == []

    second = order_post(acting_user=hq, **order_args(store, pos_order_id="P-2"))
    guest.refresh_from_db()
    assert (guest.visit_count, guest.total_spend) == (2, Decimal("572.00"))
    assert tags_of(guest) == {"朋友": False, "常客": True, "大户": True}
    [entry] = autotag_entries(guest)
    assert entry.actor is None and entry.changes["auto_tags"] == {
        "added": ["大户", "常客"],
        "removed": [],
    }

    order_refund(acting_user=hq, order=second, pos_order_id="R-2")
    guest.refresh_from_db()
    assert (guest.visit_count, guest.total_spend) == (1, Decimal("286.00"))
    assert tags_of(guest) == {"朋友": False}
    assert autotag_entries(guest)[-1].changes["auto_tags"]["removed"] == ["大户", "常客"]
    assert {regular.pk, big.pk}.isdisjoint(GuestTagging.objects.values_list("tag_id", flat=True))
    assert first.guest_id == guest.pk


def test_a_tag_set_by_hand_is_never_taken_off_by_its_rule(org, hq, menu):
    store = org["store"]
    regular = make_tag(hq, "常客", rule=[{"metric": "visit_count", "op": ">=", "value": 2}])
    order = order_post(acting_user=hq, **order_args(store, pos_order_id="P-1"))
    guest = Guest.objects.get()
    services.tag_add(acting_user=hq, guest=guest, tag=regular)  # by hand, rule not met
    order_refund(acting_user=hq, order=order, pos_order_id="R-1")
    guest_autotags_refresh(guest=guest)
    assert tags_of(guest) == {"常客": False}
    assert autotag_entries(guest) == []  # nothing changed, nothing audited


def test_a_correction_re_evaluates_dishes_and_party_size(org, hq, menu):
    store = org["store"]
    make_tag(hq, "大桌", rule=[{"metric": "max_party_size", "op": ">=", "value": 10}])
    make_tag(
        hq, "鱼头控", rule=[{"metric": "ordered_dish", "dish": "D002", "op": ">=", "value": 1}]
    )
    order = order_post(acting_user=hq, **order_args(store, pos_order_id="P-1", party_size=4))
    guest = Guest.objects.get()
    assert tags_of(guest) == {"鱼头控": True}  # D002 ordered once; a party of 4
    order_correct(
        acting_user=hq,
        order=order,
        pos_order_id="C-1",
        closed_at=hours_ago(2),
        guest_phone="13812345678",
        party_size=12,
        lines=[{"dish_code": "D001", "qty": "1"}],
        payments=[{"method": "cash", "amount": "128"}],
    )
    assert tags_of(guest) == {"大桌": True}


# --- Nightly ---------------------------------------------------------------------------------
def test_the_nightly_refresh_takes_recent_guest_off_once_the_days_pass(org, hq, menu):
    recent = make_tag(
        hq, "近期到店", rule=[{"metric": "days_since_last_visit", "op": "<=", "value": 30}]
    )
    order_post(acting_user=hq, **order_args(org["store"], closed_at=hours_ago(2)))
    guest = Guest.objects.get()
    assert tags_of(guest) == {"近期到店": True}
    now = timezone.now()
    assert autotags_refresh_all(now=now + dt.timedelta(days=20)) == {
        "tags": 1,
        "added": 0,
        "removed": 0,
    }
    assert tags_of(guest) == {"近期到店": True}
    run = autotags_nightly(now=now + dt.timedelta(days=31, hours=1))
    assert run.ok and run.name == "autotags_refresh" and run.detail["removed"] == 1
    assert tags_of(guest) == {}
    entry = AuditEntry.objects.filter(object_type="guests.guesttag", object_id=str(recent.pk))
    assert entry.latest("seq").changes["removed_guests"] == [guest.pk]
    assert JobRun.objects.filter(name="autotags_refresh", ok=True).count() == 1


def test_the_nightly_refresh_takes_off_auto_taggings_of_a_tag_that_lost_its_rule(org, hq):
    guest = Guest.objects.create(name="甲", visit_count=5)
    tag = make_tag(hq, "常客", rule=[{"metric": "visit_count", "op": ">=", "value": 2}])
    autotags_refresh_all()
    assert tags_of(guest) == {"常客": True}
    services.guest_tag_update(acting_user=hq, tag=tag, rule=None)
    assert autotags_refresh_all()["removed"] == 1 and tags_of(guest) == {}


def test_the_nightly_refresh_stays_within_each_brand_group(org, hq, other_org):
    guest = Guest.objects.create(name="甲", visit_count=5)
    make_tag(hq, "常客", rule=[{"metric": "visit_count", "op": ">=", "value": 2}])
    with tenant_context(other_org["tenant"]):
        stranger = Guest.objects.create(name="乙", visit_count=9)
        GuestTag.objects.create(
            name="熟客", rule=[{"metric": "visit_count", "op": ">=", "value": 1}]
        )
    assert autotags_refresh_all()["added"] == 2
    assert tags_of(guest) == {"常客": True}
    with tenant_context(other_org["tenant"]):
        assert tags_of(stranger) == {"熟客": True}


def make_crowd(n: int, dish: Dish, store, prefix: str) -> dict[int, dict]:
    """``n`` guests with varied figures, dish tallies and party sizes; returns their facts."""
    now = timezone.now()
    facts = {}
    for i in range(n):
        guest = Guest.objects.create(
            name=f"客{i}",
            visit_count=i % 7,
            total_spend=Decimal(i * 50),
            last_visit_at=now - dt.timedelta(days=i % 45) if i % 5 else None,
        )
        times = i % 4
        if times:
            GuestDishTally.objects.create(guest=guest, dish=dish, times_ordered=times)
        party = (i % 13) if i % 3 else None
        Order.objects.create(
            store=store,
            pos_order_id=f"{prefix}-{i}",
            guest=guest,
            closed_at=now,
            party_size=party,
            subtotal=0,
            total=0,
            visit_counted=True,
        )
        facts[guest.pk] = {
            "visits": i % 7,
            "spend": Decimal(i * 50),
            "days": (i % 45) if i % 5 else None,
            "times": times,
            "party": party,
        }
    return facts


RULE = [
    {"metric": "visit_count", "op": ">=", "value": 2},
    {"metric": "total_spend", "op": "<=", "value": "4000"},
    {"metric": "days_since_last_visit", "op": "<=", "value": 30},
    {"metric": "ordered_dish", "dish": "D001", "op": "<=", "value": 2},
    {"metric": "max_party_size", "op": ">=", "value": 4},
]


def expected(facts: dict[int, dict]) -> set[int]:
    return {
        pk
        for pk, f in facts.items()
        if f["visits"] >= 2
        and f["spend"] <= 4000
        and f["days"] is not None
        and f["days"] <= 30
        and f["times"] <= 2
        and f["party"] is not None
        and f["party"] >= 4
    }


def test_the_refresh_is_set_based_and_agrees_with_the_rule_guest_by_guest(org, hq, menu):
    facts = make_crowd(30, menu["D001"], org["store"], "A")
    tag = make_tag(hq, "目标客", rule=RULE)
    want = expected(facts)
    assert 0 < len(want) < len(facts)
    assert set(matching_guests(tag.rule).values_list("pk", flat=True)) == want

    hand_set = next(pk for pk in facts if pk not in want)
    services.tag_add(acting_user=hq, guest=Guest.objects.get(pk=hand_set), tag=tag)
    with CaptureQueriesContext(connection) as few:
        tag_autotags_refresh(tag=tag)
    tagged = dict(GuestTagging.objects.filter(tag=tag).values_list("guest_id", "auto"))
    assert tagged == {**{pk: True for pk in want}, hand_set: False}

    more = make_crowd(
        120, menu["D001"], org["store"], "B"
    )  # four times the guests, the same number of queries
    GuestTagging.objects.filter(tag=tag, auto=True).delete()
    with CaptureQueriesContext(connection) as many:
        tag_autotags_refresh(tag=tag)
    assert len(many) == len(few)
    auto = set(GuestTagging.objects.filter(tag=tag, auto=True).values_list("guest_id", flat=True))
    assert auto == want | expected(more)

    for pk in list(facts)[:10]:  # one guest at a time, the same verdict as the set
        guest = Guest.objects.get(pk=pk)
        GuestTagging.objects.filter(guest=guest, auto=True).delete()
        guest_autotags_refresh(guest=guest)
        assert GuestTagging.objects.filter(guest=guest, tag=tag).exists() == (
            pk in want or pk == hand_set
        )


def test_a_changed_rule_is_applied_to_every_guest_after_commit(
    org, hq, django_capture_on_commit_callbacks
):
    guest = Guest.objects.create(name="甲", visit_count=3)
    tag = make_tag(hq, "常客")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.guest_tag_update(acting_user=hq, tag=tag, name="熟客")
    assert queued == []
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.guest_tag_update(
            acting_user=hq, tag=tag, rule=[{"metric": "visit_count", "op": ">=", "value": 3}]
        )
    assert len(queued) == 1
    autotags_refresh_tag.call_local(org["tenant"].pk, tag.pk)
    assert tags_of(guest) == {"熟客": True}


# --- The tag page ----------------------------------------------------------------------------
def test_the_tag_page_saves_a_rule_and_shows_errors_beside_it(client, hq):
    client.force_login(hq)
    rule = '[{"metric": "visit_count", "op": ">=", "value": 3}]'
    response = client.post(reverse("tag_list"), {"name": "常客", "colour": "#206bc4", "rule": rule})
    assert response.status_code == 302
    tag = GuestTag.objects.get()
    assert tag.rule == [{"metric": "visit_count", "op": ">=", "value": 3}]

    page = client.get(reverse("tag_edit", args=[tag.pk])).content.decode()
    assert tid("rule-editor") in page and "visit_count" in page and "x-ref" in page

    bad = client.post(
        reverse("tag_edit", args=[tag.pk]),
        {"name": "常客", "colour": "#206bc4", "rule": '[{"metric": "visit_count", "op": "<"}]'},
        headers=HX,
    ).content.decode()
    assert tid("error-rule") in bad and "条件 1" in bad
    not_json = client.post(
        reverse("tag_edit", args=[tag.pk]),
        {"name": "常客", "colour": "#206bc4", "rule": "[{"},
        headers=HX,
    ).content.decode()
    assert tid("error-rule") in not_json
    tag.refresh_from_db()
    assert tag.rule == [{"metric": "visit_count", "op": ">=", "value": 3}]

    client.post(reverse("tag_edit", args=[tag.pk]), {"name": "常客", "colour": "#206bc4"})
    tag.refresh_from_db()
    assert tag.rule is None  # an empty rule makes it a tag set by hand


def test_only_guest_editors_set_rules(client, users):
    client.force_login(users["waiter"])
    response = client.post(
        reverse("tag_list"),
        {
            "name": "常客",
            "colour": "#206bc4",
            "rule": '[{"metric": "visit_count", "op": ">=", "value": 3}]',
        },
    )
    assert response.status_code == 403 and not GuestTag.objects.exists()


def test_the_guest_page_marks_taggings_set_by_rule(client, hq):
    guest = Guest.objects.create(name="甲", visit_count=3)
    make_tag(hq, "常客", rule=[{"metric": "visit_count", "op": ">=", "value": 3}])
    friend = make_tag(hq, "朋友")
    services.tag_add(acting_user=hq, guest=guest, tag=friend)
    guest_autotags_refresh(guest=guest)
    client.force_login(hq)
    html = client.get(reverse("guest_detail", args=[guest.pk])).content.decode()
    assert html.count(tid("tag-chip")) == 2 and html.count(tid("tag-auto")) == 1


def test_metric_labels_cover_every_metric():
    assert [m for m, _label in autotags.metric_choices()] == list(autotags.METRICS)
