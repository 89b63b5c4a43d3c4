"""Dedupe and merge pages (G4), under /guests/ (beside guests/urls.py)."""

from django.urls import path

from .views import merge

urlpatterns = [
    path("duplicates/", merge.duplicate_list, name="duplicate_list"),
    path("duplicates/scan/", merge.duplicate_scan, name="duplicate_scan"),
    path("duplicates/<int:pk>/dismiss/", merge.duplicate_dismiss, name="duplicate_dismiss"),
    path("merge/", merge.guest_merge_page, name="guest_merge"),
    path("merges/", merge.merge_list, name="merge_list"),
    path("merges/<int:pk>/", merge.merge_detail, name="merge_detail"),
]
