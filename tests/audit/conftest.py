"""A populated world per module (fixtures shared with tests/console)."""

from audit_world import client, world

__all__ = ["client", "world"]
