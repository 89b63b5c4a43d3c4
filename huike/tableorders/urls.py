from django.urls import path

from . import views, views_public

urlpatterns = [
    path("", views.tickets_page, name="table_orders"),
    path("list/", views.tickets_partial, name="table_orders_list"),
    path("<int:pk>/<slug:action>/", views.ticket_action, name="table_order_action"),
    path("codes/", views.codes_page, name="table_codes"),
    path("codes/print/", views.codes_print, name="table_codes_print"),
    path("codes/<int:table_pk>/regenerate/", views.code_regenerate, name="table_code_regenerate"),
    path("bookings/<int:booking_pk>/pre-order/", views.pre_order_edit, name="pre_order_edit"),
    path("t/<str:token>/", views_public.table_menu, name="table_menu"),
]
