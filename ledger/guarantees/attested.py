"""Each loan's PD checked against its attested score record in the AttestationRegistry.

A loan of the tape names its borrower's score record by ``score_uid`` (the record's
commitment). The pricing takes each loan's ``pd_bps`` with a disclosure of that one field
of that record (docs/disclosure.md: the value, its salt and Merkle proof to the
commitment, the attester, and the batch proof), so anyone holding the pricing record
verifies every PD against the registry with standard tools and no access to the records
themselves. A tape whose ``pd_bps`` differs from the attested one is refused, naming the
row (or loan) and the field.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from ledger.attest.disclosure import Batch, RecordFile
from ledger.attest.proofs import ProofReader
from ledger.attest.record_state import follow
from ledger.attest.records import SealedRecord
from ledger.attest.verify import ChainReader
from ledger.attest.verify_many import CachedReader, verify_many
from ledger.deals.spec import DealSpec
from ledger.deals.tape import LoanTape, TapeError, read_tape
from ledger.guarantees.pricing import (
    LoanPd,
    Price,
    PricingError,
    PricingInputs,
    check,
    inputs_from_record,
    price,
)
from ledger.ratings.inputs import RatingInputError, read_rating_tape
from ledger.store.tables import IssuedRecord


def loans_from_tape(
    tape: LoanTape,
    pds: Sequence[int],
    disclosure: Callable[[str], dict[str, Any] | None],
) -> tuple[LoanPd, ...]:
    """The tape's loans with the tape's ``pd_bps`` and a disclosure of each loan's attested
    ``pd_bps`` (``disclosure(score_uid)``, None when there is no such record); refuses a
    row whose record is unknown or whose PD differs from the attested one."""
    loans = []
    for row, (loan, pd) in enumerate(zip(tape.loans, pds, strict=True), start=2):
        uid = "0x" + loan.score_uid.hex()
        shown = disclosure(uid)
        if shown is None:
            raise PricingError(f"row {row}, column score_uid", "no score record with this uid")
        fields = {f["name"]: f["value"] for f in shown["fields"]}
        if "pd_bps" not in fields:
            raise PricingError(f"row {row}, column score_uid", "the record carries no pd_bps")
        if int(fields["pd_bps"]) != int(pd):
            raise PricingError(
                f"row {row}, column pd_bps",
                f"loan 0x{loan.loan.hex()}: the tape says {pd}, its attested score record "
                f"{uid} says {fields['pd_bps']}",
            )
        loans.append(LoanPd("0x" + loan.loan.hex(), loan.current_principal, int(pd), uid, shown))
    return tuple(loans)


def check_attested(inputs: PricingInputs, chain: ChainReader, provider: Any = None) -> None:
    """Every loan's ``pd_bps`` is the one its score record carries, and the record is
    valid now on the registry the inputs name; PricingError naming ``loans[k].<field>``."""
    if not inputs.registry:
        raise PricingError("registry", "required: the AttestationRegistry the PDs are checked on")
    for k, loan in enumerate(inputs.loans):
        if loan.disclosure is None:
            raise PricingError(f"loans[{k}].disclosure", "required: the attested pd_bps")
    verdicts = verify_many(CachedReader(chain, provider), [x.disclosure for x in inputs.loans])
    for k, (loan, verdict) in enumerate(zip(inputs.loans, verdicts, strict=True)):
        where = f"loans[{k}]"
        if verdict.status == "invalid_disclosure":
            raise PricingError(f"{where}.disclosure.{verdict.field}", verdict.reasons[0])
        if verdict.commitment != loan.score_uid.lower():
            raise PricingError(f"{where}.score_uid", "is not the disclosed record's commitment")
        if (verdict.registry or "") != inputs.registry.lower():
            raise PricingError(f"{where}.disclosure.registry", f"is not {inputs.registry}")
        if not verdict.valid:
            raise PricingError(
                f"{where}.score_uid",
                f"loan {loan.loan}: its score record is {verdict.status} on the registry "
                f"({'; '.join(verdict.reasons)})",
            )
        attested = verdict.disclosed.get("pd_bps")
        if attested is None or int(attested) != loan.pd_bps:
            raise PricingError(
                f"{where}.pd_bps",
                f"loan {loan.loan}: {loan.pd_bps} differs from the attested {attested}",
            )


def attested_price(
    inputs: PricingInputs, spec: DealSpec, chain: ChainReader, provider: Any = None
) -> Price:
    """``price`` after ``check_attested``: what the API and the CLI propose."""
    check(inputs, spec)  # the parameters first: no chain read for a bad tranche
    check_attested(inputs, chain, provider)
    return price(inputs, spec)


def issued_disclosures(
    engine: Engine, chain_id: int, registry: str
) -> Callable[[str], dict[str, Any] | None]:
    """``disclosure(score_uid)``: the ``pd_bps`` disclosure of an anchored record this
    service issued (it keeps the sealed records), else None."""

    proofs = ProofReader(engine)  # batches keep their tree nodes; proofs derive on read

    def disclosure(uid: str) -> dict[str, Any] | None:
        with Session(engine) as session:
            row = session.get(IssuedRecord, uid.lower())
            row = None if row is None else follow(session, [row])[0]
        if row is None or row.status != "anchored":
            return None
        batch = None
        if row.batch_root is not None:
            proof = tuple(proofs.proof(row.batch_root, row.leaf, row.proof))
            batch = Batch(bytes.fromhex(row.batch_root[2:]), proof)
        sealed = SealedRecord.from_json(row.sealed)
        if sealed.record.pd_bps is None:
            return {"fields": []}  # refused by the caller: no pd_bps to show
        return RecordFile(chain_id, registry.lower(), sealed, batch).disclose(["pd_bps"]).to_dict()

    return disclosure


def inputs_from_tape(
    params: PricingInputs,
    tape_path: Path,
    pseudonym_key: bytes,
    spec: DealSpec,
    disclosure: Callable[[str], dict[str, Any] | None],
    registry: str,
) -> PricingInputs:
    """``params`` (tranche, LGD, stress, CPR, margin) with the loans of a tape CSV that has
    a ``pd_bps`` column, each PD checked against its attested record, the tape's root and
    the registry recorded."""
    try:
        tape = read_tape(tape_path, pseudonym_key, spec.period.closing_date)
        pds = read_rating_tape(tape_path).pd_bps.tolist()
    except TapeError as exc:
        raise PricingError("tape", str(exc)) from None
    except RatingInputError as exc:
        raise PricingError(exc.field, exc.reason) from None
    loans = loans_from_tape(tape, pds, disclosure)
    return replace(params, tape_root="0x" + tape.root.hex(), loans=loans, registry=registry)


def check_tape(inputs: PricingInputs, tape: LoanTape) -> None:
    """The recorded loans are the tape's: same root, and loan by loan the same pseudonym,
    balance and score record."""
    if inputs.tape_root.lower() != "0x" + tape.root.hex():
        raise PricingError("tape_root", f"is not the tape's root 0x{tape.root.hex()}")
    if len(inputs.loans) != len(tape.loans):
        raise PricingError("loans", f"{len(inputs.loans)} recorded, the tape has {len(tape.loans)}")
    for k, (x, loan) in enumerate(zip(inputs.loans, tape.loans, strict=True)):
        same = (x.loan, x.balance, x.score_uid) == (
            "0x" + loan.loan.hex(),
            loan.current_principal,
            "0x" + loan.score_uid.hex(),
        )
        if not same:
            raise PricingError(f"loans[{k}]", "differs from the tape's loan in the same row")


def recompute(
    text: str,
    spec: DealSpec,
    chain: ChainReader,
    tape: LoanTape | None = None,
    provider: Any = None,
) -> Price:
    """A recorded pricing recomputed from its inputs alone: each PD against the registry
    the record names (and the loans against ``tape`` when given), then the price. With a
    web3 ``provider`` the registry reads go in JSON-RPC batches."""
    inputs = inputs_from_record(text)
    if tape is not None:
        check_tape(inputs, tape)
    return attested_price(inputs, spec, chain, provider)


def inputs_from_tape_text(
    params: PricingInputs,
    text: str,
    pseudonym_key: bytes,
    spec: DealSpec,
    disclosure: Callable[[str], dict[str, Any] | None],
    registry: str,
) -> PricingInputs:
    """``inputs_from_tape`` on CSV text (an API body)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tape.csv"
        try:
            path.write_text(text, encoding="utf-8")
        except UnicodeEncodeError:
            raise PricingError("tape", "not UTF-8 text") from None
        try:
            return inputs_from_tape(params, path, pseudonym_key, spec, disclosure, registry)
        except PricingError as exc:
            raise PricingError(exc.field, exc.reason.replace(str(path), "tape")) from None
