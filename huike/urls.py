from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from huike.api import api
from huike.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    re_path(r"^api/", core_views.api_not_found),
    # The back office signs in through the console's audited, throttled sign-in.
    path("admin/login/", RedirectView.as_view(url="/login/", query_string=True)),
    path("admin/", admin.site.urls),
    path("", include("huike.core.urls")),
    path("org/", include("huike.org.urls")),
    path("guests/", include("huike.guests.urls")),
    path("guests/", include("huike.guests.urls_capture")),
    path("guests/", include("huike.guests.urls_privacy")),
    path("guests/", include("huike.guests.urls_merge")),
    path("menu/", include("huike.menu.urls")),
    path("orders/", include("huike.orders.urls")),
    path("competitors/", include("huike.competitors.urls")),
    path("loyalty/", include("huike.loyalty.urls")),
    path("coupons/", include("huike.coupons.urls")),
    path("pricing/", include("huike.pricing.urls")),
    path("gifts/", include("huike.gifts.urls")),
    path("recruitment/", include("huike.recruitment.urls")),
    path("live/", include("huike.live.urls")),
    path("reservations/", include("huike.reservations.urls")),
    path("telephony/", include("huike.telephony.urls")),
    path("waitlist/", include("huike.waitlist.urls")),
    path("notices/", include("huike.notices.urls")),
    path("table-orders/", include("huike.tableorders.urls")),
    path("t/", include("huike.tableorders.urls_public")),
    path("messages/", include("huike.messaging.urls")),
]
