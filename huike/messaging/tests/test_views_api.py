"""The outbox page and GET /api/v1/messages: permissions, masking, filters, paging."""

import pytest
from django.urls import reverse

from huike.messaging import services
from huike.messaging.models import Message

HX = {"HX-Request": "true"}


@pytest.fixture
def outbox(org, no_sms):
    sent = services.message_enqueue(
        recipient="13800138000", purpose="test.hello", body="您好", reference="loyalty.coupon:1"
    )
    Message.objects.filter(pk=sent.pk).update(status=Message.Status.DELIVERED)
    failed = services.message_enqueue(
        recipient="13900139000",
        purpose="test.hello",
        body="您好",
        reference="reservations.booking:9",
    )
    Message.objects.filter(pk=failed.pk).update(
        status=Message.Status.FAILED, last_error="FailedOperation.PhoneNumberInBlacklist"
    )
    return {"delivered": sent, "failed": failed}


def page_of(client, user, **params):
    client.force_login(user)
    return client.get(reverse("message_list"), params)


def test_hq_sees_the_outbox_with_full_numbers(client, users, outbox):
    page = page_of(client, users["hq"])
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-testid="message-row"') == 2
    assert "138 0013 8000" in html and "138****8000" not in html
    assert 'data-testid="sms-not-configured"' in html


def test_marketing_sees_masked_numbers(client, users, outbox):
    html = page_of(client, users["marketing"]).content.decode()
    assert "138****8000" in html and "13800138000" not in html and "138 0013 8000" not in html


@pytest.mark.parametrize("role", ["waiter", "cashier", "desk"])
def test_other_roles_may_not_see_the_outbox(client, users, outbox, role):
    assert page_of(client, users[role]).status_code == 403


def test_status_filter_answers_a_partial_to_htmx(client, users, outbox):
    client.force_login(users["hq"])
    response = client.get(reverse("message_list"), {"status": "failed"}, headers=HX)
    html = response.content.decode()
    assert "<html" not in html
    assert f'data-message-id="{outbox["failed"].pk}"' in html
    assert f'data-message-id="{outbox["delivered"].pk}"' not in html
    assert "PhoneNumberInBlacklist" in html


def test_api_lists_pages_and_masks(api, outbox):
    body = api("marketing").get("/messages?limit=1").json()
    assert body["count"] == 2 and len(body["items"]) == 1
    assert body["items"][0]["id"] == outbox["failed"].pk  # newest first
    assert body["items"][0]["recipient"] == "139****9000"
    second = api("marketing").get("/messages?limit=1&offset=1").json()
    assert second["items"][0]["id"] == outbox["delivered"].pk
    full = api("hq").get("/messages?status=delivered").json()
    assert [m["recipient"] for m in full["items"]] == ["138 0013 8000"]
    assert full["items"][0]["status"] == "delivered"


def test_api_refuses_roles_without_the_permission(api, outbox):
    response = api("waiter").get("/messages")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_api_rejects_an_unknown_status(api, outbox):
    assert api("hq").get("/messages?status=lost").status_code in (400, 422)


def test_another_tenants_messages_stay_out_of_sight(api, client, users, outbox, other_org):
    from huike.core.tenancy import tenant_context

    with tenant_context(other_org["tenant"]):
        theirs = services.message_enqueue(
            recipient="13700137000", purpose="test.hello", body="别家", dedupe_key="same-key"
        )
    mine = services.message_enqueue(
        recipient="13700137000", purpose="test.hello", body="我家", dedupe_key="same-key"
    )
    assert mine.pk != theirs.pk  # the dedupe key is unique per tenant only
    ids = {m["id"] for m in api("hq").get("/messages").json()["items"]}
    assert mine.pk in ids and theirs.pk not in ids
    html = page_of(client, users["hq"]).content.decode()
    assert f'data-message-id="{theirs.pk}"' not in html


def test_the_page_costs_the_same_queries_for_many_messages(
    client, users, outbox, django_assert_max_num_queries
):
    client.force_login(users["hq"])
    client.get(reverse("message_list"))  # warm the session and permission caches
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("message_list"))
    for i in range(30):
        services.message_enqueue(recipient="13600136000", purpose="test.hello", body=f"第{i}条")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("message_list"))
    assert page.content.decode().count('data-testid="message-row"') == 32
