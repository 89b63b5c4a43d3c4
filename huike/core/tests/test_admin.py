from huike.core.models import AuditEntry
from huike.org.models import Brand


def test_hq_uses_the_back_office_for_its_own_tenant_only(client, org, other_org, users):
    client.force_login(users["hq"])
    page = client.get("/admin/org/store/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "测试集团一店" in html and "别家集团一店" not in html


def test_back_office_changes_are_audited_and_tenant_scoped(client, org, users):
    client.force_login(users["hq"])
    response = client.post(
        "/admin/org/brand/add/", {"name": "后台品牌", "code": "admin-brand", "active": "on"}
    )
    assert response.status_code == 302
    brand = Brand.objects.get(code="admin-brand")
    assert brand.tenant == org["tenant"]
    entry = AuditEntry.objects.filter(object_type="org.brand", object_id=str(brand.pk)).get()
    assert entry.action == "create" and entry.changes["via"] == "admin"


def test_duplicate_code_in_the_back_office_is_a_form_error(client, org, users):
    client.force_login(users["hq"])
    before = Brand.objects.count()
    response = client.post("/admin/org/brand/add/", {"name": "重复", "code": org["brand"].code})
    assert response.status_code == 200 and Brand.objects.count() == before
    assert "errorlist" in response.content.decode()


def test_waiter_cannot_enter_the_back_office(client, org, users):
    client.force_login(users["waiter"])
    response = client.get("/admin/org/store/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_admin_login_goes_through_the_console_sign_in(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
