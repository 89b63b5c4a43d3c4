from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    name = "huike.loyalty"
    label = "loyalty"
    verbose_name = _("Membership and loyalty")

    def ready(self):
        from huike.orders import hooks

        from . import alerts, permissions  # noqa: F401  (register the home alert, the codes)
        from .checkout import checkout_post, claims, correction_guard, refund_taken_back

        hooks.register_member_checkout(claims, checkout_post)
        hooks.register_refund_hook(refund_taken_back)
        hooks.register_correction_guard(correction_guard)
