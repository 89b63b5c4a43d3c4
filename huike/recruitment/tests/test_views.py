"""Console pages of recruitment: the progress page and nav item, target forms, and the home
panel shown to a manager and not to a cashier (who lacks the permission)."""

from __future__ import annotations

from huike.guests.services import guest_create
from huike.loyalty import services as loyalty
from huike.org.models import Staff
from huike.recruitment import services
from huike.recruitment.models import RecruitmentTarget


def _this_month_target(org, hq, target: int = 10):
    from huike.core.timeutils import local_today

    today = local_today()
    return services.target_create(
        acting_user=hq,
        store=org["store"],
        period_start=today.replace(day=1),
        period_end=today,
        target=target,
    )


def test_the_home_panel_is_shown_to_a_manager_not_to_a_cashier(client, org, users, hq):
    _this_month_target(org, hq)
    guest = guest_create(acting_user=hq, name="新会员", primary_phone="13700001111")
    loyalty.card_issue(acting_user=users["cashier"], guest=guest, store=org["store"])
    client.force_login(users["manager"])
    home = client.get("/").content.decode()
    assert 'data-testid="home-panel-recruitment"' in home
    assert 'data-testid="staff-ranking"' in home and 'data-testid="staff-rank-cards">1<' in home
    assert 'data-testid="nav-recruitment"' in home
    client.force_login(users["cashier"])
    home = client.get("/").content.decode()
    assert 'data-testid="home-panel-recruitment"' not in home
    assert 'data-testid="nav-recruitment"' not in home
    assert client.get("/recruitment/").status_code == 403


def test_hq_sees_every_store_on_the_page(client, org, hq):
    _this_month_target(org, hq)
    client.force_login(hq)
    page = client.get("/recruitment/").content.decode()
    assert page.count('data-testid="store-progress"') == 2
    assert page.count('data-testid="target-row"') == 1
    home = client.get("/").content.decode()
    assert home.count('data-testid="panel-store"') == 2


def test_a_manager_sets_a_staff_target_on_the_form(client, org, users):
    cashier = Staff.objects.get(user=users["cashier"])
    client.force_login(users["manager"])
    assert client.get("/recruitment/targets/new/").status_code == 200
    made = client.post(
        "/recruitment/targets/new/",
        {
            "store": org["store"].pk,
            "staff": cashier.pk,
            "period_start": "2026-05-01",
            "period_end": "2026-05-31",
            "target": "8",
        },
    )
    assert made.status_code == 302
    target = RecruitmentTarget.objects.get()
    assert target.staff == cashier and target.target == 8
    bad = client.post(
        f"/recruitment/targets/{target.pk}/edit/",
        {
            "staff": cashier.pk,
            "period_start": "2026-05-01",
            "period_end": "2026-04-01",
            "target": "8",
        },
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 200 and 'data-testid="error-period_end"' in bad.content.decode()
    zero = client.post(
        f"/recruitment/targets/{target.pk}/edit/",
        {
            "staff": cashier.pk,
            "period_start": "2026-05-01",
            "period_end": "2026-05-31",
            "target": "0",
        },
        headers={"HX-Request": "true"},
    )
    assert 'data-testid="error-target"' in zero.content.decode()
    assert RecruitmentTarget.objects.get().target == 8
    gone = client.post(f"/recruitment/targets/{target.pk}/delete/")
    assert gone.status_code == 302 and not RecruitmentTarget.objects.exists()
