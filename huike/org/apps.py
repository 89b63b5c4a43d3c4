from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "huike.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self):
        from . import permissions, roles  # noqa: F401  (registers permissions, fields, grants)
