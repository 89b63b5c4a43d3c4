from django.urls import path

from . import views, views_public, views_scan

urlpatterns = [
    path("", views.template_list, name="coupon_template_list"),
    path("templates/new/", views.template_create, name="coupon_template_create"),
    path("templates/<int:pk>/", views.template_detail, name="coupon_template"),
    path("templates/<int:pk>/edit/", views.template_edit, name="coupon_template_edit"),
    path("scan/", views_scan.scan, name="coupon_scan"),
    path("code/<str:code>/", views.coupon_detail, name="coupon_detail"),
    path("c/<str:code>/", views_public.coupon_public, name="coupon_public"),
    path("c/<str:code>/qr.svg", views_public.coupon_qr, name="coupon_qr"),
]
