from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecruitmentConfig(AppConfig):
    name = "huike.recruitment"
    label = "recruitment"
    verbose_name = _("Member recruitment")

    def ready(self):
        from . import panels, permissions  # noqa: F401  (register the home panel, the codes)
