from django.urls import path

from . import views_tables
from .views import categories, dishes, spreadsheets

urlpatterns = [
    path("dishes/", dishes.dish_list, name="dish_list"),
    path("dishes/new/", dishes.dish_create, name="dish_create"),
    path("dishes/export.xlsx", spreadsheets.dish_export, name="dish_export"),
    path("dishes/import/", spreadsheets.dish_import, name="dish_import"),
    path("dishes/<int:pk>/", dishes.dish_edit, name="dish_edit"),
    path("dishes/<int:pk>/stores/", dishes.dish_availability, name="dish_availability"),
    path("categories/", categories.category_list, name="category_list"),
    path("categories/<int:pk>/", categories.category_edit, name="category_edit"),
    path("categories/<int:pk>/delete/", categories.category_delete, name="category_delete"),
]

# Rooms and tables (M2)

urlpatterns += [
    path("tables/", views_tables.tables_home, name="tables_home"),
    path("stores/<int:store_id>/tables/", views_tables.store_tables, name="store_tables"),
    path("stores/<int:store_id>/tables/new/", views_tables.table_create, name="table_create"),
    path("tables/<int:pk>/", views_tables.table_edit, name="table_edit"),
    path("areas/<int:pk>/delete/", views_tables.area_delete, name="area_delete"),
]
