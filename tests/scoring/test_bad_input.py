"""Every bad input of issue item 7 gets a ScoringError naming column and row (or a fallback),
and the CLI turns it into exit code 2 and one line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledger.cli import _register_subcommands, app
from ledger.scoring.artifact import write_artifact
from ledger.scoring.data import read_csv
from ledger.scoring.errors import (
    ArtifactError,
    ConfigError,
    EmptyInputError,
    ExtraColumnError,
    MalformedInputError,
    MissingColumnError,
    NonNumericValueError,
    TargetError,
    UnseenCategoryError,
)
from ledger.scoring.fit import FitConfig, fit_scorecard, parse_grades
from ledger.scoring.score import Scorecard

from .conftest import synthetic_rows, write_csv

_register_subcommands()


@pytest.fixture(scope="module")
def model(synthetic, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("model") / "model.json"
    write_artifact(synthetic.artifact, path)
    return path


def _rows(n: int = 5) -> tuple[list[str], list[list[object]]]:
    header, rows = synthetic_rows()
    return header, rows[:n]


def _cli(*args: str):
    return CliRunner().invoke(app, ["score", *args])


def _assert_clean_exit(result, *needles: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    line = result.stderr.strip()
    assert line.startswith("error: ") and "\n" not in line
    for needle in needles:
        assert needle in line


def test_missing_column(synthetic, tmp_path, model):
    header, rows = _rows()
    path = write_csv(tmp_path / "a.csv", header[:2] + header[3:], [r[:2] + r[3:] for r in rows])
    with pytest.raises(MissingColumnError) as e:
        synthetic.scorecard.score_table(read_csv(path))
    assert e.value.column == "region"
    _assert_clean_exit(
        _cli("apply", str(model), str(path), "--out", str(tmp_path / "o.csv")), "'region'"
    )


def test_extra_column_is_an_error_unless_ignored(synthetic, tmp_path, model):
    header, rows = _rows()
    path = write_csv(tmp_path / "a.csv", [*header, "branch"], [[*r, "x"] for r in rows])
    with pytest.raises(ExtraColumnError) as e:
        synthetic.scorecard.score_table(read_csv(path))
    assert e.value.column == "branch"
    assert len(synthetic.scorecard.score_table(read_csv(path), ignore=["branch"])) == 5
    _assert_clean_exit(
        _cli("apply", str(model), str(path), "--out", str(tmp_path / "o.csv")), "'branch'"
    )


def test_unseen_category_falls_back_or_fails_when_strict(synthetic, tmp_path, model):
    header, rows = _rows()
    rows[3][2] = "atlantis"
    path = write_csv(tmp_path / "a.csv", header, rows)
    card = synthetic.scorecard
    scored = card.score_rows([dict(zip(header, r, strict=True)) for r in rows])
    region = card.feature_names.index("region")
    assert scored[3].details[region].bin == "Unseen" and scored[3].details[region].points == 0
    with pytest.raises(UnseenCategoryError) as e:
        card.score_table(read_csv(path), strict=True)
    assert (e.value.column, e.value.row) == ("region", 4)
    result = _cli("apply", str(model), str(path), "--out", str(tmp_path / "o.csv"), "--strict")
    _assert_clean_exit(result, "'region'", "row 4", "atlantis")


def test_text_in_a_numeric_column(synthetic, tmp_path, model):
    header, rows = _rows()
    rows[2][1] = "12k"
    path = write_csv(tmp_path / "a.csv", header, rows)
    with pytest.raises(NonNumericValueError) as e:
        synthetic.scorecard.score_table(read_csv(path))
    assert (e.value.column, e.value.row) == ("income", 3)
    _assert_clean_exit(
        _cli("apply", str(model), str(path), "--out", str(tmp_path / "o.csv")), "'income'", "row 3"
    )


def test_text_in_a_numeric_column_when_fitting(tmp_path):
    header, rows = synthetic_rows()
    rows[41][1] = "n/a?"
    path = write_csv(tmp_path / "a.csv", header, rows)
    with pytest.raises(NonNumericValueError) as e:
        fit_scorecard(read_csv(path), FitConfig("default", "1"))
    assert (e.value.column, e.value.row) == ("income", 42)
    result = _cli(
        "fit",
        str(path),
        "--target",
        "default",
        "--bad",
        "1",
        "--out",
        str(tmp_path / "m.json"),
        "--json",
    )
    _assert_clean_exit(result, "'income'", "row 42")
    assert result.stdout == ""


@pytest.mark.parametrize("content", ["", "customer,income,region,utilisation,default\n"])
def test_empty_file(tmp_path, model, content):
    path = tmp_path / "empty.csv"
    path.write_text(content)
    with pytest.raises(EmptyInputError):
        read_csv(path)
    _assert_clean_exit(_cli("apply", str(model), str(path), "--out", str(tmp_path / "o.csv")))
    result = _cli(
        "fit", str(path), "--target", "default", "--bad", "1", "--out", str(tmp_path / "m.json")
    )
    _assert_clean_exit(result)


def test_target_with_one_class(tmp_path):
    header, rows = synthetic_rows(100)
    for r in rows:
        r[-1] = 0
    path = write_csv(tmp_path / "a.csv", header, rows)
    with pytest.raises(TargetError) as e:
        fit_scorecard(read_csv(path), FitConfig("default", "0"))
    assert e.value.column == "default" and "one class" in str(e.value)
    result = _cli(
        "fit", str(path), "--target", "default", "--bad", "1", "--out", str(tmp_path / "m.json")
    )
    _assert_clean_exit(result, "'default'", "bad label '1'")


def test_target_problems(tmp_path):
    header, rows = synthetic_rows(100)
    rows[9][-1] = ""
    path = write_csv(tmp_path / "a.csv", header, rows)
    with pytest.raises(TargetError) as e:
        fit_scorecard(read_csv(path), FitConfig("default", "1"))
    assert (e.value.column, e.value.row) == ("default", 10)
    with pytest.raises(MissingColumnError):
        fit_scorecard(read_csv(path), FitConfig("status", "1"))


def test_ragged_row_and_duplicate_header(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a,b\n1,2\n3\n")
    with pytest.raises(MalformedInputError) as e:
        read_csv(path)
    assert e.value.row == 2
    path.write_text("a,a\n1,2\n")
    with pytest.raises(MalformedInputError) as e:
        read_csv(path)
    assert e.value.column == "a"


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"a,b\n\xff,2\n", "not UTF-8"), (b"a\n" + b"x" * 200_000 + b"\n", "not a readable CSV")],
)
def test_unreadable_bytes(tmp_path, model, content, reason):
    # A UnicodeDecodeError or a csv.Error was a traceback from every `score` command.
    path = tmp_path / "u.csv"
    path.write_bytes(content)
    with pytest.raises(MalformedInputError, match=reason):
        read_csv(path)
    _assert_clean_exit(_cli("apply", str(model), str(path), "--out", str(tmp_path / "o.csv")))


@pytest.mark.parametrize("rate", ["nan", "1e400", "-0.5", "1.5"])
def test_strategy_rates_outside_0_to_1(tmp_path, model, rate):
    # NaN and infinity reached round() (a ValueError / OverflowError traceback).
    header, rows = synthetic_rows(60)
    data = write_csv(tmp_path / "a.csv", header, rows)
    out = str(tmp_path / "s.json")
    for option in ("--target-bad-rate", "--target-approval-rate"):
        result = _cli("strategy", str(model), str(data), "--out", out, option, rate)
        _assert_clean_exit(result, option, "from 0 to 1")


@pytest.mark.parametrize("command", ["explain", "apply"])
def test_a_negative_count_of_reasons(tmp_path, model, command):
    header, rows = _rows()
    data = write_csv(tmp_path / "a.csv", header, rows)
    args = ["--row", "1"] if command == "explain" else ["--out", str(tmp_path / "o.csv")]
    result = _cli(command, str(model), str(data), *args, "--top", "-1", "--ignore", "default")
    assert result.exit_code == 2 and "Traceback" not in result.output  # was a numpy ValueError
    assert "--top" in result.output


def test_bad_options_and_artifacts(tmp_path, model):
    with pytest.raises(ConfigError):
        parse_grades("A:600,B:650,C")
    with pytest.raises(ConfigError):
        parse_grades("A:600,B") and parse_grades("A,B:500")
    header, rows = _rows()
    path = write_csv(tmp_path / "a.csv", header, rows)
    _assert_clean_exit(
        _cli(
            "fit",
            str(path),
            "--target",
            "default",
            "--bad",
            "1",
            "--out",
            str(tmp_path / "m.json"),
            "--grades",
            "A:x,B",
        ),
        "grades",
    )
    (tmp_path / "junk.json").write_text("{not json")
    _assert_clean_exit(
        _cli("apply", str(tmp_path / "junk.json"), str(path), "--out", str(tmp_path / "o.csv"))
    )
    with pytest.raises(ArtifactError):
        Scorecard.load(tmp_path / "junk.json")
    _assert_clean_exit(_cli("explain", str(model), str(path), "--row", "99"), "row 99")
