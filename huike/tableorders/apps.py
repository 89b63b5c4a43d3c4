from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TableordersConfig(AppConfig):
    name = "huike.tableorders"
    label = "tableorders"
    verbose_name = _("Table orders")

    def ready(self):
        from . import permissions  # noqa: F401  (register the codes)
