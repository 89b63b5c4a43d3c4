from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouponsConfig(AppConfig):
    name = "huike.coupons"
    label = "coupons"
    verbose_name = _("Coupons")

    def ready(self):
        from . import permissions  # noqa: F401  (register the codes)
