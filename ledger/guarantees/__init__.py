"""Guarantees and credit insurance behind pools and tranches (docs/waterfall.md §14)."""
