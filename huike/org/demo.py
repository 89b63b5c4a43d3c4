"""Demo organisation: one brand group, two brands, six stores in six cities, the org tree and
one login per role (password ``huike-demo``; demo data only)."""

from __future__ import annotations

from decimal import Decimal

from huike.core.models import Tenant
from huike.core.tenancy import tenant_context

from . import services
from .models import Brand, OrgUnit, Role, Staff, Store

TENANT_CODE = "demo"
PASSWORD = "huike-demo"

BRANDS = [("湘味小厨", "xiangwei"), ("粤港茶餐厅", "yuegang")]
LUNCH_DINNER = {
    d: [["10:30", "14:00"], ["17:00", "21:30"]]
    for d in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
}
LATE = {
    **LUNCH_DINNER,
    "fri": [["10:30", "14:00"], ["17:00", "02:00"]],
    "sat": [["10:30", "14:00"], ["17:00", "02:00"]],
}
STORES = [
    (
        "xiangwei",
        "湘味小厨·长沙五一广场店",
        "cs-wuyi",
        "长沙",
        "芙蓉区五一大道 389 号",
        "28.195600",
        "112.976300",
        "0731-84561234",
        LUNCH_DINNER,
    ),
    (
        "xiangwei",
        "湘味小厨·北京望京店",
        "bj-wangjing",
        "北京",
        "朝阳区望京街 10 号",
        "39.996700",
        "116.470300",
        "010-64781234",
        LUNCH_DINNER,
    ),
    (
        "xiangwei",
        "湘味小厨·上海静安店",
        "sh-jingan",
        "上海",
        "静安区南京西路 1618 号",
        "31.224300",
        "121.447600",
        "021-62881234",
        LATE,
    ),
    (
        "yuegang",
        "粤港茶餐厅·广州天河店",
        "gz-tianhe",
        "广州",
        "天河区天河路 208 号",
        "23.132500",
        "113.327600",
        "020-38881234",
        LATE,
    ),
    (
        "yuegang",
        "粤港茶餐厅·深圳福田店",
        "sz-futian",
        "深圳",
        "福田区福华三路 88 号",
        "22.535800",
        "114.055400",
        "0755-83281234",
        LUNCH_DINNER,
    ),
    (
        "yuegang",
        "粤港茶餐厅·成都春熙路店",
        "cd-chunxi",
        "成都",
        "锦江区春熙路 19 号",
        "30.657900",
        "104.081300",
        "028-86661234",
        LUNCH_DINNER,
    ),
]
# department → groups
ORG_TREE = {
    "营运部": ["长沙门店组", "华南门店组"],
    "市场部": ["会员营销组"],
    "招商热线中心": ["热线一组", "热线二组"],
}
# username, name, role, store code, group
ACCOUNTS = [
    ("desk", "刘晓燕", "desk", "cs-wuyi", "长沙门店组"),
    ("captain", "陈志强", "captain", "cs-wuyi", "长沙门店组"),
    ("waiter", "张小芳", "waiter", "cs-wuyi", "长沙门店组"),
    ("cashier", "李静", "cashier", "cs-wuyi", "长沙门店组"),
    ("manager", "王建国", "manager", "cs-wuyi", "长沙门店组"),
    ("marketing", "赵敏", "marketing", None, "会员营销组"),
    ("agent", "孙浩", "agent", None, "热线一组"),
    ("teamlead", "周丽", "teamlead", None, "热线一组"),
    ("leadadmin", "吴刚", "leadadmin", None, "热线二组"),
]


def load() -> Tenant:
    """Create the demo brand group, or complete it where pieces are missing (idempotent)."""
    tenant = Tenant.objects.filter(code=TENANT_CODE).first()
    if tenant is None:
        tenant = services.tenant_setup(
            name="湘粤餐饮集团",
            code=TENANT_CODE,
            admin_username="hq",
            admin_password=PASSWORD,
            admin_name="黄总部",
        )
    with tenant_context(tenant):
        hq = Staff.objects.get(user__username="hq").user
        brands = {}
        for name, code in BRANDS:
            brands[code] = Brand.objects.filter(code=code).first() or services.brand_create(
                acting_user=hq, name=name, code=code
            )
        stores = {}
        for brand, name, code, city, address, lat, lng, phone, hours in STORES:
            stores[code] = Store.objects.filter(code=code).first() or services.store_create(
                acting_user=hq,
                brand=brands[brand],
                name=name,
                code=code,
                city=city,
                address=address,
                latitude=Decimal(lat),
                longitude=Decimal(lng),
                phone=phone,
                opening_hours=hours,
            )
        top = OrgUnit.objects.get(kind=OrgUnit.Kind.ORGANISATION, parent=None)
        groups = {}
        for dept_name, group_names in ORG_TREE.items():
            dept = OrgUnit.objects.filter(
                parent=top, name=dept_name
            ).first() or services.org_unit_create(
                acting_user=hq, kind="department", name=dept_name, parent=top
            )
            for group_name in group_names:
                groups[group_name] = OrgUnit.objects.filter(
                    parent=dept, name=group_name
                ).first() or services.org_unit_create(
                    acting_user=hq, kind="group", name=group_name, parent=dept
                )
        roles = {r.code: r for r in Role.objects.all()}
        for number, (username, name, role, store, group) in enumerate(ACCOUNTS, start=2):
            if Staff.objects.filter(user__username=username).exists():
                continue
            services.staff_create(
                acting_user=hq,
                username=username,
                password=PASSWORD,
                name=name,
                employee_no=f"E{number:04d}",
                role=roles[role],
                org_unit=groups[group],
                store=stores[store] if store else None,
                brand=None if store else brands["xiangwei"],
                phone=f"1380000{number:04d}",
                title=str(roles[role].label),
            )
    return tenant
