from django.urls import path

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
