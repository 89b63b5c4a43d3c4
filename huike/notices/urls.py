from django.urls import path

from . import views

urlpatterns = [
    path("", views.notice_policy, name="notice_policy"),
]
