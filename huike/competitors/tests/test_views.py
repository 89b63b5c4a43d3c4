"""Console pages of the competitors app: list, form, detail with notes and dishes added inline
through HTMX, the comparison page, and who may see them."""

import re

import pytest
from django.urls import reverse

from huike.competitors.models import Competitor, CompetitorDish, CompetitorNote
from huike.core.models import AuditEntry
from huike.core.tenancy import tenant_context
from huike.menu.tests.factories import category, dish

from .factories import competitor, competitor_dish

HX = {"HX-Request": "true"}


def tid(name: str) -> str:
    return f'data-testid="{name}"'


def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def ours(hq):
    return dish(hq, category(hq), "D001", "辣椒炒肉", price_regular="48.00", price_hall="42.00")


def test_nav_link_by_permission(org, client, users):
    home = reverse("home")
    assert tid("nav-competitors") in signed_in(client, users["manager"]).get(home).text
    assert tid("nav-competitors") not in signed_in(client, users["waiter"]).get(home).text


def test_list_and_htmx_filter(org, client, hq):
    competitor(hq, "费大厨", cuisine="湘菜")
    competitor(hq, "海底捞", cuisine="火锅", kind="partner")
    page = signed_in(client, hq).get(reverse("competitor_list"))
    assert page.status_code == 200
    assert page.text.count(tid("competitor-row")) == 2 and tid("competitor-create") in page.text
    partial = client.get(reverse("competitor_list"), {"kind": "partner"}, headers=HX)
    assert "<html" not in partial.text and partial.text.count(tid("competitor-row")) == 1
    assert "海底捞" in partial.text and "费大厨" not in partial.text


def test_create_and_edit(org, client, hq):
    signed_in(client, hq)
    response = client.post(
        reverse("competitor_create"),
        {"kind": "competitor", "name": "炊烟", "average_spend": "75", "active": "on"},
        headers=HX,
    )
    rival = Competitor.objects.get()
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("competitor_detail", args=[rival.pk])
    assert str(rival.average_spend) == "75.00"
    edit = client.post(
        reverse("competitor_edit", args=[rival.pk]),
        {"kind": "partner", "name": "炊烟小炒", "average_spend": ""},
    )
    assert edit.status_code == 302
    rival.refresh_from_db()
    assert (rival.kind, rival.name, rival.average_spend, rival.active) == (
        "partner",
        "炊烟小炒",
        None,
        False,
    )


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"average_spend": "-3"}, "average_spend"),
        ({"name": "x" * 81}, "name"),
        ({"website": "nope"}, "website"),
    ],
)
def test_form_shows_errors_beside_fields(org, client, hq, changes, field):
    data = {"kind": "competitor", "name": "炊烟", **changes}
    response = signed_in(client, hq).post(reverse("competitor_create"), data, headers=HX)
    assert response.status_code == 200
    assert tid(f"error-{field}") in response.text and tid("competitor-form") in response.text
    assert not Competitor.objects.exists()


def test_detail_adds_note_and_dish_inline(org, client, hq, ours):
    rival = competitor(hq)
    signed_in(client, hq)
    page = client.get(reverse("competitor_detail", args=[rival.pk]))
    assert tid("note-form") in page.text and tid("competitor-dish-form") in page.text
    note = client.post(
        reverse("competitor_note_add", args=[rival.pk]), {"text": "午市排队"}, headers=HX
    )
    assert note.status_code == 200 and "<html" not in note.text
    assert note.text.count(tid("note-row")) == 1 and "午市排队" in note.text
    assert CompetitorNote.objects.get().author == hq
    added = client.post(
        reverse("competitor_dish_add", args=[rival.pk]),
        {"name": "小炒肉", "price": "58", "observed_at": "2026-11-01", "our_dish": ours.pk},
        headers=HX,
    )
    assert added.status_code == 200 and added.text.count(tid("competitor-dish-row")) == 1
    assert "¥58.00" in added.text
    theirs = CompetitorDish.objects.get()
    assert theirs.our_dish == ours
    deleted = client.post(reverse("competitor_dish_delete", args=[rival.pk, theirs.pk]), headers=HX)
    assert deleted.status_code == 200 and tid("competitor-dish-empty") in deleted.text
    assert not CompetitorDish.objects.exists()


