import pytest
from django.test import Client

from huike.guests.models import Guest
from huike.guests.services import guest_create
from huike.loyalty.services import card_issue
from huike.telephony import services
from huike.telephony.models import IncomingCall, TelephonyLine

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def known_call(line, hq, org, published):
    guest = guest_create(
        acting_user=hq, name="王芳", title="王总", primary_phone="13800138000", taboos="花生过敏"
    )
    card_issue(acting_user=hq, guest=guest, store=org["store"], number="C0001")
    call, _ = services.call_receive(line=line, call_id="c-1", caller="13800138000")
    return call


@pytest.fixture
def unknown_call(line, published):
    call, _ = services.call_receive(line=line, call_id="c-2", caller="13900001111")
    return call


def test_the_desk_page_listens_on_the_store_channel_and_lists_recent_calls(
    users, org, known_call, unknown_call
):
    response = client_for(users["desk"]).get(f"/telephony/desk/?store={org['store'].pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-live-channel="store:{org["store"].pk}:desk"' in html
    assert "live/live.js" in html and "telephony/desk.js" in html
    assert html.count('data-testid="desk-call"') == 2


def test_a_desk_user_cannot_open_another_stores_desk(users, org):
    response = client_for(users["desk"]).get(f"/telephony/desk/?store={org['store2'].pk}")
    assert response.status_code == 404


def test_roles_without_the_desk_permission_are_refused(users, known_call):
    client = client_for(users["waiter"])
    assert client.get("/telephony/desk/").status_code == 403
    assert client.get(f"/telephony/calls/{known_call.pk}/pop/").status_code == 403


def test_the_pop_of_a_known_caller_shows_the_guest_brief(users, known_call):
    response = client_for(users["manager"]).get(
        f"/telephony/calls/{known_call.pk}/pop/", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # the partial alone
    assert f'data-guest="{known_call.guest_id}"' in html
    assert "王芳" in html and "王总" in html and "花生过敏" in html
    assert 'data-testid="pop-card"' in html  # the manager sees the membership
    assert f"/reservations/new/?guest={known_call.guest_id}" in html
    assert "138****8000" in html and "13800138000" not in html


def test_the_pop_leaves_out_what_the_role_may_not_see(users, known_call):
    html = client_for(users["desk"]).get(f"/telephony/calls/{known_call.pk}/pop/").content.decode()
    assert "花生过敏" in html  # taboos: every role
    assert 'data-testid="pop-card"' not in html  # spend figures: not the desk
    hq_html = client_for(users["hq"]).get(f"/telephony/calls/{known_call.pk}/pop/").content.decode()
    assert "138 0013 8000" in hq_html  # the full phone: HQ only


def test_the_pop_of_an_unknown_number_offers_a_new_guest_prefilled(users, unknown_call):
    html = (
        client_for(users["desk"]).get(f"/telephony/calls/{unknown_call.pk}/pop/").content.decode()
    )
    assert 'data-testid="pop-unknown"' in html and 'data-testid="pop-guest-form"' in html
    assert 'value="+8613900001111"' in html
    assert "/reservations/new/?phone=%2B8613900001111" in html


def test_the_quick_form_creates_the_guest_and_links_the_call(users, unknown_call):
    response = client_for(users["desk"]).post(
        f"/telephony/calls/{unknown_call.pk}/guest/",
        {"guest-name": "李雷", "guest-title": "", "guest-primary_phone": "+8613900001111"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    guest = Guest.objects.get(primary_phone="+8613900001111")
    assert IncomingCall.objects.get(pk=unknown_call.pk).guest_id == guest.pk
    assert f'data-guest="{guest.pk}"' in response.content.decode()


def test_the_quick_form_refuses_a_bad_number_and_writes_nothing(users, unknown_call):
    response = client_for(users["desk"]).post(
        f"/telephony/calls/{unknown_call.pk}/guest/",
        {"guest-name": "李雷", "guest-primary_phone": "12345"},
    )
    assert response.status_code == 200
    assert 'data-testid="pop-guest-form"' in response.content.decode()
    assert not Guest.objects.filter(name="李雷").exists()
    assert IncomingCall.objects.get(pk=unknown_call.pk).guest_id is None


def test_a_desk_user_cannot_see_another_stores_call(users, org, hq, published):
    other = services.line_create(acting_user=hq, store=org["store2"], name="二店", code="desk-2")
    call, _ = services.call_receive(line=other, call_id="c-9", caller="13900001111")
    assert client_for(users["desk"]).get(f"/telephony/calls/{call.pk}/pop/").status_code == 404


def test_hq_adds_a_line_and_sees_its_secret_once(users, org):
    client = client_for(users["hq"])
    response = client.post(
        "/telephony/lines/", {"store": org["store"].pk, "name": "热线", "code": "hotline"}
    )
    assert response.status_code == 200
    line = TelephonyLine.objects.get(code="hotline")
    assert line.secret in response.content.decode()
    assert line.secret not in client.get("/telephony/lines/").content.decode()
    again = client.post(
        "/telephony/lines/", {"store": org["store"].pk, "name": "x", "code": "hotline"}
    )
    assert 'data-testid="line-secret"' not in again.content.decode()
    assert TelephonyLine.objects.count() == 1


def test_only_hq_manages_lines(users):
    assert client_for(users["manager"]).get("/telephony/lines/").status_code == 403
