"""Credence HTTP API (FastAPI): attestations, verification, attesters, models, audit."""
