"""The short public address a table's QR code carries: /t/<token>/."""

from django.urls import path

from . import views_public

urlpatterns = [
    path("<str:token>/", views_public.table_menu, name="table_qr"),
]
