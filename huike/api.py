"""The REST API under /api/v1/: django-ninja, bearer API keys or the console session."""

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from huike.core import api_errors
from huike.core.api import router as core_router
from huike.core.api_auth import ApiKeyAuth, StaffSessionAuth
from huike.org.api import router as org_router


class UnicodeJSONRenderer(JSONRenderer):
    """Chinese text as itself, not as \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=UnicodeJSONRenderer(),
    title="Huike API",
    version="1",
    description="Huike (回客) restaurant CRM. Errors share one shape: {code, message, fields}; "
    "send Accept-Language: en for English messages (Simplified Chinese by default).",
    auth=[ApiKeyAuth(), StaffSessionAuth()],
    urls_namespace="api",
)
api_errors.install(api)
api.add_router("/", core_router)
api.add_router("/", org_router)
for router in (
    "huike.guests.api_merge.router",
    "huike.guests.api.router",
    "huike.guests.api_capture.router",
    "huike.guests.api_360.router",
    "huike.guests.api_privacy.router",
    "huike.menu.api.router",
    "huike.menu.api_tables.router",
    "huike.orders.api.router",
    "huike.competitors.api.router",
    "huike.messaging.api.router",
    "huike.loyalty.api.router",
    "huike.loyalty.api_checkout.router",
    "huike.loyalty.api_rules.router",
    "huike.coupons.api.router",
    "huike.pricing.api.router",
    "huike.gifts.api.router",
    "huike.recruitment.api.router",
    "huike.reservations.api.router",
    "huike.telephony.api.router",
    "huike.waitlist.api.router",
    "huike.notices.api.router",
    "huike.tableorders.api.router",
):
    api.add_router("/", router)
