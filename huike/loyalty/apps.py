from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    name = "huike.loyalty"
    label = "loyalty"
    verbose_name = _("Membership and loyalty")

    def ready(self):
        from . import alerts, permissions  # noqa: F401  (register the home alert, the codes)
