from django.urls import path

from .views import details, guests, tags

urlpatterns = [
    path("", guests.guest_list, name="guest_list"),
    path("new/", guests.guest_create, name="guest_create"),
    path("export.xlsx", guests.guest_export_view, name="guest_export"),
    path("<int:pk>/", guests.guest_detail, name="guest_detail"),
    path("<int:pk>/edit/", guests.guest_edit, name="guest_edit"),
    path("<int:pk>/reveal-phone/", guests.guest_reveal_phone, name="guest_reveal_phone"),
    path("<int:pk>/phones/", details.guest_phone_add, name="guest_phone_add"),
    path(
        "<int:pk>/phones/<int:phone_id>/remove/",
        details.guest_phone_remove,
        name="guest_phone_remove",
    ),
    path("<int:pk>/dates/", details.guest_date_add, name="guest_date_add"),
    path(
        "<int:pk>/dates/<int:date_id>/remove/", details.guest_date_remove, name="guest_date_remove"
    ),
    path("<int:pk>/contacts/", details.guest_contact_add, name="guest_contact_add"),
    path(
        "<int:pk>/contacts/<int:contact_id>/remove/",
        details.guest_contact_remove,
        name="guest_contact_remove",
    ),
    path("<int:pk>/tags/", details.guest_tagging_add, name="guest_tagging_add"),
    path(
        "<int:pk>/tags/<int:tag_id>/remove/",
        details.guest_tagging_remove,
        name="guest_tagging_remove",
    ),
    path("tags/", tags.tag_list, name="tag_list"),
    path("tags/<int:pk>/", tags.tag_edit, name="tag_edit"),
]
