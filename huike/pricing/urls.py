from django.urls import path

from . import views

urlpatterns = [
    path("", views.pricing_home, name="pricing_home"),
    path("member-prices/<int:pk>/", views.member_price_edit, name="pricing_member_price"),
    path(
        "member-prices/<int:pk>/delete/",
        views.member_price_delete,
        name="pricing_member_price_delete",
    ),
    path("rules/new/", views.rule_create, name="pricing_rule_create"),
    path("rules/<int:pk>/", views.rule_edit, name="pricing_rule"),
    path("rules/<int:pk>/deactivate/", views.rule_deactivate, name="pricing_rule_deactivate"),
    path("quote/", views.quote, name="pricing_quote"),
]
