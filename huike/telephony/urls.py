from django.urls import path

from . import views

urlpatterns = [
    path("lines/", views.line_list, name="telephony_lines"),
    path("lines/<int:pk>/rotate/", views.line_rotate, name="telephony_line_rotate"),
    path("lines/<int:pk>/active/", views.line_active, name="telephony_line_active"),
    path("desk/", views.desk, name="telephony_desk"),
    path("calls/<int:pk>/pop/", views.call_pop, name="telephony_call_pop"),
    path("calls/<int:pk>/guest/", views.call_guest_create, name="telephony_call_guest"),
]
