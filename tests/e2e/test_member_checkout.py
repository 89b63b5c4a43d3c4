"""Browser test of the member checkout (T3, L7): a cashier enters a member's bill, holds the
guest's phone up to the till's camera — a fake camera here, playing a video of the coupon's QR
code as segno draws it — the QR is read (jsQR), the coupon priced into the bill, part of it
paid from stored value, and the member's new balances are shown."""

from __future__ import annotations

from decimal import Decimal

import pytest
import segno
from playwright.sync_api import expect

from huike.core.tenancy import tenant_context
from huike.coupons import services as coupon_services
from huike.coupons.models import Coupon
from huike.guests.services import guest_create
from huike.loyalty import services
from huike.loyalty.accrual import accrual_rule_create
from huike.orders.tests.factories import make_menu
from tests.e2e.conftest import CHROMIUM_ARGS, chromium_path, open_menu_item
from tests.e2e.test_orders import sign_in

pytestmark = pytest.mark.e2e

WIDTH, HEIGHT = 640, 480


def qr_video(code: str, path) -> None:
    """A few seconds of Y4M video (what Chromium's fake camera plays) showing the coupon's QR
    code, black on white, in the middle of the frame."""
    rows = list(segno.make_qr(code).matrix_iter(scale=8, border=4))
    size = len(rows)
    top, left = (HEIGHT - size) // 2, (WIDTH - size) // 2
    luma = bytearray(b"\xeb" * WIDTH * HEIGHT)  # white
    for y, row in enumerate(rows):
        for x, dark in enumerate(row):
            if dark:
                luma[(top + y) * WIDTH + left + x] = 0x10
    chroma = b"\x80" * (WIDTH // 2) * (HEIGHT // 2)
    frame = b"FRAME\n" + bytes(luma) + chroma + chroma
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        out.write(frame * 20)


@pytest.fixture
def member(live_org):
    with tenant_context(live_org["tenant"]):
        hq = live_org["users"]["hq"]
        make_menu()
        accrual_rule_create(
            acting_user=hq, kind="per_amount", name="每元1分", points=1, per_amount="1"
        )
        guest = guest_create(acting_user=hq, name="赵会员", primary_phone="13800138088")
        card = services.card_issue(acting_user=hq, guest=guest, store=live_org["store"])
        services.stored_value_top_up(acting_user=hq, card=card, amount="500")
        template = coupon_services.template_create(
            acting_user=hq,
            name="20元代金券",
            kind="cash",
            face_value="20",
            valid_days=30,
            stacks_with_member_pricing=True,
        )
        coupon = coupon_services.coupon_issue(
            acting_user=hq, template=template, guest=guest, send=False
        )
    return card, coupon


@pytest.fixture
def camera_page(browser, live_server, tmp_path, member):
    """A page of a browser whose camera plays the coupon's QR code."""
    video = tmp_path / "coupon-qr.y4m"
    qr_video(member[1].code, video)
    camera_browser = browser.browser_type.launch(
        executable_path=chromium_path(),
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    context = camera_browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    context.grant_permissions(["camera"])
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()
    camera_browser.close()


def test_a_cashier_scans_a_qr_coupon_at_checkout_and_sees_the_new_balance(
    live_org, member, camera_page
):
    card, coupon = member
    page = camera_page
    sign_in(page, "t1-cashier")
    open_menu_item(page, "nav-checkout")
    page.get_by_test_id("field-store").locator("select").select_option(str(live_org["store"].pk))
    page.get_by_test_id("field-member_card").locator("input").fill(card.number)
    page.get_by_test_id("line-dish").first.fill("D001")  # 剁椒鱼头 128.00

    page.get_by_test_id("coupon-camera").click()  # the camera reads the QR and prices the bill
    expect(page.get_by_test_id("bill-coupon")).to_contain_text(coupon.code)
    expect(page.get_by_test_id("bill-due")).to_have_text("¥108.00")
    expect(page.get_by_test_id("checkout-stored-value")).to_have_text("¥500.00")

    page.get_by_test_id("field-stored_value").locator("input").fill("108")
    page.get_by_test_id("checkout-pay").click()
    expect(page.get_by_test_id("checkout-done")).to_be_visible()
    expect(page.get_by_test_id("balance-stored-value")).to_have_text("¥392.00")
    expect(page.get_by_test_id("balance-points")).to_have_text("108")
    expect(page.get_by_test_id("done-coupon-used")).to_contain_text(coupon.code)

    with tenant_context(live_org["tenant"]):
        assert Coupon.objects.get(pk=coupon.pk).status == "redeemed"
        card.refresh_from_db()
        assert card.principal_balance == Decimal("392.00")
