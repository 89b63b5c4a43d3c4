from django.urls import path

from . import views

urlpatterns = [
    path("cards/<int:pk>/", views.card_detail, name="loyalty_card"),
]
