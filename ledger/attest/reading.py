"""Reading what the attestation service issued: rows, batch roots, proofs, status, files.

A mixin of ``AttestationService`` (which sets ``engine``, ``registry``, ``attester_id`` and
``proofs``), kept apart from the issuing path.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from ledger.attest.batcher import hex32
from ledger.attest.disclosure import Batch as DisclosedBatch
from ledger.attest.disclosure import RecordFile
from ledger.attest.proofs import ProofReader
from ledger.attest.record_state import follow
from ledger.attest.records import SealedRecord
from ledger.attest.registry import Registry, Status
from ledger.store.tables import IssuedRecord


class RecordReads:
    engine: Engine
    registry: Registry
    attester_id: int
    proofs: ProofReader

    def get(self, commitment: str) -> IssuedRecord | None:
        """The stored row of ``commitment`` with its batch's state (``record_state``)."""
        with Session(self.engine) as session:
            row = session.get(IssuedRecord, commitment.lower())
            return None if row is None else follow(session, [row])[0]

    def _require(self, commitment: str) -> IssuedRecord:
        row = self.get(commitment)
        if row is None:
            raise KeyError(f"no record with commitment {commitment} was issued here")
        return row

    def roots_of(
        self, sealed: Sequence[SealedRecord], request_key: str | None = None
    ) -> list[str | None]:
        """The batch root of each record (None for single attestations); by the request's
        key when it has one (one range of an index rather than a lookup per record)."""
        if request_key:
            query = (
                select(IssuedRecord.commitment, IssuedRecord.batch_root)
                .where(IssuedRecord.request_key == request_key)
                .order_by(IssuedRecord.request_index)
            )
            with Session(self.engine) as session:
                roots = dict(session.exec(query).all())
        else:
            roots = {}
            keys = [hex32(s.commitment) for s in sealed]
            with Session(self.engine) as session:
                for start in range(0, len(keys), 10_000):  # under every database's bind limit
                    chunk = keys[start : start + 10_000]
                    query = select(IssuedRecord.commitment, IssuedRecord.batch_root).where(
                        col(IssuedRecord.commitment).in_(chunk)
                    )
                    roots.update(session.exec(query).all())
        return [roots.get(hex32(s.commitment)) for s in sealed]

    def rows(self, commitments: Sequence[str]) -> list[IssuedRecord]:
        """The stored rows of ``commitments``, in that order."""
        with Session(self.engine) as session:
            found = session.exec(
                select(IssuedRecord).where(IssuedRecord.commitment.in_(commitments))
            ).all()
            found = follow(session, found)
        by_key = {r.commitment: r for r in found}
        return [by_key[c] for c in commitments]

    def proof_of(self, row: IssuedRecord) -> list[bytes]:
        """A stored record's batch proof (empty for a single record)."""
        return self.proofs.proof(row.batch_root, row.leaf, row.proof)

    def status(self, row: IssuedRecord, on_chain: Status | None = None) -> str:
        """One status, the chain's: ``pending`` until the chain has the record (whatever
        the database thought before a node crash or a reorg), ``failed`` if refused."""
        on_chain = self.chain_status(row) if on_chain is None else on_chain
        if on_chain is Status.Unknown:
            return "failed" if row.status == "failed" else "pending"
        return on_chain.name_snake

    def chain_status(self, row: IssuedRecord) -> Status:
        commitment = bytes.fromhex(row.commitment[2:])
        if row.batch_root is None:
            return self.registry.status_of(self.attester_id, commitment)
        proof = self.proof_of(row)
        return self.registry.status_of_batch_record(
            self.attester_id, bytes.fromhex(row.batch_root[2:]), commitment, proof
        )

    def record_file(self, commitment: str) -> RecordFile:
        """The sealed record with where it is anchored: the copy handed to its subject."""
        row = self._require(commitment)
        batch = None
        if row.batch_root is not None:
            batch = DisclosedBatch(bytes.fromhex(row.batch_root[2:]), tuple(self.proof_of(row)))
        chain_id = self.registry.contract.w3.eth.chain_id
        address = self.registry.address.lower()
        return RecordFile(chain_id, address, SealedRecord.from_json(row.sealed), batch)

    def disclosure(self, commitment: str, fields: Sequence[str]) -> dict:
        """What the record's holder shows a lender: chosen fields, salts, proofs, batch proof."""
        return self.record_file(commitment).disclose(fields).to_dict()
