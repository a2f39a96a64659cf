"""SQLModel tables.

Two kinds: *indexed* tables (Attester, Model, OnchainRecord, LeafRevocation, EventLog,
Checkpoint) are projections of chain events, written only by the indexer; *service*
tables (IssuedRecord, Batch, OutboxTx, ApiRequest) hold what the service itself
issued: sealed records with their salts and proofs, which never go on chain.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, LargeBinary, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel


class Checkpoint(SQLModel, table=True):
    """Last block an indexer has fully applied, with its hash (for reorg detection)."""

    name: str = Field(primary_key=True)
    block_number: int = Field(sa_column=Column(BigInteger, nullable=False))
    block_hash: str


class EventLog(SQLModel, table=True):
    """Every decoded event, exactly once (unique by transaction hash and log index)."""

    __table_args__ = (UniqueConstraint("tx_hash", "log_index"),)
    id: int | None = Field(default=None, primary_key=True)
    contract: str = Field(index=True)
    address: str
    event: str = Field(index=True)
    block_number: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    block_hash: str
    tx_hash: str
    log_index: int
    args: str = Field(sa_column=Column(Text, nullable=False))  # JSON


class Attester(SQLModel, table=True):
    attester_id: int = Field(primary_key=True)
    key: str = Field(index=True)
    name: str
    metadata_uri: str
    suspended: bool = False
    suspended_at: int | None = None
    suspension_reason: int | None = None
    registered_block: int


class Model(SQLModel, table=True):
    model_id: str = Field(primary_key=True)  # 0x-hex bytes32
    model_index: int = Field(index=True)
    attester_id: int = Field(index=True)
    metadata_uri: str
    auc_bps: int
    ks_bps: int
    gini_bps: int
    psi_bps: int
    sample_size: int
    registered_block: int


class OnchainRecord(SQLModel, table=True):
    """A single attestation (kind='single') or a batch root (kind='batch').

    Keyed like the registry: the same commitment anchored by two attesters is two records.
    """

    attester_id: int = Field(primary_key=True)
    key: str = Field(primary_key=True, index=True)  # commitment or batch root, 0x-hex
    kind: str = Field(index=True)
    model_id: str = Field(index=True)
    count: int = 0
    issued_at: int
    expires_at: int
    revoked_at: int | None = None
    revocation_reason: int | None = None
    block_number: int = Field(sa_column=Column(BigInteger, nullable=False))
    tx_hash: str


class LeafRevocation(SQLModel, table=True):
    """One record revoked inside an attester's batch (keyed like the registry)."""

    attester_id: int = Field(primary_key=True)
    root: str = Field(primary_key=True, index=True)
    commitment: str = Field(primary_key=True)
    reason: int
    revoked_at: int
    block_number: int = Field(sa_column=Column(BigInteger, nullable=False))


class IssuedRecord(SQLModel, table=True):
    """A record this service sealed: the full record and salts stay here, off chain.

    ``(request_key, request_index)`` is unique: the records of one idempotent request are
    stored once, in one transaction, whatever the number of retries. A batch record's
    proof is derived from its batch's ``nodes`` and its ``leaf`` (``ledger.attest.proofs``);
    ``proof`` is only set on rows stored before batches kept their nodes.
    """

    __table_args__ = (
        UniqueConstraint("request_key", "request_index"),
        # The reconciler's queries over single records; batch records (almost all rows)
        # stay out of it.
        Index(
            "ix_issuedrecord_single",
            "status",
            "block_number",
            sqlite_where=text("mode = 'single'"),
            postgresql_where=text("mode = 'single'"),
        ),
        # Records outside any batch (singles, and batch-mode records whose batch has not
        # closed): the only rows whose own status means anything (ledger.attest.record_state).
        Index(
            "ix_issuedrecord_unbatched",
            "mode",
            "status",
            sqlite_where=text("batch_root IS NULL"),
            postgresql_where=text("batch_root IS NULL"),
        ),
    )
    commitment: str = Field(primary_key=True)
    subject: str  # keyed pseudonym, never a raw identifier
    model_id: str
    expires_at: int
    sealed: str = Field(sa_column=Column(Text, nullable=False))  # SealedRecord JSON
    mode: str  # 'single' | 'batch'
    # No index on subject or batch_root: nothing looks records up by either (a record
    # finds its batch by the batch's key), and each cost every insert a B-tree write.
    batch_root: str | None = None
    leaf: int | None = None  # index of this record's leaf in its batch's tree nodes
    proof: str | None = Field(default=None, sa_column=Column(Text))  # legacy: JSON 0x-hex list
    # pending | anchored | failed; a batch record's are its batch's (ledger.attest.record_state)
    status: str = Field(default="pending")
    tx_hash: str | None = None
    request_key: str | None = None  # looked up through the unique (key, index) pair
    request_index: int | None = None  # position in its request, answered in this order
    created_at: int
    # Where the anchoring transaction was mined (singles; batch records copy their batch's):
    # the reconciler compares the hash with the chain's to notice a lost block.
    block_number: int | None = Field(default=None, sa_column=Column(BigInteger))
    block_hash: str | None = None


class Batch(SQLModel, table=True):
    root: str = Field(primary_key=True)
    model_id: str
    expires_at: int
    count: int
    status: str = Field(default="sending", index=True)  # sending | anchored | failed
    tx_hash: str | None = None
    created_at: int
    block_number: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    block_hash: str | None = None
    # Every node of the batch's Merkle tree (OZ layout, 32 bytes each, root first): the
    # records' proofs are read from it, so they are never written per record.
    nodes: bytes | None = Field(default=None, sa_column=Column(LargeBinary))


class OutboxTx(SQLModel, table=True):
    """Idempotency key -> transaction hash, written before the transaction is broadcast."""

    key: str = Field(primary_key=True)
    tx_hash: str
    created_at: int


class ApiRequest(SQLModel, table=True):
    """An API write by Idempotency-Key: in progress (``status_code`` 0) under a lease that
    expires, so a crashed request is resumed by its retry; once done, its response is
    replayed verbatim."""

    key: str = Field(primary_key=True)
    fingerprint: str  # hash of method, path and body: a reused key with a new body is refused
    status_code: int
    response: str = Field(sa_column=Column(Text, nullable=False))
    created_at: int
    lease_until: int = 0  # unix seconds; an in-progress key past its lease may be taken over
