from django.urls import reverse

from huike.core.models import User


def test_default_language_is_simplified_chinese(client, db):
    response = client.get(reverse("login"))
    assert '<html lang="zh-hans">' in response.content.decode()


def test_browser_language_is_followed_when_the_user_has_no_choice(client, db):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="en">' in response.content.decode()


def test_the_page_switch_saves_the_users_choice(client, users):
    client.force_login(users["desk"])
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert User.objects.get(pk=users["desk"].pk).language == "en"
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert '<html lang="en">' in page  # the saved choice beats the browser


def test_an_unsupported_language_falls_back_to_chinese(client, users):
    client.force_login(users["desk"])
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert User.objects.get(pk=users["desk"].pk).language == ""


def test_api_follows_accept_language(api):
    zh = api("hq").post("/stores", {"brand": 1})
    en = api("hq", language="en").post("/stores", {"brand": 1})
    assert zh.json()["fields"]["name"] == ["这个字段是必填项。"]
    assert en.json()["fields"]["name"] == ["This field is required."]
