"""The auditors' workbench: rebuild the index from the chain alone, reconcile it with the
service's database entity by entity, and export journals and reports (docs/audit.md)."""
