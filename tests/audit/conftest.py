"""One runtime with a populated world per module (fixtures shared with tests/console)."""

from audit_world import client, runtime, world

__all__ = ["client", "runtime", "world"]
