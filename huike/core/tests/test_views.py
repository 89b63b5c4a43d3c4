"""Platform pages and helpers: the form helper, the 403/404 pages, audit search, home."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django import forms
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from huike.core import audit as audit_module
from huike.core import errors
from huike.core.audit import Action, audit_record
from huike.core.forms import ConsoleForm, apply_domain_error, run_service
from huike.core.middleware import DomainErrorPageMiddleware
from huike.core.models import AuditEntry
from huike.core.permissions import check_perm
from huike.org import services

HX = {"HX-Request": "true"}
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def tid(name: str) -> str:
    return f'data-testid="{name}"'


class PlaceForm(ConsoleForm):
    name = forms.CharField()
    code = forms.CharField(required=False)


# --- The form helper -------------------------------------------------------------------------
def test_domain_error_fields_go_beside_the_form_fields():
    form = PlaceForm({"name": "x", "code": "y"})
    assert form.is_valid()
    with translation.override("en"):
        apply_domain_error(
            form,
            errors.InvalidInput(
                fields={
                    "name": ["Too long."],
                    "__all__": ["Whole form."],
                    "secret": "Odd.",
                    "time_zone": ["Bad zone."],
                }
            ),
            field_map={"time_zone": "code"},
        )
        assert form.non_field_errors() == ["Whole form.", "secret: Odd."]
    assert form.errors["name"] == ["Too long."]
    assert form.errors["code"] == ["Bad zone."]
    assert "is-invalid" in form.fields["name"].widget.attrs["class"]
    assert form.fields["name"].widget.attrs["data-testid"] == "input-name"


def test_domain_error_without_fields_is_a_form_level_message():
    form = PlaceForm({"name": "x"})
    form.is_valid()
    apply_domain_error(form, errors.Conflict("Staff still hold this role."))
    assert form.non_field_errors() == ["Staff still hold this role."]
    assert "name" not in form.errors


def test_run_service_returns_the_result_or_the_errors():
    calls = []
    ok, value = run_service(PlaceForm({"name": "a"}), lambda data: calls.append(data) or "saved")
    assert (ok, value) == (True, "saved") and calls[0]["name"] == "a"

    form = PlaceForm({"name": ""})
    assert run_service(form, lambda data: calls.append(data)) == (False, None)
    assert len(calls) == 1 and "name" in form.errors  # the service is not called

    def refuse(data):
        raise errors.InvalidInput(fields={"code": ["Taken."]})

    form = PlaceForm({"name": "a", "code": "b"})
    assert run_service(form, refuse) == (False, None)
    assert form.errors["code"] == ["Taken."]


@pytest.mark.parametrize(
    "error", [errors.PermissionDenied(), errors.NotFound(), errors.NotAuthenticated()]
)
def test_run_service_lets_page_errors_through(error):
    def fail(data):
        raise error

    with pytest.raises(type(error)):
        run_service(PlaceForm({"name": "a"}), fail)


# --- 403 / 404 pages -------------------------------------------------------------------------
def test_a_denial_inside_a_rolled_back_transaction_still_gets_the_403_page_and_its_entry(
    org, users
):
    waiter = users["waiter"]
    request = RequestFactory().get("/org/roles/")
    request.user = waiter
    with pytest.raises(errors.PermissionDenied) as caught, transaction.atomic():
        check_perm(waiter, "org.manage_roles")
    assert not AuditEntry.objects.filter(action="permission_denied", actor=waiter).exists()
    response = DomainErrorPageMiddleware(lambda r: None).process_exception(request, caught.value)
    assert response.status_code == 403 and tid("forbidden") in response.content.decode()
    assert (
        AuditEntry.objects.filter(
            action="permission_denied", actor=waiter, object_id="org.manage_roles"
        ).count()
        == 1
    )


def test_not_found_and_not_authenticated_pages(org, users):
    middleware = DomainErrorPageMiddleware(lambda r: None)
    request = RequestFactory().get("/org/stores/999/")
    request.user = users["hq"]
    response = middleware.process_exception(request, errors.NotFound())
    assert response.status_code == 404 and tid("not-found") in response.content.decode()
    response = middleware.process_exception(request, errors.NotAuthenticated())
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    api_request = RequestFactory().get("/api/v1/stores")
    assert middleware.process_exception(api_request, errors.NotFound()) is None
    assert middleware.process_exception(request, ValueError()) is None


def test_htmx_requests_are_told_to_reload_or_sign_in(client, org, users):
    expired = client.get(reverse("store_list"), {"q": "x"}, headers=HX)
    assert expired.status_code == 204
    assert expired["HX-Redirect"].startswith(reverse("login") + "?next=")
    client.force_login(users["waiter"])
    refused = client.get(reverse("store_list"), headers=HX)
    assert refused.status_code == 403 and refused["HX-Refresh"] == "true"


def test_an_unknown_row_id_renders_the_404_page(client, org, hq):
    client.force_login(hq)
    response = client.get(reverse("store_edit", args=[987654]))
    assert response.status_code == 404 and tid("not-found") in response.content.decode()


# --- Sign-in and language switch hooks for browser tests -------------------------------------
def test_sign_in_and_language_switch_carry_test_ids(client, org, hq):
    page = client.get(reverse("login")).content.decode()
    for name in [
        "login-form",
        "login-username",
        "login-password",
        "login-submit",
        "language-switch",
        "language-select",
    ]:
        assert tid(name) in page
    response = client.post(reverse("login"), {"username": "t1-hq", "password": "wrong"})
    assert tid("login-error") in response.content.decode()


# --- Home ------------------------------------------------------------------------------------
def test_home_shows_real_figures(client, org, hq, users):
    client.force_login(hq)
    html = client.get(reverse("home")).content.decode()
    assert '<a class="text-reset" href="/org/stores/">2</a>' in html
    assert '<a class="text-reset" href="/org/staff/">10</a>' in html
    assert tid("home-recent-audit") in html and tid("figure-audit") in html
    services.store_create(
        acting_user=hq, brand=org["brand"], name="三店", code="t1-s3", city="长沙", address="x"
    )
    html = client.get(reverse("home")).content.decode()
    assert '<a class="text-reset" href="/org/stores/">3</a>' in html
    client.force_login(users["waiter"])
    waiter = client.get(reverse("home")).content.decode()
    assert tid("figure-staff") in waiter and tid("figure-audit") not in waiter
    assert tid("home-recent-audit") not in waiter and tid("home-new-store") not in waiter


# --- Audit search ----------------------------------------------------------------------------
@pytest.fixture
def dated_entries(org, hq, monkeypatch):
    """Two entries either side of midnight in Shanghai (both on 1 March in UTC)."""
    made = []
    for when, name in [
        (dt.datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI), "深夜"),
        (dt.datetime(2026, 3, 2, 0, 30, tzinfo=SHANGHAI), "凌晨"),
    ]:
        monkeypatch.setattr(audit_module, "timezone", SimpleNamespace(now=lambda w=when: w))
        made.append(
            audit_record(
                action=Action.EXPORT,
                actor=hq,
                object_type="org.store",
                object_id="4242",
                object_repr=name,
            )
        )
    monkeypatch.undo()
    return made


def rows(response) -> int:
    return response.content.decode().count(tid("audit-row"))


def test_audit_search_filters(client, org, hq, users, dated_entries):
    with pytest.raises(errors.PermissionDenied):
        check_perm(users["waiter"], "org.manage_roles")
    client.force_login(hq)
    url = reverse("audit_search")
    page = client.get(url)
    assert page.status_code == 200 and tid("audit-search-form") in page.content.decode()
    assert rows(client.get(url, {"action": "export"})) == 2
    assert rows(client.get(url, {"action": "permission_denied"})) == 1
    assert rows(client.get(url, {"actor": "t1-waiter"})) == 1
    assert (
        rows(client.get(url, {"actor": "t1-hq", "object_type": "org.store", "action": "create"}))
        == 2
    )
    assert rows(client.get(url, {"object": "4242"})) == 2
    assert rows(client.get(url, {"object": "凌晨"})) == 1
    assert rows(client.get(url, {"object": "一店"})) >= 1
    # dates are whole days in Asia/Shanghai: 23:30 on 1 March, 00:30 on 2 March
    only_second = client.get(
        url, {"action": "export", "since": "2026-03-02", "until": "2026-03-02"}
    )
    assert rows(only_second) == 1 and "凌晨" in only_second.content.decode()
    only_first = client.get(url, {"action": "export", "until": "2026-03-01"})
    assert rows(only_first) == 1 and "深夜" in only_first.content.decode()
    # shown in local time
    assert "2026-03-01 23:30:00" in only_first.content.decode()


def test_audit_search_bad_range_shows_the_error_and_no_rows(client, org, hq):
    client.force_login(hq)
    response = client.get(reverse("audit_search"), {"since": "2026-03-05", "until": "2026-03-01"})
    html = response.content.decode()
    assert response.status_code == 200 and tid("error-until") in html
    assert rows(response) == 0 and tid("audit-empty") in html
    assert 'value="2026-03-05"' in html  # the input is kept


def test_audit_search_paginates_by_50_and_keeps_the_filters(client, org, hq):
    for i in range(120):
        audit_record(
            action=Action.EXPORT, actor=hq, object_type="org.store", object_repr=f"导出{i}"
        )
    client.force_login(hq)
    first = client.get(reverse("audit_search"), {"action": "export"})
    html = first.content.decode()
    assert rows(first) == 50 and "导出119" in html and "导出69" not in html  # newest first
    assert 'data-count="120"' in html
    assert 'href="?action=export&amp;page=2"' in html
    last = client.get(reverse("audit_search"), {"action": "export", "page": 3})
    assert rows(last) == 20 and "导出0" in last.content.decode()


def test_audit_search_htmx_returns_only_the_results(client, org, hq):
    client.force_login(hq)
    response = client.get(reverse("audit_search"), {"action": "create"}, headers=HX)
    html = response.content.decode()
    assert "<html" not in html and tid("audit-search-form") not in html
    assert tid("audit-results") in html and rows(response) > 0


def test_audit_search_is_only_for_audit_readers(client, org, users):
    waiter = users["waiter"]
    client.force_login(waiter)
    response = client.get(reverse("audit_search"))
    assert response.status_code == 403 and tid("forbidden") in response.content.decode()
    assert AuditEntry.objects.filter(
        action="permission_denied", actor=waiter, object_id="core.view_audit"
    ).exists()


def test_audit_search_query_count_is_bounded(client, org, hq, django_assert_max_num_queries):
    for i in range(60):
        audit_record(action=Action.EXPORT, actor=hq, object_repr=f"导出{i}")
    client.force_login(hq)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("audit_search"))
    assert rows(response) == 50
