"""Tranche ratings: a reproducible Monte Carlo method and its reports (docs/ratings.md)."""
