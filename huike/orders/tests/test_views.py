"""Console pages of the orders app: list, detail, manual entry and import."""

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from huike.core.timeutils import zone
from huike.guests.models import Guest
from huike.orders.models import Order
from huike.orders.services import order_post

from .factories import order_args
from .test_imports import HEADER, csv_upload, rows

HX = {"HX-Request": "true"}


def tid(name: str) -> str:
    return f'data-testid="{name}"'


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_list_shows_what_the_role_may_see(client, org, users, menu):
    order_post(acting_user=users["hq"], **order_args(org["store"]))
    order_post(acting_user=users["hq"], **order_args(org["store2"], pos_order_id="P-2"))
    page = signed_in(client, users["hq"]).get(reverse("order_list")).content.decode()
    assert page.count(tid("order-row")) == 2 and tid("nav-orders") in page
    client.force_login(users["manager"])  # store scope: the first store
    page = client.get(reverse("order_list")).content.decode()
    assert page.count(tid("order-row")) == 1 and 'data-pos-order-id="P-0001"' in page
    client.force_login(users["cashier"])
    assert client.get(reverse("order_list")).status_code == 403
    assert tid("nav-orders") not in client.get(reverse("home")).content.decode()


def test_filters_answer_an_htmx_request_with_the_table_only(client, org, hq, menu):
    order_post(acting_user=hq, **order_args(org["store"]))
    order_post(acting_user=hq, **order_args(org["store2"], pos_order_id="P-2"))
    response = signed_in(client, hq).get(
        reverse("order_list"), {"store": org["store2"].pk}, headers=HX
    )
    html = response.content.decode()
    assert "<html" not in html and html.count(tid("order-row")) == 1
    assert 'data-pos-order-id="P-2"' in html
    assert (
        tid("order-empty") in client.get(reverse("order_list"), {"q": "nothing"}).content.decode()
    )


def test_the_detail_shows_lines_payments_and_refunds(client, org, hq, menu):
    order = order_post(acting_user=hq, **order_args(org["store"]))
    page = signed_in(client, hq).get(reverse("order_detail", args=[order.pk])).content.decode()
    assert page.count(tid("order-line")) == 3 and "¥286.00" in page
    assert "剁椒鱼头" in page and tid("order-payments") in page
    other = order_post(acting_user=hq, **order_args(org["store2"], pos_order_id="P-2"))
    client.force_login(org["users"]["manager"])
    assert client.get(reverse("order_detail", args=[other.pk])).status_code == 404


def entry_post(org, menu, **changes):
    local = timezone.now().astimezone(zone("Asia/Shanghai")) - timezone.timedelta(hours=1)
    data = {
        "entry_token": "M-test-1",
        "store": org["store"].pk,
        "closed_at": local.strftime("%Y-%m-%dT%H:%M"),
        "table_label": "8号桌",
        "party_size": "2",
        "guest_phone": "13812345678",
        "discount": "",
        "service_charge": "",
        "line_dish": [menu["D001"].pk, menu["D003"].pk],
        "line_tier": ["hall", "regular"],
        "line_qty": ["1", "2"],
        "line_price": ["118.00", ""],
        "pay_method": ["wechat"],
        "pay_amount": ["124.00"],
    }
    data.update(changes)
    return data


def test_manual_entry_posts_the_order_once(client, org, hq, menu):
    signed_in(client, hq)
    form = client.get(reverse("order_entry")).content.decode()
    assert tid("line-editor") in form and "D001" in form
    response = client.post(reverse("order_entry"), entry_post(org, menu))
    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("order_detail", args=[order.pk])
    assert (order.pos_order_id, order.source, order.total) == ("M-test-1", "manual", Decimal("124"))
    assert Guest.objects.get().visit_count == 1
    again = client.post(reverse("order_entry"), entry_post(org, menu), headers=HX)
    assert again.status_code == 204 and Order.objects.count() == 1  # a double submit


def test_manual_entry_shows_what_is_wrong_and_writes_nothing(client, org, hq, menu):
    signed_in(client, hq)
    response = client.post(
        reverse("order_entry"),
        entry_post(org, menu, line_qty=["-1", "2"], pay_amount=["1.00"], guest_phone="123"),
    )
    html = response.content.decode()
    assert response.status_code == 200 and tid("form-errors") in html
    assert tid("error-guest_phone") in html
    assert Order.objects.count() == 0 and Guest.objects.count() == 0
    assert "&quot;qty&quot;: &quot;-1&quot;" in html  # the line editor keeps what was typed


def test_a_cashier_enters_orders_and_returns_to_the_form(client, org, users, menu):
    signed_in(client, users["cashier"])
    response = client.post(reverse("order_entry"), entry_post(org, menu))
    assert response.status_code == 302 and response["Location"] == reverse("order_entry")
    assert Order.objects.get().created_by == users["cashier"]
    client.force_login(users["waiter"])
    assert client.get(reverse("order_entry")).status_code == 403


def test_the_import_page_reports_row_errors(client, org, hq, menu):
    signed_in(client, hq)
    assert tid("order-import-form") in client.get(reverse("order_import")).content.decode()
    response = client.post(
        reverse("order_import"), {"file": csv_upload([HEADER, *rows()])}, headers=HX
    )
    html = response.content.decode()
    assert "<html" not in html and tid("import-report") in html
    assert html.count(tid("import-error")) == 1 and "D999" in html
    assert Order.objects.count() == 2
    bad = client.post(reverse("order_import"), {"file": csv_upload([["nothing"], ["1"]])})
    assert tid("form-errors") in bad.content.decode() and Order.objects.count() == 2


def test_the_import_template_lists_the_columns(client, org, hq):
    response = signed_in(client, hq).get(reverse("order_import_template"))
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert text.splitlines()[0].startswith("store_code,pos_order_id,closed_at")
