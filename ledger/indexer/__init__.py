"""Follow contract events into the database: checkpointed, crash-safe and reorg-aware.

Each poll reads logs in block chunks. For every chunk, the raw events, their
projections and the new checkpoint are written in ONE database transaction, so a
crash at any point resumes from the last checkpoint with no event lost or applied
twice. A changed block hash at the checkpoint means a reorganisation: the index is
rewound to the last block whose hash still matches, and projections are rebuilt from
the surviving event log.
"""

from ledger.indexer.core import Event, Indexer, Projection

__all__ = ["Event", "Indexer", "Projection"]
