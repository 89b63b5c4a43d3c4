"""Pages of the collection points and the 360° view, under /guests/ (beside guests/urls.py)."""

from django.urls import path

from .views import collect, guest360

urlpatterns = [
    path("capture/call-centre/", collect.capture_call_centre, name="guest_capture_call_centre"),
    path("<int:pk>/capture/<slug:point>/", collect.capture_point, name="guest_capture"),
    path("<int:pk>/360/", guest360.guest_360_page, name="guest_360"),
]
