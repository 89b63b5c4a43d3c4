from django.urls import path

from . import views, views_floor, views_rules, views_timeline

urlpatterns = [
    path("", views.booking_day, name="booking_day"),
    path("new/", views.booking_new, name="booking_new"),
    path("floor/", views_floor.floor_page, name="floor"),
    path("timeline/", views_timeline.timeline, name="booking_timeline"),
    path("floor/plan/", views_floor.floor_plan_partial, name="floor_plan"),
    path("tables/<int:pk>/clean/", views_floor.table_clean, name="table_clean"),
    path("slots/", views_rules.slots_partial, name="booking_slots"),
    path("stores/<int:store_id>/rules/", views_rules.rules_page, name="booking_rules"),
    path("stores/<int:store_id>/rules/new/", views_rules.rule_create, name="booking_rule_create"),
    path("rules/<int:pk>/", views_rules.rule_edit, name="booking_rule_edit"),
    path("rules/<int:pk>/delete/", views_rules.rule_delete, name="booking_rule_delete"),
    path("<int:pk>/", views.booking_detail, name="booking_detail"),
    path("<int:pk>/<slug:action>/", views.booking_action, name="booking_action"),
]
