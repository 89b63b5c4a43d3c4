from django.urls import path

from .views import comparison, competitors, entries

urlpatterns = [
    path("", competitors.competitor_list, name="competitor_list"),
    path("new/", competitors.competitor_create, name="competitor_create"),
    path("comparison/", comparison.comparison, name="competitor_comparison"),
    path("<int:pk>/", competitors.competitor_detail, name="competitor_detail"),
    path("<int:pk>/edit/", competitors.competitor_edit, name="competitor_edit"),
    path("<int:pk>/notes/", entries.note_add, name="competitor_note_add"),
    path("<int:pk>/dishes/", entries.dish_add, name="competitor_dish_add"),
    path(
        "<int:pk>/dishes/<int:dish_pk>/delete/",
        entries.dish_delete,
        name="competitor_dish_delete",
    ),
]
