from django.urls import path

from . import views, views_card_actions, views_checkout, views_rules

urlpatterns = [
    path("cards/", views.card_list, name="loyalty_card_list"),
    path("cards/<int:pk>/", views.card_detail, name="loyalty_card"),
    path(
        "cards/<int:pk>/<slug:action>/",
        views_card_actions.card_action,
        name="loyalty_card_action",
    ),
    path("checkout/", views_checkout.checkout_page, name="loyalty_checkout"),
    path("checkout/<int:pk>/", views_checkout.checkout_done, name="loyalty_checkout_done"),
    path("tiers/", views_rules.tier_list, name="loyalty_tiers"),
    path("top-up-rules/", views_rules.top_up_rules, name="loyalty_top_up_rules"),
    path(
        "top-up-rules/<int:pk>/switch/",
        views_rules.top_up_rule_switch,
        name="loyalty_top_up_rule_switch",
    ),
    path("tiers/new/", views_rules.tier_edit, name="loyalty_tier_create"),
    path("tiers/<int:pk>/edit/", views_rules.tier_edit, name="loyalty_tier_edit"),
    path("tiers/policy/", views_rules.tier_policy, name="loyalty_tier_policy"),
    path("points-rules/", views_rules.rule_list, name="loyalty_accrual_rules"),
    path("points-rules/new/", views_rules.rule_edit, name="loyalty_accrual_rule_create"),
    path("points-rules/<int:pk>/edit/", views_rules.rule_edit, name="loyalty_accrual_rule_edit"),
    path(
        "points-rules/<int:pk>/deactivate/",
        views_rules.rule_deactivate,
        name="loyalty_accrual_rule_deactivate",
    ),
    path("points-rules/settings/", views_rules.accrual_settings, name="loyalty_accrual_settings"),
]
