"""The notice policy page and API: who may see and change it, previews, and bad input refused
with a clear message and nothing saved."""

from __future__ import annotations

from django.urls import reverse

from huike.core.testing import assert_problem
from huike.notices.models import NoticePolicy

from .test_services import POLICY


def _form(**change):
    data = {**POLICY, **change}
    data["reminder_day_before_at"] = data["reminder_day_before_at"] or ""
    return {k: v for k, v in data.items() if v is not False}


def test_the_page_shows_the_defaults_with_previews(client, org, users):
    client.force_login(users["captain"])  # reservations.view, not notices.manage
    page = client.get(reverse("notice_policy"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="notice-preview" data-kind="reminder"' in html
    assert "王先生您好，温馨提醒" in html and "牡丹厅" in html
    assert 'data-testid="policy-read-only"' in html and "notice-policy-save" not in html
    assert client.post(reverse("notice_policy"), _form()).status_code == 403
    assert NoticePolicy.objects.count() == 0


def test_a_manager_saves_a_store_policy(client, org, users):
    client.force_login(users["manager"])
    store = org["store"]
    response = client.post(
        reverse("notice_policy"), _form(store=store.pk, reminder_minutes=90, reminder_on=False)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    policy = NoticePolicy.objects.get()
    assert (policy.store_id, policy.reminder_minutes, policy.reminder_on) == (store.pk, 90, False)
    page = client.get(reverse("notice_policy"), {"store": store.pk}).content.decode()
    assert 'value="90"' in page and 'data-testid="policy-inherited"' not in page


def test_bad_input_on_the_page_is_shown_beside_the_field(client, org, users):
    client.force_login(users["hq"])
    response = client.post(
        reverse("notice_policy"),
        _form(reminder_minutes=-10, reminder_text="{guest} 您的{price}"),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        'data-testid="error-reminder_minutes"' in html
        and 'data-testid="error-reminder_text"' in html
    )
    assert "{price}" in html
    assert NoticePolicy.objects.count() == 0


def test_api_reads_and_sets_the_policy(org, api):
    hq = api("hq")
    body = hq.get("/notices/policy").json()
    assert (
        body["own"] is False and body["reminder_minutes"] == 120 and "guest" in body["placeholders"]
    )
    saved = hq.put("/notices/policy", {**POLICY, "reminder_minutes": 60})
    assert saved.status_code == 200, saved.json()
    assert saved.json()["own"] is True and saved.json()["reminder_minutes"] == 60
    again = hq.get(f"/notices/policy?store={org['store'].pk}").json()
    assert (again["own"], again["reminder_minutes"]) == (False, 60)


def test_api_refuses_bad_input_clearly(org, api):
    hq = api("hq", language="en")
    negative = hq.put("/notices/policy", {**POLICY, "reminder_minutes": -1})
    body = assert_problem(negative, 400, "invalid_input", ["reminder_minutes"])
    assert "negative" in body["fields"]["reminder_minutes"][0]
    unknown = hq.put("/notices/policy", {**POLICY, "confirmation_text": "{name}您好"})
    body = assert_problem(unknown, 400, "invalid_input", ["confirmation_text"])
    assert "Unknown placeholder {name}" in body["fields"]["confirmation_text"][0]
    assert NoticePolicy.objects.count() == 0
    assert api("desk").put("/notices/policy", POLICY).status_code == 403
    assert api("captain").get("/notices/policy").status_code == 200


def test_the_frozen_migration_grants_match_the_app(org):
    import importlib

    from huike.notices.permissions import GRANTS
    from huike.org.models import Role

    frozen = importlib.import_module("huike.notices.migrations.0002_grant_default_permissions")
    assert frozen.GRANTS == GRANTS
    roles = {r.code: set(r.permissions) for r in Role.objects.all()}
    assert "notices.manage" in roles["marketing"] and "notices.manage" not in roles["waiter"]
