"""Fault injection: kill the node, the API, or both mid-run, and check chain against database.

Used by the slow test suite (``tests/faults``) and ``scripts/bench_faults.py``.
"""
