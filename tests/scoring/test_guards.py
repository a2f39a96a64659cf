"""Guard rails at fit time: identifier, date and protected columns, minimum bin share,
monotonic trends, IV stability, --strict; and the bounded score range (property-tested)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from ledger.attest.fields import SCORE_MAX
from ledger.scoring.data import read_csv
from ledger.scoring.errors import ConfigError, GuardError
from ledger.scoring.fit import FitConfig, fit_scorecard
from ledger.scoring.guards import SCORE_MAX as CARD_SCORE_MAX
from ledger.scoring.guards import is_protected

from .conftest import SAMPLES, synthetic_rows, write_csv
from .test_score import applicants


def _noisy(tmp_path, n: int = 800):
    """The synthetic file plus an application date, a customer number, a tiny category and
    a numeric column missing on a handful of rows."""
    header, rows = synthetic_rows(n)
    rng = np.random.default_rng(3)
    days = rng.integers(0, 900, n)
    dates = [str(np.datetime64("2021-01-01") + int(d)) for d in days]
    ids = rng.choice(np.arange(10**6, 10**7), n, replace=False)
    channel = rng.choice(["web", "branch", "phone"], n)
    channel[:6] = "fax"  # 6 of 800 rows, under 5% of the training rows
    tenure = rng.integers(0, 20, n).astype(object)
    tenure[:8] = ""  # 8 missing cells: a Missing bin far below the minimum share
    out = [[*r, dates[i], f"K-{ids[i]}", channel[i], tenure[i]] for i, r in enumerate(rows)]
    return write_csv(
        tmp_path / "noisy.csv", [*header, "application_date", "account", "channel", "tenure"], out
    )


@pytest.fixture(scope="module")
def noisy_csv(tmp_path_factory):
    return _noisy(tmp_path_factory.mktemp("noisy"))


@pytest.fixture(scope="module")
def noisy(noisy_csv):
    return fit_scorecard(read_csv(noisy_csv), FitConfig("default", "1"))


def _findings(result, check):
    return {f["column"]: f for f in result.artifact["guards"]["findings"] if f["check"] == check}


def test_dates_and_identifiers_are_excluded_with_a_reason(noisy):
    status = noisy.artifact["columns"]["status"]
    assert status["application_date"].startswith("date-like")
    assert status["account"].startswith("identifier-like")
    assert status["customer"].startswith("identifier-like")
    assert {"application_date", "account"}.isdisjoint(noisy.scorecard.feature_names)
    assert _findings(noisy, "date")["application_date"]["action"] == "excluded"
    assert _findings(noisy, "identifier")["account"]["action"] == "excluded"


def test_allow_keeps_a_guarded_column(noisy_csv):
    result = fit_scorecard(
        read_csv(noisy_csv), FitConfig("default", "1", allow=("application_date",), min_iv=0)
    )
    assert "application_date" not in _findings(result, "date")
    # Allowed past the date guard, it still meets the minimum bin share: 900 dates, none common.
    status = result.artifact["columns"]["status"]["application_date"]
    assert status == "no category holds 5% of the training rows"


def test_no_bin_is_fitted_on_fewer_rows_than_the_minimum_share(noisy):
    min_rows = np.ceil(0.05 * noisy.artifact["guards"]["train_rows"])
    for spec in noisy.artifact["features"]:
        regular = [b for b in spec["bins"] if b["label"] not in ("Special", "Missing", "Unseen")]
        assert all(b["count"] >= min_rows for b in regular), spec["name"]
        for b in spec["bins"]:
            if b["label"] in ("Special", "Missing") and 0 < b["count"] < min_rows:
                assert b["points"] == 0 and b["woe"] == "0.0"


def test_a_tiny_category_is_merged_and_a_tiny_missing_bin_neutralised(noisy_csv):
    result = fit_scorecard(read_csv(noisy_csv), FitConfig("default", "1", min_iv=0))
    merged = _findings(result, "min_bin_share")
    channel = next(f for f in result.artifact["features"] if f["name"] == "channel")
    assert "fax" in merged["channel"]["detail"] and merged["channel"]["action"] == "merged"
    assert any("fax" in group and len(group) > 1 for group in channel["categories"])
    tenure = next(f for f in result.artifact["features"] if f["name"] == "tenure")
    missing = next(b for b in tenure["bins"] if b["label"] == "Missing")
    assert 0 < missing["count"] < 0.05 * result.artifact["guards"]["train_rows"]
    assert missing["points"] == 0
    assert "Missing bin" in merged["tenure"]["detail"]


def test_numeric_features_are_monotonic(german, credit):
    for result in (german, credit):
        for spec in result.artifact["features"]:
            if spec["type"] == "numeric":
                assert spec["trend"] != "not monotonic", spec["name"]


def test_iv_stability_is_measured_and_flagged(german):
    stability = german.artifact["guards"]["stability"]
    assert set(stability) == set(german.scorecard.feature_names)
    flagged = {
        f["column"] for f in german.artifact["guards"]["findings"] if f["check"] == "stability"
    }
    assert flagged == {name for name, s in stability.items() if s["unstable"]}
    for name in flagged:
        s = stability[name]
        assert not 0.5 <= s["iv_holdout_bps"] / s["iv_train_bps"] <= 2


def test_strict_fails_on_findings_and_names_them(noisy_csv):
    with pytest.raises(GuardError) as exc:
        fit_scorecard(read_csv(noisy_csv), FitConfig("default", "1", strict=True))
    assert "application_date" in str(exc.value) and "account" in str(exc.value)


def test_protected_columns_are_never_features_unless_allowed(german, credit):
    status = german.artifact["columns"]["status"]
    for name in ("personal_status_and_sex", "age_in_years", "foreign_worker"):
        assert status[name] == "protected characteristic"
        assert name in german.artifact["columns"]["protected"]
    assert {"Age", "Marital"} <= set(credit.artifact["columns"]["protected"])
    allowed = fit_scorecard(
        read_csv(SAMPLES / "german_credit.csv"),
        FitConfig("creditability", "bad", allow=("age_in_years",)),
    )
    assert "age_in_years" in allowed.artifact["information_value_bps"]
    assert any(
        f["column"] == "age_in_years" and f["action"] == "allowed"
        for f in allowed.artifact["guards"]["findings"]
    )


@pytest.mark.parametrize(
    ("name", "protected"),
    [
        ("personal_status_and_sex", True),
        ("Gender", True),
        ("MaritalStatus", True),
        ("age_in_years", True),
        ("nationality", True),
        ("foreign_worker", True),
        ("race", True),
        ("religion", True),
        ("usage", False),
        ("mortgage_balance", False),
        ("page_views", False),
    ],
)
def test_protected_names(name, protected):
    assert is_protected(name) is protected


def test_the_card_range_is_what_attestation_accepts():
    assert CARD_SCORE_MAX == SCORE_MAX
    with pytest.raises(ConfigError):
        FitConfig("t", "b", score_max=SCORE_MAX + 1)
    with pytest.raises(ConfigError):
        FitConfig("t", "b", score_min=-1)


@pytest.fixture(scope="module")
def stretched(synthetic_csv):
    """PDO 400 stretches points far past 0..1000, so the range must clamp."""
    return fit_scorecard(
        read_csv(synthetic_csv), FitConfig("default", "1", pdo=400, score_min=100, score_max=900)
    )


def test_scores_are_clamped_to_the_stated_range(stretched):
    card = stretched.scorecard
    raw_lo = card.base_points + sum(int(f.points.min()) for f in card.features)
    raw_hi = card.base_points + sum(int(f.points.max()) for f in card.features)
    assert raw_lo < 100 or raw_hi > 900  # the scaling alone would leave the range
    assert card.score_range == (100, 900)
    pd = card.pd_bps(np.array([100, 900]))
    assert pd[0] > pd[1]


def test_no_score_outside_the_range_on_samples_and_generated_data(
    german, credit, synthetic, stretched
):
    for result, path in ((german, "german_credit.csv"), (credit, "credit_data.csv")):
        lo, hi = result.scorecard.score_range
        scores = result.scorecard.score_table(read_csv(SAMPLES / path)).score
        assert lo <= scores.min() and scores.max() <= hi
    for result in (german, synthetic, stretched):
        card = result.scorecard
        table = read_csv(SAMPLES / "german_credit.csv") if result is german else None

        _check_range(card, applicants(card, table) if table is not None else _generic(card))


def _check_range(card, rows_strategy) -> None:
    lo, hi = card.score_range

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(rows_strategy)
    def check(rows):
        for row in card.score_rows(rows):
            assert lo <= row.score <= hi
            assert 0 <= row.pd_bps <= 10_000

    check()


def _generic(card):
    from hypothesis import strategies as st

    from ledger.scoring.data import MISSING_TOKENS

    def cell(f):
        if f.kind == "numeric":
            return st.one_of(
                st.floats(-1e9, 1e9, allow_nan=False).map(repr), st.sampled_from(MISSING_TOKENS)
            )
        return st.one_of(st.sampled_from(sorted(f.lookup)), st.text("abcxyz", max_size=4))

    row = st.fixed_dictionaries({f.name: cell(f) for f in card.features})
    return st.lists(row, min_size=1, max_size=8)
