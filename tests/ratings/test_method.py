"""The rating method: reproducible from tape + methodology file + seed, and sensitive to risk."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ledger.deals.spec import load_spec
from ledger.ratings.inputs import RatingInputError, read_rating_tape
from ledger.ratings.method import NOT_RATED, rate
from ledger.ratings.methodology import (
    Methodology,
    MethodologyError,
    read_methodology,
    write_methodology,
)
from ledger.ratings.montecarlo import Pool
from ledger.ratings.outcome import rate_files, write_report
from ledger.ratings.scale import Scale, ScaleError

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "examples/deals/three-tranche-sequential.yaml"
TAPE = ROOT / "examples/ratings/loan-tape.csv"
METHOD = Methodology(paths=200)


def test_recomputed_from_tape_methodology_file_and_seed_alone(tmp_path: Path) -> None:
    published = rate_files(SPEC, TAPE, METHOD)
    # A third party holds only the files: write, read back, recompute.
    path = tmp_path / "methodology.json"
    digest = write_methodology(METHOD, path)
    again = rate_files(SPEC, TAPE, read_methodology(path))
    assert digest == published.method.hash == again.method.hash
    assert again.as_json() == published.as_json()
    assert [t.grade for t in again.run.tranches] == [t.grade for t in published.run.tranches]
    for a, b in zip(again.run.tranches, published.run.tranches, strict=True):
        assert np.array_equal(a.losses, b.losses)
    # The method separates the tranches: senior no worse than mezzanine, equity not rated.
    scale = METHOD.rating_scale
    a, b, equity = published.run.tranches
    assert equity.grade == NOT_RATED
    assert scale.notch(a.grade) <= scale.notch(b.grade)
    assert a.loss_probability_bps <= b.loss_probability_bps
    report = write_report(published, tmp_path / "report")
    text = report.read_text()
    assert published.method.hash in text and "What would change the grade" in text
    assert (tmp_path / "report/loss-distribution.png").stat().st_size > 0


def test_another_seed_or_riskier_pool_changes_the_figures() -> None:
    spec = load_spec(SPEC)
    pool = read_rating_tape(TAPE)
    base = rate(spec, pool, METHOD)
    other_seed = rate(spec, pool, METHOD.model_copy(update={"seed": 7}))
    assert [t.losses.tolist() for t in other_seed.tranches] != [
        t.losses.tolist() for t in base.tranches
    ]
    riskier = rate(spec, Pool(pool.balances, np.minimum(pool.pd_bps * 3, 10_000)), METHOD)
    for safe, risky in zip(base.tranches, riskier.tranches, strict=True):
        assert risky.expected_loss_bps >= safe.expected_loss_bps
    assert riskier.tranches[1].expected_loss_bps > base.tranches[1].expected_loss_bps


def test_no_default_risk_rates_every_note_top_grade() -> None:
    spec = load_spec(SPEC)
    pool = read_rating_tape(TAPE)
    run = rate(spec, Pool(pool.balances, np.zeros_like(pool.pd_bps)), METHOD)
    assert [t.grade for t in run.tranches] == ["AAA", "AAA", NOT_RATED]
    assert all(t.loss_probability_bps == 0 for t in run.tranches[:2])


def test_chunking_does_not_change_the_paths() -> None:
    from ledger.ratings.montecarlo import default_rate_paths

    pool = read_rating_tape(TAPE)
    kwargs = dict(
        paths=30,
        seed=3,
        correlation_bps=1500,
        pd_horizon_months=12,
        pd_multiplier_bps=10_000,
        period_months=1,
        term_periods=45,
    )
    one = list(default_rate_paths(pool, chunk=1, **kwargs))
    many = list(default_rate_paths(pool, chunk=64, **kwargs))
    assert all(np.array_equal(a, b) for a, b in zip(one, many, strict=True))


def test_scale_maps_bands_and_rejects_bad_scales() -> None:
    scale = Scale()
    assert scale.grade(0) == "AAA" and scale.grade(10) == "AAA" and scale.grade(11) == "AA"
    assert scale.grade(9_999) == "C" and scale.grade(10_000) == "D"
    assert scale.below("BB", "BBB") and not scale.below("A", "BBB")
    with pytest.raises(ScaleError, match="strictly increase"):
        Scale((("AAA", 50), ("AA", 10), ("D", 10_000)))


def test_bad_methodology_and_tape_name_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "m.json"
    bad.write_text(json.dumps({"paths": 5}))
    with pytest.raises(MethodologyError, match="paths"):
        read_methodology(bad)
    loose = tmp_path / "loose.json"
    loose.write_text(json.dumps(METHOD.document(), indent=2))
    with pytest.raises(MethodologyError, match="canonical"):
        read_methodology(loose)
    tape = tmp_path / "tape.csv"
    tape.write_text("current_principal,pd_bps\n100,20000\n")
    with pytest.raises(RatingInputError, match="row 2, column pd_bps"):
        read_rating_tape(tape)
    tape.write_bytes(b"current_principal,pd_bps\n\xff,1\n")  # was a UnicodeDecodeError
    with pytest.raises(RatingInputError, match="not UTF-8"):
        read_rating_tape(tape)
