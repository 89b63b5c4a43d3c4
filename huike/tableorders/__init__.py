"""Dishes ordered with a booking or from the table's QR code (R6)."""
