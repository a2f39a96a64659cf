"""Securitization deals: spec, loan tape, the waterfall rule, simulator, investor reports."""
