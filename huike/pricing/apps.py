from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PricingConfig(AppConfig):
    name = "huike.pricing"
    label = "pricing"
    verbose_name = _("Member pricing")

    def ready(self):
        from . import permissions  # noqa: F401  (register the codes)
