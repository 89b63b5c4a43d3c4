from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "huike.messaging"
    label = "messaging"
    verbose_name = _("Messages to guests")

    def ready(self):
        from . import permissions  # noqa: F401  (registers permission codes)
