"""Waitlist: parties waiting for a table, offered the next free slot (R4)."""
