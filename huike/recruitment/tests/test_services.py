"""Recruitment targets (who may set them, bad periods and counts, overlaps) and progress
counted from the cards: the store, the staff member, the period's local dates, replacements."""

from __future__ import annotations

import datetime as dt

import pytest

from huike.core import errors
from huike.guests.services import guest_create
from huike.loyalty import services as loyalty
from huike.loyalty.models import MembershipCard
from huike.org.models import Role, Staff
from huike.recruitment import selectors, services
from huike.recruitment.models import RecruitmentTarget
from huike.recruitment.permissions import GRANTS

MAY_1, MAY_31 = dt.date(2026, 5, 1), dt.date(2026, 5, 31)


def staff_of(user) -> Staff:
    return Staff.objects.get(user=user)


def issue(
    org, user, *, store=None, at: dt.datetime | None = None, phone: str = ""
) -> MembershipCard:
    n = MembershipCard.objects.count()
    guest = guest_create(
        acting_user=org["users"]["hq"], name=f"会员{n}", primary_phone=phone or f"1370000{n:04d}"
    )
    card = loyalty.card_issue(acting_user=user, guest=guest, store=store or org["store"])
    if at is not None:
        MembershipCard.objects.filter(pk=card.pk).update(issued_at=at)
    return card


def shanghai(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo("Asia/Shanghai"))


def test_a_manager_sets_targets_for_their_own_store_only(org, users):
    manager = users["manager"]
    target = services.target_create(
        acting_user=manager, store=org["store"], period_start=MAY_1, period_end=MAY_31, target=30
    )
    assert target.staff is None and target.created_by == manager
    mine = services.target_create(
        acting_user=manager,
        store=org["store"],
        staff=staff_of(users["cashier"]),
        period_start="2026-05-01",
        period_end="2026-05-31",
        target=10,
    )
    assert mine.staff == staff_of(users["cashier"])
    with pytest.raises(errors.InvalidInput) as exc:
        services.target_create(
            acting_user=manager,
            store=org["store2"],
            period_start=MAY_1,
            period_end=MAY_31,
            target=5,
        )
    assert set(exc.value.fields) == {"store"}
    with pytest.raises(errors.PermissionDenied):
        services.target_create(
            acting_user=users["cashier"],
            store=org["store"],
            period_start=MAY_1,
            period_end=MAY_31,
            target=5,
        )
    assert RecruitmentTarget.objects.count() == 2


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"target": 0}, "target"),
        ({"target": -3}, "target"),
        ({"target": "many"}, "target"),
        ({"period_end": dt.date(2026, 4, 30)}, "period_end"),
        ({"period_start": "2026-13-01"}, "period_start"),
        ({"period_end": dt.date(2027, 6, 1)}, "period_end"),
        ({"store": 999999}, "store"),
    ],
)
def test_bad_targets_are_field_errors(org, hq, kwargs, field):
    data = {
        "store": org["store"],
        "period_start": MAY_1,
        "period_end": MAY_31,
        "target": 10,
        **kwargs,
    }
    with pytest.raises(errors.InvalidInput) as exc:
        services.target_create(acting_user=hq, **data)
    assert field in exc.value.fields
    assert not RecruitmentTarget.objects.exists()


def test_a_staff_member_of_another_store_is_refused(org, hq, users):
    with pytest.raises(errors.InvalidInput) as exc:
        services.target_create(
            acting_user=hq,
            store=org["store2"],
            staff=staff_of(users["cashier"]),
            period_start=MAY_1,
            period_end=MAY_31,
            target=3,
        )
    assert set(exc.value.fields) == {"staff"}


def test_overlapping_periods_of_the_same_store_or_staff_are_refused(org, hq, users):
    cashier = staff_of(users["cashier"])
    services.target_create(
        acting_user=hq, store=org["store"], period_start=MAY_1, period_end=MAY_31, target=30
    )
    with pytest.raises(errors.InvalidInput) as exc:
        services.target_create(
            acting_user=hq,
            store=org["store"],
            period_start=dt.date(2026, 5, 31),
            period_end=dt.date(2026, 6, 30),
            target=30,
        )
    assert exc.value.code == "target_overlaps" and set(exc.value.fields) == {"period_start"}
    # a staff member's target and another store's may share the days
    services.target_create(
        acting_user=hq,
        store=org["store"],
        staff=cashier,
        period_start=MAY_1,
        period_end=MAY_31,
        target=5,
    )
    services.target_create(
        acting_user=hq, store=org["store2"], period_start=MAY_1, period_end=MAY_31, target=5
    )
    with pytest.raises(errors.InvalidInput):
        services.target_create(
            acting_user=hq,
            store=org["store"],
            staff=cashier,
            period_start=dt.date(2026, 5, 15),
            period_end=dt.date(2026, 6, 15),
            target=5,
        )
    june = services.target_create(
        acting_user=hq,
        store=org["store"],
        period_start="2026-06-01",
        period_end="2026-06-30",
        target=20,
    )
    with pytest.raises(errors.InvalidInput) as exc:
        services.target_update(
            acting_user=hq, recruitment_target=june, period_start=dt.date(2026, 5, 20)
        )
    assert exc.value.code == "target_overlaps"
    assert RecruitmentTarget.objects.get(pk=june.pk).period_start == dt.date(2026, 6, 1)
    assert RecruitmentTarget.objects.count() == 4


