"""Fixtures shared by every app's tests: a brand group with its org, one user per role."""

from __future__ import annotations

import os

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer

from huike.core.tenancy import activate_tenant, deactivate_tenant

PASSWORD = "huike-test-pw"

# The live test server listens with Django's default backlog of 10: the concurrency tests'
# fifty simultaneous connections overflow it on a busy machine and the kernel resets some (a
# harness artefact, not an answer of the app). Set before the session's live server starts.
ThreadedWSGIServer.request_queue_size = 128


def _setup_tenant(code: str, name: str):
    from huike.core.tenancy import tenant_context
    from huike.org import services
    from huike.org.models import OrgUnit, Role, Staff

    tenant = services.tenant_setup(
        name=name,
        code=code,
        admin_username=f"{code}-hq",
        admin_password=PASSWORD,
        admin_name="总部管理员",
    )
    with tenant_context(tenant):
        hq = Staff.objects.get(employee_no="HQ-0001").user
        brand = services.brand_create(acting_user=hq, name=f"{name}品牌", code=f"{code}-brand")
        store = services.store_create(
            acting_user=hq,
            brand=brand,
            name=f"{name}一店",
            code=f"{code}-s1",
            city="长沙",
            address="五一大道 1 号",
            latitude="28.1956",
            longitude="112.9763",
        )
        store2 = services.store_create(
            acting_user=hq,
            brand=brand,
            name=f"{name}二店",
            code=f"{code}-s2",
            city="上海",
            address="南京西路 2 号",
            time_zone="Asia/Shanghai",
        )
        top = OrgUnit.objects.get(parent=None)
        dept = services.org_unit_create(
            acting_user=hq, kind="department", name="营运部", parent=top
        )
        group = services.org_unit_create(acting_user=hq, kind="group", name="一组", parent=dept)
        users = {"hq": hq}
        for number, role in enumerate(Role.objects.exclude(code="hq"), start=2):
            staff = services.staff_create(
                acting_user=hq,
                username=f"{code}-{role.code}",
                password=PASSWORD,
                name=f"{role.code}员工",
                employee_no=f"E{number:03d}",
                role=role,
                store=store,
                org_unit=group,
                phone=f"1390000{number:04d}",
            )
            users[role.code] = staff.user
    return tenant, {
        "brand": brand,
        "store": store,
        "store2": store2,
        "department": dept,
        "group": group,
        "top": top,
        "users": users,
    }


@pytest.fixture
def org(db):
    """A brand group with one brand, two stores, a department and group, and one login per
    role (``org["users"]["waiter"]`` …); its tenant is active for the test."""
    tenant, data = _setup_tenant("t1", "测试集团")
    token = activate_tenant(tenant)
    yield {"tenant": tenant, **data}
    deactivate_tenant(token)


@pytest.fixture
def tenant(org):
    return org["tenant"]


@pytest.fixture
def users(org):
    return org["users"]


@pytest.fixture
def hq(users):
    return users["hq"]


@pytest.fixture
def other_org(db):
    """A second, unrelated brand group (for proving nothing crosses tenants)."""
    from huike.core.tenancy import tenant_context

    with tenant_context(None):
        tenant, data = _setup_tenant("t2", "别家集团")
    return {"tenant": tenant, **data}


@pytest.fixture
def api(users):
    """``api("hq")`` → a JSON client acting with that role's API key."""
    from huike.core.testing import ApiClient

    def make(role: str = "hq", *, language: str | None = None) -> ApiClient:
        return ApiClient(users[role], language=language)

    return make


@pytest.fixture(autouse=True)
def _english_off(settings):
    """Tests see the default language (zh-hans) unless they ask for another."""
    settings.LANGUAGE_CODE = "zh-hans"


def pytest_configure(config):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API in e2e


@pytest.fixture
def live_org(transactional_db):
    """The brand group of ``org``, committed for real (for ``live_server`` and concurrent
    requests, each on its own database connection); its tenant is active for the test."""
    tenant, data = _setup_tenant("t1", "测试集团")
    token = activate_tenant(tenant)
    yield {"tenant": tenant, **data}
    deactivate_tenant(token)
