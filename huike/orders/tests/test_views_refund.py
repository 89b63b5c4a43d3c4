"""Console pages for refunds and corrections of an order (order detail → Refund / Correct)."""

from decimal import Decimal

from django.urls import reverse

from huike.guests.models import Guest
from huike.orders.models import Order
from huike.orders.services import order_post, order_refund

from .factories import order_args

HX = {"HX-Request": "true"}


def tid(name: str) -> str:
    return f'data-testid="{name}"'


def refund_post(**changes) -> dict:
    data = {"refund_token": "R-test-1", "scope": "whole", "pos_order_id": "", "closed_at": ""}
    data.update(changes)
    return data


def correction_post(menu, **changes) -> dict:
    data = {
        "entry_token": "C-test-1",
        "pos_order_id": "",
        "closed_at": "",  # filled in by the test from the form's initial value
        "table_label": "牡丹厅",
        "party_size": "4",
        "guest_phone": "",
        "discount": "",
        "service_charge": "",
        "line_dish": [menu["D001"].pk],
        "line_tier": ["regular"],
        "line_qty": ["1"],
        "line_price": [""],
        "pay_method": ["wechat"],
        "pay_amount": ["128.00"],
    }
    data.update(changes)
    return data


def test_the_detail_offers_refund_and_correction_to_those_who_may_post(client, org, users, menu):
    order = order_post(acting_user=users["hq"], **order_args(org["store"]))
    client.force_login(users["manager"])
    page = client.get(reverse("order_detail", args=[order.pk])).content.decode()
    assert tid("order-refund") in page and tid("order-correct") in page
    client.force_login(users["marketing"])  # may see orders, may not post them
    page = client.get(reverse("order_detail", args=[order.pk])).content.decode()
    assert tid("order-lines") in page
    assert tid("order-refund") not in page and tid("order-correct") not in page
    assert client.get(reverse("order_refund", args=[order.pk])).status_code == 403
    response = client.post(reverse("order_refund", args=[order.pk]), refund_post())
    assert response.status_code == 403 and Order.objects.count() == 1
    assert client.get(reverse("order_correct", args=[order.pk])).status_code == 403


def test_a_manager_refunds_one_line_and_lands_on_the_refund(client, org, users, menu):
    order = order_post(acting_user=users["hq"], **order_args(org["store"]))
    client.force_login(users["manager"])
    form = client.get(reverse("order_refund", args=[order.pk])).content.decode()
    assert form.count(tid("refund-line")) == 3 and tid("input-line_2") in form
    response = client.post(
        reverse("order_refund", args=[order.pk]),
        refund_post(scope="lines", pos_order_id="RF-1", line_2="1"),
    )
    refund = Order.objects.get(kind="refund")
    assert response.status_code == 302
    assert response["Location"] == reverse("order_detail", args=[refund.pk])
    assert (refund.pos_order_id, refund.original_id, refund.source) == ("RF-1", order.pk, "manual")
    assert [(ln.line_no, ln.qty) for ln in refund.lines.all()] == [(1, Decimal("1"))]
    order.refresh_from_db()
    assert order.lines.get(line_no=2).refunded_qty == Decimal("1")
    page = client.get(response["Location"]).content.decode()
    assert "RF-1" in page and tid("order-refund") not in page  # a refund is not refunded
    detail = client.get(reverse("order_detail", args=[order.pk])).content.decode()
    assert tid("order-follow-ups") in detail and "RF-1" in detail


def test_a_whole_refund_over_htmx_redirects_and_hides_the_button(client, org, users, menu):
    order = order_post(acting_user=users["hq"], **order_args(org["store"]))
    client.force_login(users["manager"])
    response = client.post(reverse("order_refund", args=[order.pk]), refund_post(), headers=HX)
    refund = Order.objects.get(kind="refund")
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("order_detail", args=[refund.pk])
    assert refund.total == order.total and Guest.objects.get().visit_count == 0
    page = client.get(reverse("order_detail", args=[order.pk])).content.decode()
    assert tid("order-refund") not in page and tid("order-correct") in page
    again = client.post(reverse("order_refund", args=[order.pk]), refund_post(), headers=HX)
    assert again.status_code == 204 and Order.objects.filter(kind="refund").count() == 1


def test_service_errors_are_shown_beside_the_fields(client, org, users, menu):
    order = order_post(acting_user=users["hq"], **order_args(org["store"]))
    client.force_login(users["manager"])
    response = client.post(
        reverse("order_refund", args=[order.pk]),
        refund_post(scope="lines", line_2="5"),
        headers=HX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert tid("form-errors") in html and tid("error-line_2") in html
    assert "最多" in html or "At most" in html  # "At most 2 of this line are left to refund."
    assert Order.objects.count() == 1
    nothing = client.post(reverse("order_refund", args=[order.pk]), refund_post(scope="lines"))
    assert tid("error-scope") in nothing.content.decode() and Order.objects.count() == 1


def test_a_refund_of_an_order_refunded_in_full_is_refused_in_the_page(client, org, users, menu):
    order = order_post(acting_user=users["hq"], **order_args(org["store"]))
    order_refund(acting_user=users["hq"], order=order, pos_order_id="RF-ALL")
    client.force_login(users["manager"])
    form = client.get(reverse("order_refund", args=[order.pk])).content.decode()
    assert tid("refund-unavailable") in form
    response = client.post(reverse("order_refund", args=[order.pk]), refund_post())
    html = response.content.decode()
    assert response.status_code == 200 and tid("form-errors") in html
    assert Order.objects.filter(kind="refund").count() == 1


def test_a_correction_replaces_the_order(client, org, users, menu):
    order = order_post(acting_user=users["hq"], **order_args(org["store"]))
    client.force_login(users["manager"])
    form = client.get(reverse("order_correct", args=[order.pk]))
    html = form.content.decode()
    assert tid("line-editor") in html and tid("input-store") not in html
    assert "&quot;qty&quot;: &quot;4&quot;" in html  # the original's lines, to edit
    closed_at = form.context["form"].initial["closed_at"]
    response = client.post(
        reverse("order_correct", args=[order.pk]),
        correction_post(menu, closed_at=closed_at, pos_order_id="CR-1"),
    )
    correction = Order.objects.get(kind="correction")
    assert response.status_code == 302
    assert response["Location"] == reverse("order_detail", args=[correction.pk])
    assert (correction.total, correction.guest_id) == (Decimal("128.00"), order.guest_id)
    order.refresh_from_db()
    assert order.status == "superseded"
    page = client.get(reverse("order_detail", args=[order.pk])).content.decode()
    assert tid("order-refund") not in page and tid("order-correct") not in page
    guest = Guest.objects.get()
    assert (guest.visit_count, guest.total_spend) == (1, Decimal("128.00"))


def test_a_correction_shows_what_is_wrong_and_writes_nothing(client, org, users, menu):
    order = order_post(acting_user=users["hq"], **order_args(org["store"]))
    client.force_login(users["manager"])
    closed_at = (
        client.get(reverse("order_correct", args=[order.pk])).context["form"].initial["closed_at"]
    )
    response = client.post(
        reverse("order_correct", args=[order.pk]),
        correction_post(menu, closed_at=closed_at, pay_amount=["1.00"], guest_phone="123"),
        headers=HX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert tid("form-errors") in html and tid("error-guest_phone") in html
    assert "&quot;amount&quot;: &quot;1.00&quot;" in html  # the editor keeps what was typed
    assert Order.objects.count() == 1
    order.refresh_from_db()
    assert order.status == "posted"
