"""Pages: the booking page's pre-order section and its edit page, the table's public QR page over
its real URL (render, submit, double submit, unknown and old tokens), the staff tickets page
with confirm / reject, and the QR codes pages."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from huike.core.tenancy import tenant_context
from huike.tableorders import services
from huike.tableorders.models import PreOrderedDish, TableOrderTicket

from .conftest import book, make_floor, make_menu

pytestmark = pytest.mark.django_db


# --- Pre-order ---------------------------------------------------------------------------------
def test_the_booking_page_shows_the_pre_order_and_links_to_its_edit_page(
    client, org, users, floor, menu
):
    booking = book(org, users["hq"], floor["牡丹厅"], size=8)
    services.pre_order_set(
        acting_user=users["hq"],
        booking=booking,
        lines=[{"dish": menu["fish"].pk, "quantity": 2, "note": "少辣"}],
    )
    client.force_login(users["desk"])
    html = client.get(reverse("booking_detail", args=[booking.pk])).content.decode()
    assert 'data-testid="pre-order"' in html
    assert html.count('data-testid="pre-order-line"') == 1 and "少辣" in html
    assert "¥196.00" in html  # 2 × the VIP-room price 98
    assert reverse("pre_order_edit", args=[booking.pk]) in html


def test_the_edit_page_saves_the_list_and_shows_problems(client, org, users, floor, menu):
    booking = book(org, users["hq"], floor["A1"])
    client.force_login(users["desk"])
    url = reverse("pre_order_edit", args=[booking.pk])
    page = client.get(url)
    assert page.status_code == 200 and "剁椒鱼头" in page.content.decode()
    assert "口味虾" not in page.content.decode()  # switched off at this store

    saved = client.post(
        url,
        {
            "dish": [str(menu["fish"].pk), str(menu["tea"].pk), ""],
            "quantity": ["1", "3", ""],
            "note": ["", "热", ""],
        },
    )
    assert saved.status_code == 302
    rows = list(PreOrderedDish.objects.filter(booking=booking).values_list("dish_id", "quantity"))
    assert rows == [(menu["fish"].pk, 1), (menu["tea"].pk, 3)]

    bad = client.post(url, {"dish": [str(menu["off_here"].pk)], "quantity": ["1"], "note": [""]})
    assert bad.status_code == 400 and "口味虾" in bad.content.decode()
    assert PreOrderedDish.objects.filter(booking=booking).count() == 2  # unchanged


def test_a_cashier_cannot_edit_a_pre_order(client, org, users, floor, menu):
    booking = book(org, users["hq"], floor["A1"])
    client.force_login(users["cashier"])
    assert client.get(reverse("pre_order_edit", args=[booking.pk])).status_code == 403


# --- Public QR page -----------------------------------------------------------------------------
@pytest.fixture
def code(org, users, floor, menu):
    return services.table_code_get_or_create(acting_user=users["captain"], table=floor["A1"])


def _cart(page_html: str, **quantities) -> dict:
    key = re.search(r'name="key" value="([^"]+)"', page_html).group(1)
    return {"key": key, **quantities}


def test_the_qr_page_shows_the_menu_at_the_tables_price_without_anyone_personal(
    client, org, users, floor, menu, code
):
    book(org, users["hq"], floor["A1"])  # the guest 王芳 has booked this table
    page = client.get(f"/t/{code.token}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    assert "剁椒鱼头" in html and "¥88.00" in html and "¥98.00" not in html
    assert "口味虾" not in html and "旧菜" not in html
    assert "王芳" not in html and "13800138000" not in html
    assert html.index("湘菜热菜") < html.index("酒水")
    room_code = services.table_code_get_or_create(
        acting_user=users["captain"], table=floor["牡丹厅"]
    )
    assert "¥98.00" in client.get(f"/t/{room_code.token}/").content.decode()


def test_sending_the_order_over_the_real_url_and_a_double_tap_makes_one_ticket(client, menu, code):
    html = client.get(f"/t/{code.token}/").content.decode()
    form = _cart(html, **{f"qty_{menu['fish'].pk}": "2", f"qty_{menu['tea'].pk}": "1"})
    form[f"note_{menu['fish'].pk}"] = "不要香菜"
    form[f"qty_{menu['pork'].pk}"] = "0"
    first = client.post(f"/t/{code.token}/", form)
    second = client.post(f"/t/{code.token}/", form)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    ticket = TableOrderTicket.objects.get()
    assert ticket.total == Decimal("188.00")
    assert ticket.lines.get(dish=menu["fish"]).note == "不要香菜"
    done = client.get(first["Location"]).content.decode()
    assert 'data-testid="table-order-sent"' in done and "剁椒鱼头 ×2" in done


def test_the_qr_page_refuses_bad_carts_with_a_message(client, menu, code, monkeypatch):
    html = client.get(f"/t/{code.token}/").content.decode()
    empty = client.post(f"/t/{code.token}/", _cart(html))
    assert (
        empty.status_code == 400 and 'data-testid="table-order-problems"' in empty.content.decode()
    )
    off = client.post(f"/t/{code.token}/", _cart(html, **{f"qty_{menu['off_here'].pk}": "1"}))
    assert off.status_code == 400 and "口味虾" in off.content.decode()
    monkeypatch.setattr(services, "RATE_LIMIT", 1)
    client.post(f"/t/{code.token}/", _cart(html, **{f"qty_{menu['tea'].pk}": "1"}))
    html = client.get(f"/t/{code.token}/").content.decode()
    limited = client.post(f"/t/{code.token}/", _cart(html, **{f"qty_{menu['tea'].pk}": "1"}))
    assert limited.status_code == 429
    assert TableOrderTicket.objects.count() == 1


def test_unknown_and_regenerated_tokens_are_not_found(client, users, floor, code):
    assert client.get("/t/no-such-token-at-all-here/").status_code == 404
    assert client.get("/t/x/").status_code == 404
    old = code.token
    services.table_code_regenerate(acting_user=users["captain"], table=floor["A1"])
    assert client.get(f"/t/{old}/").status_code == 404
    assert client.post(f"/t/{old}/", {"key": "a" * 20}).status_code == 404
    assert client.get(reverse("table_menu", args=[code.token])).status_code == 404


def test_another_groups_table_code_opens_that_groups_menu_only(client, org, other_org, menu):
    with tenant_context(other_org["tenant"]):
        their_table = make_floor(other_org["store"])["A1"]
        their_menu = make_menu(other_org["store"])
        their_menu["fish"].name = "他家鱼头"
        their_menu["fish"].save()
        their_code = services.table_code_get_or_create(
            acting_user=other_org["users"]["captain"], table=their_table
        )
    html = client.get(f"/t/{their_code.token}/").content.decode()
    assert "他家鱼头" in html and "别家集团一店" in html
    form = _cart(html, **{f"qty_{menu['fish'].pk}": "1"})  # our dish on their table
    assert client.post(f"/t/{their_code.token}/", form).status_code == 400
    with tenant_context(other_org["tenant"]):
        assert not TableOrderTicket.objects.exists()


# --- Staff -------------------------------------------------------------------------------------
@pytest.fixture
def ticket(code, menu):
    found, _ = services.table_order_submit(
        code=code, client_key="view-key-0001", lines=[{"dish": menu["fish"].pk, "quantity": 1}]
    )
    return found


def test_the_tickets_page_lists_new_orders_and_a_waiter_confirms(client, org, users, ticket):
    client.force_login(users["waiter"])
    page = client.get(reverse("table_orders"), {"store": org["store"].pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-live-events="table_order"' in html
    assert f'data-live-channel="store:{org["store"].pk}:floor"' in html
    assert html.count('data-testid="table-order"') == 1
    url = reverse("table_order_action", args=[ticket.pk, "confirm"])
    assert client.post(url).status_code == 302
    again = client.post(url, follow=True)
    assert "已处理" in again.content.decode() or "already" in again.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "confirmed" and ticket.confirmed_by == users["waiter"]
    partial = client.get(reverse("table_orders_list"), {"store": org["store"].pk})
    assert 'data-testid="table-order-handled"' in partial.content.decode()


def test_rejecting_from_the_page_needs_a_reason(client, users, ticket):
    client.force_login(users["captain"])
    url = reverse("table_order_action", args=[ticket.pk, "reject"])
    client.post(url, {"reason": ""})
    ticket.refresh_from_db()
    assert ticket.status == "new"
    client.post(url, {"reason": "售罄"})
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reject_reason) == ("rejected", "售罄")


def test_who_sees_and_handles_tickets(client, org, users, ticket):
    client.force_login(users["cashier"])
    assert client.get(reverse("table_orders")).status_code == 403
    client.force_login(users["desk"])  # sees the floor, does not handle orders
    page = client.get(reverse("table_orders")).content.decode()
    assert 'data-testid="table-order-confirm"' not in page
    assert (
        client.post(reverse("table_order_action", args=[ticket.pk, "confirm"])).status_code == 403
    )
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_another_groups_ticket_is_not_found(client, org, other_org, users, ticket):
    with tenant_context(other_org["tenant"]):
        outsider = other_org["users"]["captain"]
    client.force_login(outsider)
    url = reverse("table_order_action", args=[ticket.pk, "confirm"])
    assert client.post(url).status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_the_codes_page_makes_and_shows_qr_codes_and_a_new_code_replaces_the_old(
    client, org, users, floor
):
    client.force_login(users["manager"])
    page = client.get(reverse("table_codes"), {"store": org["store"].pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-testid="table-code"') == 4 and html.count("<svg") >= 4
    code = floor["A1"].order_code
    assert f"/t/{code.token}/" in html
    printable = client.get(reverse("table_codes_print"), {"store": org["store"].pk})
    assert printable.content.decode().count('data-testid="table-code-card"') == 4
    client.post(reverse("table_code_regenerate", args=[floor["A1"].pk]))
    code.refresh_from_db()
    assert f"/t/{code.token}/" in client.get(reverse("table_codes")).content.decode()
    assert code.token not in html
    client.force_login(users["desk"])
    assert client.get(reverse("table_codes")).status_code == 403
