"""The waitlist API."""

from ninja import Router

router = Router(tags=["waitlist"])