def test_update_and_delete(org, hq, users):
    target = services.target_create(
        acting_user=hq, store=org["store"], period_start=MAY_1, period_end=MAY_31, target=30
    )
    services.target_update(acting_user=users["manager"], recruitment_target=target, target=40)
    assert RecruitmentTarget.objects.get(pk=target.pk).target == 40
    with pytest.raises(errors.InvalidInput) as exc:
        services.target_update(
            acting_user=hq, recruitment_target=target, period_end=dt.date(2026, 4, 1)
        )
    assert set(exc.value.fields) == {"period_end"}
    with pytest.raises(errors.InvalidInput):
        services.target_update(acting_user=hq, recruitment_target=target, store=org["store2"])
    services.target_delete(acting_user=users["manager"], recruitment_target=target)
    assert not RecruitmentTarget.objects.exists()


def test_progress_counts_new_cards_of_the_store_in_the_local_period(org, hq, users):
    cashier = users["cashier"]
    target = services.target_create(
        acting_user=hq, store=org["store"], period_start=MAY_1, period_end=MAY_31, target=4
    )
    mine = services.target_create(
        acting_user=hq,
        store=org["store"],
        staff=staff_of(cashier),
        period_start=MAY_1,
        period_end=MAY_31,
        target=2,
    )
    issue(org, cashier, at=shanghai(MAY_1, 0, 5))  # counts: first minutes of May 1 local
    issue(org, cashier, at=shanghai(MAY_31, 23, 55))  # counts: last minutes of May 31
    issue(org, users["manager"], at=shanghai(dt.date(2026, 5, 15), 12))  # the store, not mine
    issue(org, cashier, at=shanghai(dt.date(2026, 4, 30), 23, 59))  # before
    issue(org, cashier, at=shanghai(dt.date(2026, 6, 1), 0, 0))  # after
    issue(org, cashier, store=org["store2"], at=shanghai(dt.date(2026, 5, 10), 12))  # other store
    progress = selectors.target_progress(target, today=dt.date(2026, 5, 22))
    assert (progress.cards, progress.percent, progress.days_left) == (3, 75, 10)
    staff_progress = selectors.target_progress(mine, today=dt.date(2026, 6, 2))
    assert (staff_progress.cards, staff_progress.percent, staff_progress.days_left) == (2, 100, 0)
    before = selectors.target_progress(target, today=dt.date(2026, 4, 1))
    assert before.days_left == 31


def test_a_replacement_card_is_not_a_new_member(org, hq, users):
    target = services.target_create(
        acting_user=hq, store=org["store"], period_start=MAY_1, period_end=MAY_31, target=10
    )
    card = issue(org, users["cashier"], at=shanghai(dt.date(2026, 5, 3), 12))
    new = loyalty.card_replace(acting_user=hq, card=card)
    MembershipCard.objects.filter(pk=new.pk).update(issued_at=shanghai(dt.date(2026, 5, 4), 12))
    assert new.signed_up_by == users["cashier"]
    assert selectors.target_progress(target).cards == 1


def test_store_progress_ranks_staff_by_cards_signed(org, hq, users):
    services.target_create(
        acting_user=hq, store=org["store"], period_start=MAY_1, period_end=MAY_31, target=10
    )
    for _ in range(3):
        issue(org, users["cashier"], at=shanghai(dt.date(2026, 5, 5), 12))
    issue(org, users["manager"], at=shanghai(dt.date(2026, 5, 6), 12))
    issue(org, hq, at=shanghai(dt.date(2026, 5, 7), 12))  # HQ is on no store's staff
    (store,) = selectors.progress(user=users["manager"], period="2026-05")
    assert store.store == org["store"] and store.cards == 5 and store.others == 1
    assert [(r.staff.user_id, r.cards) for r in store.ranking[:2]] == [
        (users["cashier"].pk, 3),
        (users["manager"].pk, 1),
    ]
    assert store.targets[0].cards == 5 and store.targets[0].percent == 50
    everyone = selectors.progress(user=hq, period="2026-05")
    assert {s.store.pk for s in everyone} == {org["store"].pk, org["store2"].pk}
    with pytest.raises(errors.InvalidInput):
        selectors.progress(user=hq, period="May")
    with pytest.raises(errors.PermissionDenied):
        selectors.progress(user=users["cashier"])


def test_new_brand_groups_get_the_recruitment_grants(org):
    roles = {r.code: set(r.permissions) for r in Role.objects.all()}
    for role_code, codes in GRANTS.items():
        assert set(codes) <= roles[role_code]
    assert "recruitment.view" not in roles["cashier"]


def test_the_frozen_migration_grants_match_the_app(db):
    import importlib

    frozen = importlib.import_module("huike.recruitment.migrations.0002_grant_default_permissions")
    assert {k: set(v) for k, v in frozen.GRANTS.items()} == {k: set(v) for k, v in GRANTS.items()}


def test_the_demo_loads_once(db):
    from huike.org import demo as org_demo
    from huike.org.models import Store
    from huike.recruitment import demo

    tenant = org_demo.load()
    demo.load()
    demo.load()
    targets = RecruitmentTarget.all_tenants.filter(tenant=tenant)
    stores = Store.all_tenants.filter(tenant=tenant, active=True).count()
    assert targets.filter(staff__isnull=True).count() == stores
    assert targets.filter(staff__isnull=False).exists()