@pytest.mark.parametrize(
    "changes,field",
    [({"price": "-1"}, "price"), ({"name": "x" * 81}, "name"), ({"price": ""}, "price")],
)
def test_dish_form_errors(org, client, hq, changes, field):
    rival = competitor(hq)
    data = {"name": "小炒肉", "price": "58", "observed_at": "2026-11-01", **changes}
    response = signed_in(client, hq).post(
        reverse("competitor_dish_add", args=[rival.pk]), data, headers=HX
    )
    assert response.status_code == 400 and tid(f"error-{field}") in response.text
    assert not CompetitorDish.objects.exists()


def test_dish_form_refuses_another_tenants_dish(org, client, hq, other_org):
    with tenant_context(other_org["tenant"]):
        other_hq = other_org["users"]["hq"]
        foreign = dish(other_hq, category(other_hq), "F001", "外家菜")
    rival = competitor(hq)
    data = {"name": "小炒肉", "price": "58", "observed_at": "2026-11-01", "our_dish": foreign.pk}
    response = signed_in(client, hq).post(
        reverse("competitor_dish_add", args=[rival.pk]), data, headers=HX
    )
    assert response.status_code == 400 and tid("error-our_dish") in response.text
    assert "外家菜" not in response.text
    assert not CompetitorDish.objects.exists()


def test_another_tenants_competitor_is_404(org, client, hq, other_org):
    with tenant_context(other_org["tenant"]):
        foreign = competitor(other_org["users"]["hq"], "别家对手")
    signed_in(client, hq)
    assert client.get(reverse("competitor_detail", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("competitor_edit", args=[foreign.pk])).status_code == 404
    note = client.post(reverse("competitor_note_add", args=[foreign.pk]), {"text": "x"})
    assert note.status_code == 404
    with tenant_context(other_org["tenant"]):
        assert not CompetitorNote.objects.exists()


def test_comparison_page(org, client, hq, ours):
    competitor_dish(hq, competitor(hq, "费大厨"), price="58.00", our_dish=ours)
    competitor_dish(hq, competitor(hq, "炊烟"), price="39.90", our_dish=ours)
    page = signed_in(client, hq).get(reverse("competitor_comparison"))
    assert page.status_code == 200 and page.text.count(tid("comparison-row")) == 2
    diffs = re.findall(r'data-testid="comparison-difference">([^<]*)<', page.text)
    percents = re.findall(r'data-testid="comparison-percent">([^<]*)<', page.text)
    assert diffs == ["-¥8.10", "+¥10.00"] and percents == ["-16.9%", "+20.8%"]
    hall = client.get(reverse("competitor_comparison"), {"tier": "hall"}, headers=HX)
    assert "<html" not in hall.text
    assert re.findall(r'data-testid="comparison-percent">([^<]*)<', hall.text) == [
        "-5.0%",
        "+38.1%",
    ]


def test_manager_sees_but_cannot_change(org, client, hq, users):
    rival = competitor(hq)
    signed_in(client, users["manager"])
    page = client.get(reverse("competitor_detail", args=[rival.pk]))
    assert page.status_code == 200
    assert tid("note-form") not in page.text and tid("competitor-edit") not in page.text
    assert client.get(reverse("competitor_create")).status_code == 403
    refused = client.post(reverse("competitor_note_add", args=[rival.pk]), {"text": "x"})
    assert refused.status_code == 403 and not CompetitorNote.objects.exists()


@pytest.mark.parametrize("name", ["competitor_list", "competitor_comparison", "competitor_create"])
def test_waiter_refused_and_audited(org, client, users, name):
    response = signed_in(client, users["waiter"]).get(reverse(name))
    assert response.status_code == 403
    denial = AuditEntry.objects.filter(action=AuditEntry.Action.PERMISSION_DENIED).latest("seq")
    assert denial.actor == users["waiter"]
    assert denial.object_id.startswith("competitors.")


def test_bad_dish_without_htmx_shows_the_detail_page(org, client, hq):
    rival = competitor(hq)
    data = {"name": "小炒肉", "price": "-1", "observed_at": "2026-11-01"}
    response = signed_in(client, hq).post(reverse("competitor_dish_add", args=[rival.pk]), data)
    assert response.status_code == 400 and "<html" in response.text
    assert tid("error-price") in response.text and tid("competitor-name") in response.text
    saved = client.post(reverse("competitor_note_add", args=[rival.pk]), {"text": "新店开业"})
    assert saved.status_code == 302
    assert saved["Location"] == reverse("competitor_detail", args=[rival.pk])
