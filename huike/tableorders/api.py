"""The tableorders API."""

from ninja import Router

router = Router(tags=["tableorders"])
