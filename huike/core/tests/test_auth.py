from django.test import override_settings
from django.urls import reverse

from conftest import PASSWORD
from huike.core.models import AuditEntry


def login(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_sign_in_succeeds_and_is_audited_with_the_address(client, users):
    response = login(client, "t1-desk", PASSWORD, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302 and response["Location"] == "/"
    entry = AuditEntry.objects.filter(action="login").latest("seq")
    assert entry.actor == users["desk"] and entry.ip_address == "10.1.2.3"


def test_wrong_password_is_refused_in_chinese_and_audited(client, users):
    response = login(client, "t1-desk", "wrong")
    assert response.status_code == 400
    assert "用户名或密码错误" in response.content.decode()
    entry = AuditEntry.objects.filter(action="login_failed").latest("seq")
    assert entry.actor_name == "t1-desk" and entry.changes == {"reason": "wrong_credentials"}
    assert "_auth_user_id" not in client.session


def test_unknown_user_failure_goes_to_the_system_chain(client, db):
    login(client, "nobody", "x")
    entry = AuditEntry.objects.get(action="login_failed")
    assert entry.chain == "system" and entry.actor is None and entry.actor_name == "nobody"


@override_settings(HUIKE_LOGIN_MAX_FAILURES=3)
def test_repeated_failures_are_throttled_even_with_the_right_password(client, users):
    for _ in range(3):
        assert login(client, "t1-desk", "wrong").status_code == 400
    response = login(client, "t1-desk", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="login_failed", changes__reason="throttled").exists()


def test_sign_out_is_audited(client, users):
    login(client, "t1-desk", PASSWORD)
    client.post(reverse("logout"))
    assert AuditEntry.objects.filter(action="logout", actor=users["desk"]).exists()


def test_next_must_stay_on_this_site(client, users):
    response = client.post(
        reverse("login") + "?next=https://evil.example/",
        {"username": "t1-desk", "password": PASSWORD},
    )
    assert response["Location"] == "/"
