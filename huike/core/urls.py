from django.urls import path

from . import views, views_audit

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("language/", views.language_view, name="set_language"),
    path("audit/", views_audit.audit_search, name="audit_search"),
]
