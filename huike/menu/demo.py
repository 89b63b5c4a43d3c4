"""Demo menu for the demo brand group: 湘菜 (the 湘味小厨 brand) and 粤式 (粤港茶餐厅) dishes,
dim sum, drinks and the tea charge, with hall ≤ regular ≤ VIP-room prices, and a few dishes off
the menu of some stores. Idempotent: what exists is left as it is."""

from __future__ import annotations

from huike.core.models import Tenant
from huike.core.tenancy import tenant_context
from huike.org import demo as org_demo
from huike.org.models import Staff, Store

from . import services
from .models import Dish, DishAvailability, DishCategory

CATEGORIES = [
    ("湘菜热菜", 10),
    ("湘菜凉菜", 20),
    ("粤式烧味", 30),
    ("粤式点心", 40),
    ("茶餐厅小食", 50),
    ("主食", 60),
    ("酒水饮料", 70),
    ("服务", 80),
]
# code, name, category, unit, kind, regular, hall, VIP room, service charge, flags
# flags: d = not discountable, r = recommended, f = featured for push
DISHES = [
    ("XC001", "剁椒鱼头", "湘菜热菜", "份", "dish", "128.00", "118.00", "148.00", "0", "rf"),
    ("XC002", "小炒黄牛肉", "湘菜热菜", "份", "dish", "68.00", "62.00", "78.00", "0", "r"),
    ("XC003", "辣椒炒肉", "湘菜热菜", "份", "dish", "48.00", "42.00", "56.00", "0", "r"),
    ("XC004", "口味虾", "湘菜热菜", "斤", "dish", "138.00", "128.00", "158.00", "0", "rf"),
    ("XC005", "毛氏红烧肉", "湘菜热菜", "份", "dish", "78.00", "72.00", "88.00", "0", ""),
    ("XC006", "农家一碗香", "湘菜热菜", "份", "dish", "42.00", "38.00", "48.00", "0", ""),
    ("XC007", "腊味合蒸", "湘菜热菜", "份", "dish", "88.00", "82.00", "98.00", "0", ""),
    ("XC008", "酸豆角炒肉末", "湘菜热菜", "份", "dish", "36.00", "32.00", "42.00", "0", ""),
    ("XC009", "手撕包菜", "湘菜热菜", "份", "dish", "28.00", "26.00", "32.00", "0", ""),
    ("XC010", "擂辣椒皮蛋", "湘菜凉菜", "份", "dish", "26.00", "24.00", "30.00", "0", ""),
    ("XC011", "凉拌木耳", "湘菜凉菜", "份", "dish", "22.00", "20.00", "26.00", "0", ""),
    ("YS001", "蜜汁叉烧", "粤式烧味", "份", "dish", "68.00", "62.00", "78.00", "0", "r"),
    ("YS002", "脆皮烧鹅", "粤式烧味", "例", "dish", "88.00", "82.00", "98.00", "0", "rf"),
    ("YS003", "白切鸡", "粤式烧味", "半只", "dish", "78.00", "72.00", "88.00", "0", ""),
    ("DS001", "虾饺皇", "粤式点心", "笼", "dim_sum", "38.00", "34.00", "42.00", "0", "rf"),
    ("DS002", "干蒸烧卖", "粤式点心", "笼", "dim_sum", "32.00", "28.00", "36.00", "0", "r"),
    ("DS003", "叉烧包", "粤式点心", "笼", "dim_sum", "26.00", "24.00", "30.00", "0", ""),
    ("DS004", "豉汁蒸凤爪", "粤式点心", "笼", "dim_sum", "28.00", "26.00", "32.00", "0", ""),
    ("DS005", "流沙包", "粤式点心", "笼", "dim_sum", "26.00", "24.00", "30.00", "0", ""),
    ("DS006", "鲜虾肠粉", "粤式点心", "份", "dim_sum", "32.00", "28.00", "36.00", "0", ""),
    ("CC001", "菠萝油", "茶餐厅小食", "个", "dim_sum", "18.00", "16.00", "20.00", "0", "r"),
    ("CC002", "西多士", "茶餐厅小食", "份", "dim_sum", "26.00", "24.00", "30.00", "0", ""),
    ("CC003", "蛋挞", "茶餐厅小食", "个", "dim_sum", "8.00", "7.00", "10.00", "0", ""),
    ("ZS001", "米饭", "主食", "碗", "dish", "3.00", "3.00", "3.00", "0", "d"),
    ("ZS002", "干炒牛河", "主食", "份", "dish", "42.00", "38.00", "48.00", "0", ""),
    ("JS001", "丝袜奶茶", "酒水饮料", "杯", "drinks", "22.00", "20.00", "26.00", "0", "r"),
    ("JS002", "冻柠茶", "酒水饮料", "杯", "drinks", "18.00", "16.00", "20.00", "0", ""),
    ("JS003", "青岛啤酒", "酒水饮料", "瓶", "drinks", "12.00", "10.00", "15.00", "0", "d"),
    ("JS004", "王老吉", "酒水饮料", "罐", "drinks", "8.00", "7.00", "10.00", "0", "d"),
    ("JS005", "酒鬼酒·红坛", "酒水饮料", "瓶", "drinks", "398.00", "398.00", "458.00", "0", "d"),
    ("FW001", "茶位费", "服务", "位", "service", "5.00", "3.00", "8.00", "0", "d"),
    ("FW002", "包房服务费", "服务", "间", "service", "0.00", "0.00", "0.00", "100.00", "d"),
]
# (dish code, store code): off that store's menu
OFF_MENU = [
    ("XC004", "bj-wangjing"),  # 口味虾: fresh crayfish only in the south
    ("CC001", "cd-chunxi"),
    ("YS002", "cd-chunxi"),
    ("XC001", "sz-futian"),
]


def load() -> Tenant | None:
    """Create the demo menu in the demo brand group (after ``huike.org.demo.load``)."""
    tenant = Tenant.objects.filter(code=org_demo.TENANT_CODE).first()
    if tenant is None:
        return None
    with tenant_context(tenant):
        hq = Staff.objects.get(user__username="hq").user
        categories = {}
        for name, order in CATEGORIES:
            categories[name] = DishCategory.objects.filter(
                name=name
            ).first() or services.category_create(acting_user=hq, name=name, sort_order=order)
        dishes = {}
        for code, name, category, unit, kind, regular, hall, vip, charge, flags in DISHES:
            dishes[code] = Dish.objects.filter(code=code).first() or services.dish_create(
                acting_user=hq,
                category=categories[category],
                code=code,
                name=name,
                unit=unit,
                kind=kind,
                price_regular=regular,
                price_hall=hall,
                price_vip_room=vip,
                service_charge=charge,
                discountable="d" not in flags,
                recommended="r" in flags,
                featured="f" in flags,
            )
        stores = {s.code: s for s in Store.objects.all()}
        for dish_code, store_code in OFF_MENU:
            store = stores.get(store_code)
            if store is None:
                continue
            if not DishAvailability.objects.filter(dish=dishes[dish_code], store=store).exists():
                services.dish_set_availability(
                    acting_user=hq, dish=dishes[dish_code], store=store, active=False
                )
    return tenant
