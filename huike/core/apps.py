from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default = True
    name = "huike.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self):
        from . import permissions, tasks  # noqa: F401  (registers permissions and jobs)


class HuikeAdminConfig(admin_apps.AdminConfig):
    """The Django admin, on our site class (our permissions, the tenant's rows, audited)."""

    default = False
    default_site = "huike.core.admin_base.HuikeAdminSite"
