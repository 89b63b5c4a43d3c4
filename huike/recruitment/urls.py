from django.urls import path

from . import views

urlpatterns = [
    path("", views.recruitment_progress, name="recruitment_progress"),
    path("targets/new/", views.target_create, name="target_create"),
    path("targets/<int:pk>/edit/", views.target_edit, name="target_edit"),
    path("targets/<int:pk>/delete/", views.target_delete, name="target_delete"),
]
