from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "huike.orders"
    label = "orders"
    verbose_name = _("Orders")

    def ready(self):
        from . import permissions  # noqa: F401  (registers permission codes)
