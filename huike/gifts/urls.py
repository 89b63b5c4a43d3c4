from django.urls import path

from . import views

urlpatterns = [
    path("", views.gift_list, name="gift_list"),
    path("new/", views.gift_create, name="gift_create"),
    path("<int:pk>/edit/", views.gift_edit, name="gift_edit"),
    path("<int:pk>/stock/", views.gift_stock, name="gift_stock"),
    path("redeem/", views.redeem_find, name="gift_redeem"),
    path("redeem/<int:card_pk>/", views.redeem_card, name="gift_redeem_card"),
    path("redemptions/", views.redemption_list, name="gift_redemption_list"),
    path("redemptions/<int:pk>/cancel/", views.redemption_cancel, name="gift_redemption_cancel"),
]
