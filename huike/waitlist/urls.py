from django.urls import path

from . import views

urlpatterns = [
    path("", views.waitlist_page, name="waitlist"),
    path("entries/", views.waitlist_entries, name="waitlist_entries"),
    path("check/", views.waitlist_check, name="waitlist_check"),
    path("<int:pk>/accept/", views.waitlist_accept, name="waitlist_accept"),
    path("<int:pk>/cancel/", views.waitlist_cancel, name="waitlist_cancel"),
    path("<int:pk>/notify/", views.waitlist_notify, name="waitlist_notify"),
]
