"""Booking notices to guests: confirmation, change and reminder (R5)."""
