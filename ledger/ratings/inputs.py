"""What a rating is computed from: the rated pool (balances and attested PDs) and the deal.

The rating tape is the loan tape CSV with a ``pd_bps`` column beside it (or, inside the
service, the plain tape with each ``pd_bps`` read from the attested score record its
``score_uid`` names): each loan's
``current_principal`` and the ``pd_bps`` of its attested score record, rows in tape order
(the order fixes which random draws each loan gets). Other columns are ignored here. Its
digest is keccak-256 over the ABI encoding of ``(uint256[] balances, uint256[] pd_bps)``,
so the rating names exactly the figures it used; the deal-terms hash is keccak-256 of the
deal spec's canonical JSON (amounts as decimal strings).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import orjson
from eth_abi import encode
from eth_utils import keccak
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ledger.attest.record_state import follow
from ledger.deals.spec import DealSpec
from ledger.errors import FieldError
from ledger.inputfiles import read_dict_rows
from ledger.ratings.montecarlo import Pool
from ledger.scoring.artifact import canonical_bytes
from ledger.store.tables import IssuedRecord

PD_MAX_BPS = 10_000


class RatingInputError(FieldError):
    """The rating tape is unreadable or a row is invalid; names the row and column."""


def _rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) of every loan, after checking the file has ``columns``."""
    rows = read_dict_rows(path, columns, lambda reason: RatingInputError("tape", reason))
    if not rows:
        raise RatingInputError("tape", f"{path.name}: no loans")
    return rows


def read_rating_tape(path: Path) -> Pool:
    rows = _rows(path, ("current_principal", "pd_bps"))
    balances = [_int(row, "current_principal", line, 2**62) for line, row in rows]
    pds = [_int(row, "pd_bps", line, PD_MAX_BPS) for line, row in rows]
    return Pool(np.array(balances, dtype=np.int64), np.array(pds, dtype=np.int64))


def pool_from_records(path: Path, engine: Engine) -> Pool:
    """The rated pool from a plain loan tape: each loan's ``pd_bps`` read from the score
    record this service sealed under the loan's ``score_uid`` (its commitment).

    A loan whose record is unknown, unanchored or carries no ``pd_bps`` is an error naming
    the row: a rating never guesses a probability.
    """
    rows = _rows(path, ("current_principal", "score_uid"))
    uids = [(row.get("score_uid") or "").strip().lower() for _, row in rows]
    with Session(engine) as session:
        found = {
            r.commitment: r
            for r in follow(
                session,
                session.exec(select(IssuedRecord).where(IssuedRecord.commitment.in_(uids))).all(),  # type: ignore[attr-defined]
            )
        }
    balances, pds = [], []
    for (line, row), uid in zip(rows, uids, strict=True):
        record = found.get(uid)
        if record is None or record.status != "anchored":
            raise RatingInputError(
                f"row {line}, column score_uid", "no anchored score record with this uid"
            )
        pd = orjson.loads(record.sealed)["fields"].get("pd_bps")
        if pd is None:
            raise RatingInputError(
                f"row {line}, column score_uid", "the score record carries no pd_bps"
            )
        balances.append(_int(row, "current_principal", line, 2**62))
        pds.append(int(pd))
    return Pool(np.array(balances, dtype=np.int64), np.array(pds, dtype=np.int64))


def _int(row: dict[str, str], column: str, line: int, high: int) -> int:
    raw = (row.get(column) or "").strip()
    try:
        value = int(raw)
    except ValueError:
        raise RatingInputError(f"row {line}, column {column}", f"not an integer: {raw!r}") from None
    if not 0 <= value <= high:
        raise RatingInputError(f"row {line}, column {column}", f"{value} is outside 0..{high}")
    return value


def pool_digest(pool: Pool) -> str:
    data = encode(["uint256[]", "uint256[]"], [pool.balances.tolist(), pool.pd_bps.tolist()])
    return "0x" + keccak(data).hex()


def deal_terms_hash(spec: DealSpec) -> str:
    return "0x" + keccak(canonical_bytes(json.loads(spec.model_dump_json()))).hex()
