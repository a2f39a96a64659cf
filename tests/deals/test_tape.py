"""Loan tape: pseudonyms, leaves the OpenZeppelin library agrees with, proofs, aggregates."""

from __future__ import annotations

import csv
import json
import subprocess
from datetime import date
from pathlib import Path

import pytest

from ledger.deals.tape import (
    COLUMNS,
    LEAF_TYPES,
    Loan,
    TapeError,
    aggregate,
    loan_pseudonym,
    read_tape,
)
from ledger.merkle import verify

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples/deals/loan-tape.csv"
ORACLE = ROOT / "tests/js/oz_merkle.mjs"
KEY = b"originator pseudonym key, test only"
CUT_OFF = date(2026, 1, 1)
UID = "0x" + "ab" * 32


def write(path: Path, rows: list[dict[str, object]]) -> Path:
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def row(**changes: object) -> dict[str, object]:
    base = {
        "loan_id": "L-1",
        "original_principal": 1_000,
        "current_principal": 600,
        "rate_bps": 900,
        "term_months": 24,
        "origination_date": "2025-03-15",
        "score_uid": UID,
        "score": 700,
    }
    return {**base, **changes}


def test_pseudonyms_are_keyed_and_raw_ids_are_not_in_leaves() -> None:
    tape = read_tape(SAMPLE, KEY, CUT_OFF)
    first = tape.loans[0]
    assert first.loan == loan_pseudonym(KEY, "LN-00001")
    assert first.loan != loan_pseudonym(b"another originator key", "LN-00001")
    with pytest.raises(TapeError, match="pseudonym key: secret: must be at least 16 bytes"):
        loan_pseudonym(b"short", "LN-00001")
    assert b"LN-00001" not in b"".join(str(v).encode() for v in first.values())


def test_every_loan_is_provable_in_the_pool() -> None:
    tape = read_tape(SAMPLE, KEY, CUT_OFF)
    assert tape.aggregates.count == len(tape.loans) == 1000
    for i in (0, 1, 499, 999):
        assert verify(tape.root, tape.loans[i].leaf(), tape.proof(i))
    assert not verify(tape.root, tape.loans[1].leaf(), tape.proof(0))


def test_root_matches_openzeppelin_standard_merkle_tree(tmp_path: Path) -> None:
    rows = [row(loan_id=f"L-{i}", current_principal=100 * i, score=600 + i) for i in range(1, 9)]
    tape = read_tape(write(tmp_path / "tape.csv", rows), KEY, CUT_OFF)
    values = [
        ["0x" + v.hex() if isinstance(v, bytes) else str(v) for v in loan.values()]
        for loan in tape.loans
    ]
    out = subprocess.run(
        ["node", str(ORACLE)],
        input=json.dumps({"encoding": list(LEAF_TYPES), "values": values}),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    assert json.loads(out.stdout)["root"] == "0x" + tape.root.hex()


def test_aggregates_are_balance_weighted_and_round_down() -> None:
    def loan(balance: int, rate: int, score: int, originated: date, term: int) -> Loan:
        return Loan(bytes(32), balance, balance, rate, term, originated, bytes(32), score)

    loans = [
        loan(300, 1000, 700, date(2025, 1, 1), 24),  # 12 months elapsed -> 12 left
        loan(100, 500, 600, date(2025, 6, 15), 12),  # 6 months elapsed (day 1 < 15) -> 6 left
    ]
    agg = aggregate(loans, CUT_OFF)
    assert (agg.count, agg.balance) == (2, 400)
    assert agg.wa_rate_bps == (300 * 1000 + 100 * 500) // 400 == 875
    assert agg.wa_score == (300 * 700 + 100 * 600) // 400 == 675
    assert agg.wa_remaining_term_months == (300 * 12 + 100 * 6) // 400 == 10


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"current_principal": 1_001}, "row 2, column current_principal: 1001 is outside 0..1000"),
        ({"rate_bps": "9%"}, "row 2, column rate_bps: not an integer: '9%'"),
        ({"origination_date": "15/03/2025"}, "row 2, column origination_date: not a YYYY-MM-DD"),
        ({"score_uid": "0x12"}, "row 2, column score_uid: expected 0x and 64 hex digits"),
        ({"loan_id": ""}, "row 2, column loan_id: empty"),
    ],
)
def test_bad_rows_name_row_and_column(tmp_path: Path, changes: dict, message: str) -> None:
    with pytest.raises(TapeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_tape(write(tmp_path / "t.csv", [row(**changes)]), KEY, CUT_OFF)


def test_duplicates_and_missing_columns(tmp_path: Path) -> None:
    with pytest.raises(TapeError, match="row 3, column loan_id: duplicate"):
        read_tape(write(tmp_path / "d.csv", [row(), row()]), KEY, CUT_OFF)
    (tmp_path / "m.csv").write_text("loan_id,score\nL-1,700\n")
    with pytest.raises(TapeError, match="missing column"):
        read_tape(tmp_path / "m.csv", KEY, CUT_OFF)


@pytest.mark.parametrize(
    ("tail", "message"),
    [(b"\xff\xfe,700\n", "not UTF-8 text"), (b"x" * 200_000 + b"\n", "not a readable CSV")],
)
def test_unreadable_bytes_are_a_tape_error(tmp_path: Path, tail: bytes, message: str) -> None:
    # Neither is an OSError: they escaped as a traceback (CLI) or a 500 (API).
    path = write(tmp_path / "u.csv", [row()])
    path.write_bytes(path.read_bytes() + tail)
    with pytest.raises(TapeError, match=message):
        read_tape(path, KEY, CUT_OFF)
    with pytest.raises(TapeError, match="cannot read"):
        read_tape(tmp_path, KEY, CUT_OFF)  # a directory
