"""The duplicate scan (G4): same phone, same name and birthday, similar names with the same phone
ending; dismissed pairs stay dismissed; pairs no longer found are dropped; the job covers every
brand group and is recorded."""

import datetime as dt

import pytest
from django.utils import timezone

from huike.core import errors
from huike.core.models import JobRun
from huike.core.tenancy import tenant_context
from huike.guests import services
from huike.guests.dedupe import (
    SCAN_JOB,
    candidate_dismiss,
    duplicates_scan,
    find_candidates,
    last_scan,
    open_candidates,
)
from huike.guests.models import MergeCandidate

BIRTHDAY = dt.date(1985, 6, 1)


def test_find_candidates_by_each_sign():
    guests = [
        (1, "张伟", None, "+8613800001111"),
        (2, "张伟", None, "+8613900002222"),  # shares a further phone with 1
        (3, "李娜", BIRTHDAY, "+8613700003333"),
        (4, "李 娜", BIRTHDAY, "+8613600004444"),  # same name (spacing aside) and birthday
        (5, "王小明", None, "+8613500005555"),
        (6, "王晓明", None, "+8618600005555"),  # similar name, same last four digits
        (7, "赵六", None, "+8618700005555"),  # same ending, unrelated name
    ]
    phones = [(2, "+8613800001111")]
    found = find_candidates(guests, phones, threshold=60)
    assert found[(1, 2)] == ("same_phone", 100)
    assert found[(3, 4)] == ("name_birthday", 100)
    reason, score = found[(5, 6)]
    assert reason == "close_name" and 60 <= score < 100
    assert (5, 7) not in found and (6, 7) not in found
    assert len(found) == 3


def test_a_stricter_threshold_drops_close_names():
    guests = [(5, "王小明", None, "+8613500005555"), (6, "王晓明", None, "+8618600005555")]
    assert find_candidates(guests, [], threshold=90) == {}


def test_the_strongest_sign_names_the_pair():
    guests = [(1, "张伟", BIRTHDAY, "+8613800001111"), (2, "张伟", BIRTHDAY, "+8613900001111")]
    found = find_candidates(guests, [(2, "+8613800001111")], threshold=60)
    assert found == {(1, 2): ("same_phone", 100)}


@pytest.fixture
def duplicates(org, hq):
    a = services.guest_create(acting_user=hq, name="张伟", primary_phone="13800001111")
    b = services.guest_create(acting_user=hq, name="张伟", primary_phone="13900002222")
    for guest in (a, b):  # the same office line, noted on both profiles
        services.guest_phone_add(acting_user=hq, guest=guest, phone="020 8888 6666", label="")
    c = services.guest_create(acting_user=hq, name="李娜", primary_phone="13700003333")
    return a, b, c


def test_the_scan_stores_pairs_and_records_the_run(org, hq, duplicates):
    a, b, _ = duplicates
    run = duplicates_scan(acting_user=hq, tenants=[org["tenant"]])
    assert run.name == SCAN_JOB and run.detail[str(org["tenant"].pk)]["new"] == 1
    candidate = MergeCandidate.objects.get()
    assert (candidate.guest_a_id, candidate.guest_b_id, candidate.reason) == (
        a.pk,
        b.pk,
        "same_phone",
    )
    assert last_scan(org["tenant"]) == run


def test_a_dismissed_pair_is_not_offered_again(org, hq, duplicates):
    duplicates_scan(tenants=[org["tenant"]])
    candidate = MergeCandidate.objects.get()
    candidate_dismiss(acting_user=hq, candidate=candidate)
    duplicates_scan(tenants=[org["tenant"]])
    assert MergeCandidate.objects.count() == 1
    assert list(open_candidates()) == []


def test_a_pair_no_longer_found_is_dropped(org, hq, duplicates):
    _, b, _ = duplicates
    duplicates_scan(tenants=[org["tenant"]])
    services.guest_phone_remove(acting_user=hq, phone=b.phones.get())
    duplicates_scan(tenants=[org["tenant"]])
    assert not MergeCandidate.objects.exists()


def test_the_nightly_scan_covers_every_brand_group(org, hq, duplicates, other_org):
    with tenant_context(other_org["tenant"]):
        their_hq = other_org["users"]["hq"]
        services.guest_create(
            acting_user=their_hq, name="周杰", primary_phone="13911112222", birthday=BIRTHDAY
        )
        services.guest_create(
            acting_user=their_hq, name="周 杰", primary_phone="13711113333", birthday=BIRTHDAY
        )
    run = duplicates_scan()
    assert run.ok and set(run.detail) == {str(org["tenant"].pk), str(other_org["tenant"].pk)}
    assert MergeCandidate.objects.count() == 1  # this tenant's; the other is kept apart
    with tenant_context(other_org["tenant"]):
        assert MergeCandidate.objects.get().reason == "name_birthday"


def test_scanning_and_dismissing_need_the_merge_permission(org, users, duplicates):
    with pytest.raises(errors.PermissionDenied):
        duplicates_scan(acting_user=users["desk"], tenants=[org["tenant"]])
    assert not JobRun.objects.filter(name=SCAN_JOB).exists()
    candidate = MergeCandidate.objects.create(
        guest_a=duplicates[0], guest_b=duplicates[1], reason="same_phone", found_at=timezone.now()
    )
    with pytest.raises(errors.PermissionDenied):
        candidate_dismiss(acting_user=users["desk"], candidate=candidate)
    candidate.refresh_from_db()
    assert candidate.dismissed_at is None
