"""Credence ledger: credit score attestations and securitization on an EVM chain."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
