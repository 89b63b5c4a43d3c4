from django.urls import path

from .views import brands, org_tree, roles, staff, stores

urlpatterns = [
    path("brands/", brands.brand_list, name="brand_list"),
    path("brands/new/", brands.brand_create, name="brand_create"),
    path("brands/<int:pk>/", brands.brand_edit, name="brand_edit"),
    path("stores/", stores.store_list, name="store_list"),
    path("stores/new/", stores.store_create, name="store_create"),
    path("stores/<int:pk>/", stores.store_edit, name="store_edit"),
    path("tree/", org_tree.org_tree, name="org_tree"),
    path("tree/<int:pk>/add/", org_tree.org_unit_add, name="org_unit_add"),
    path("tree/<int:pk>/rename/", org_tree.org_unit_rename, name="org_unit_rename"),
    path("tree/<int:pk>/delete/", org_tree.org_unit_delete, name="org_unit_delete"),
    path("staff/", staff.staff_list, name="staff_list"),
    path("staff/new/", staff.staff_create, name="staff_create"),
    path("staff/<int:pk>/", staff.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/password/", staff.staff_password, name="staff_password"),
    path("roles/", roles.role_list, name="role_list"),
    path("roles/new/", roles.role_create, name="role_create"),
    path("roles/<int:pk>/", roles.role_edit, name="role_edit"),
    path("roles/<int:pk>/delete/", roles.role_delete, name="role_delete"),
]
