"""Personal data pages (X4), under /guests/ (beside guests/urls.py)."""

from django.urls import path

from .views import privacy

urlpatterns = [
    path("<int:pk>/personal-data/", privacy.guest_privacy, name="guest_privacy"),
    path(
        "<int:pk>/personal-data.<slug:fmt>",
        privacy.guest_personal_data_download,
        name="guest_personal_data_download",
    ),
]
