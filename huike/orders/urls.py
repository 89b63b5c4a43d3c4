from django.urls import path

from .views import entry, followups, imports, orders

urlpatterns = [
    path("", orders.order_list, name="order_list"),
    path("new/", entry.order_entry, name="order_entry"),
    path("import/", imports.order_import, name="order_import"),
    path("import/template.csv", imports.order_import_template, name="order_import_template"),
    path("<int:pk>/", orders.order_detail, name="order_detail"),
    path("<int:pk>/refund/", followups.order_refund_page, name="order_refund"),
    path("<int:pk>/correction/", followups.order_correction_page, name="order_correct"),
]
