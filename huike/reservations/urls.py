from django.urls import path

from . import views, views_floor

urlpatterns = [
    path("", views.booking_day, name="booking_day"),
    path("new/", views.booking_new, name="booking_new"),
    path("floor/", views_floor.floor_page, name="floor"),
    path("floor/plan/", views_floor.floor_plan_partial, name="floor_plan"),
    path("tables/<int:pk>/clean/", views_floor.table_clean, name="table_clean"),
    path("<int:pk>/", views.booking_detail, name="booking_detail"),
    path("<int:pk>/<slug:action>/", views.booking_action, name="booking_action"),
]
