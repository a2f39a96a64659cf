"""Scoring from the artifact: batch = single row, reasons, encodings, no fitting libraries."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.scoring.data import MISSING_TOKENS, Coded, Table, read_csv
from ledger.scoring.explain import explanation

from .conftest import SAMPLES


def _cell_strategy(card, feature, table):
    seen = sorted(set(table.columns[feature.name]))
    options = [st.sampled_from(seen), st.sampled_from(MISSING_TOKENS)]
    if feature.kind == "numeric":
        options.append(st.floats(-1e6, 1e6, allow_nan=False).map(repr))
        options.append(st.sampled_from([repr(float(s)) for s in feature.splits] or ["0"]))
    else:
        options.append(st.text(alphabet="abcxyz -", min_size=1, max_size=6))
    return st.one_of(options)


def applicants(card, table):
    row = st.fixed_dictionaries({f.name: _cell_strategy(card, f, table) for f in card.features})
    return st.lists(row, min_size=1, max_size=8)


def test_single_row_and_batch_scores_agree(german):
    card = german.scorecard
    table = read_csv(SAMPLES / "german_credit.csv")

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(applicants(card, table))
    def check(rows):
        batch = card.score_rows(rows)
        for row, scored in zip(rows, batch, strict=True):
            alone = card.score_rows([row])[0]
            assert alone == scored
            assert isinstance(alone.score, int) and isinstance(alone.pd_bps, int)

    check()


def test_score_is_base_plus_points(german):
    card = german.scorecard
    table = read_csv(SAMPLES / "german_credit.csv")
    for row in card.score_table(table, ignore=()).rows(values=table.columns)[:50]:
        assert row.score == card.base_points + sum(d.points for d in row.details)


def _reference_reasons(details, top):
    lost = [(d.shortfall, -j, d.reason_code) for j, d in enumerate(details) if d.shortfall > 0]
    return [code for *_, code in sorted(lost, reverse=True)[:top]]


def test_reasons_are_the_largest_shortfalls_in_feature_order_on_ties(german, credit):
    for result, name in ((german, "german_credit.csv"), (credit, "credit_data.csv")):
        card = result.scorecard
        table = read_csv(SAMPLES / name)
        for top in (1, 4, 30):
            for row in card.score_table(table).rows(top):
                assert row.reasons == _reference_reasons(row.details, top)


def test_dictionary_encoded_columns_score_the_same(credit):
    card = credit.scorecard
    table = read_csv(SAMPLES / "credit_data.csv")
    plain = card.score_table(table)
    coded = {n: Coded.encode(c) for n, c in table.columns.items()}
    numeric = {
        f.name: np.array([float(v) if v else np.nan for v in table.columns[f.name]])
        for f in card.features
        if f.kind == "numeric"
    }
    encoded = card.score_columns(coded | numeric)
    assert np.array_equal(plain.score, encoded.score)
    assert plain.reason_codes() == encoded.reason_codes()


def test_explanation_names_reasons_with_their_bins(german):
    card = german.scorecard
    table = read_csv(SAMPLES / "german_credit.csv")
    row = card.score_table(table).rows(values=table.columns)[1]
    doc = explanation(card, row)
    assert doc["model_id"] == card.model_id and doc["score"] == row.score
    assert [r["code"] for r in doc["reasons"]] == row.reasons
    assert doc["reasons"][0]["shortfall"] >= doc["reasons"][-1]["shortfall"] > 0
    assert len(doc["points"]) == len(card.features)


def test_records_api_accepts_numbers_and_none(german):
    card = german.scorecard
    table = read_csv(SAMPLES / "german_credit.csv")
    first = {n: table.columns[n][0] for n in card.feature_names}
    typed = {
        n: (float(v) if f.kind == "numeric" else v)
        for (n, v), f in zip(first.items(), card.features, strict=True)
    }
    assert card.score_rows([first])[0].score == card.score_rows([typed])[0].score
    missing = dict(first, duration_in_month=None)
    j = card.feature_names.index("duration_in_month")
    assert card.score_rows([missing])[0].details[j].bin == "Missing"


def test_scoring_path_imports_no_fitting_library(german, tmp_path):
    from ledger.scoring.artifact import write_artifact

    path = tmp_path / "m.json"
    write_artifact(german.artifact, path)
    code = (
        "import sys; from ledger.scoring import Scorecard, read_csv;"
        f"c = Scorecard.load({str(path)!r}); s = c.score_table(read_csv({str(SAMPLES / 'german_credit.csv')!r}));"
        "s.reason_codes(); s.pd_bps; s.grades;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('optbinning', 'sklearn', 'pandas', 'scipy')];"
        "print(bad); assert not bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_table_from_records_matches_csv(german):
    table = read_csv(SAMPLES / "german_credit.csv")
    records = [{n: c[i] for n, c in table.columns.items()} for i in range(5)]
    again = Table.from_records(records)
    card = german.scorecard
    assert np.array_equal(card.score_table(again).score, card.score_table(table).score[:5])
