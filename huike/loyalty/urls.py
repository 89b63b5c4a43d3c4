from django.urls import path

from . import views

urlpatterns = [
    path("cards/", views.card_list, name="loyalty_card_list"),
    path("cards/<int:pk>/", views.card_detail, name="loyalty_card"),
]
