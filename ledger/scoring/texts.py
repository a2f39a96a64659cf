"""Reason texts: each bin of each feature, in words an applicant can read.

Generated at fit time from the feature name and the bin (``Duration in month: 24 or
more``), unless the analyst gives a text for the feature or for one of its bins; the
text is stored with the bin in the artifact, so it is part of what the model id names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ledger.scoring.errors import ConfigError

MAX_TEXT = 160
_NUMERIC_BIN = re.compile(r"[\[(](?P<lo>[^,]+), (?P<hi>[^)]+)\)")
_BAD_CHARS = re.compile(r"[\x00-\x1f\x7f]")

# Analyst overrides: feature -> one text for every bin, or feature -> {bin label -> text}.
Overrides = Mapping[str, str | Mapping[str, str]]


def humanise(name: str) -> str:
    words = re.sub(r"[_\s]+", " ", re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)).strip()
    return words[:1].upper() + words[1:].lower() if words else name


def _number(text: str) -> str:
    try:
        x = float(text)
    except ValueError:
        return text
    return str(int(x)) if x == int(x) else f"{x:g}"


def bin_text(feature: str, label: str) -> str:
    """The generated text for the bin ``label`` of ``feature``."""
    name = humanise(feature)
    if label == "Missing":
        return f"{name}: not given"
    if label == "Special":
        return f"{name}: a special value"
    if label == "Unseen":
        return f"{name}: a value the model has not seen before"
    m = _NUMERIC_BIN.fullmatch(label)
    if m:
        lo, hi = m["lo"], m["hi"]
        if lo == "-inf":
            return f"{name}: below {_number(hi)}"
        if hi == "inf":
            return f"{name}: {_number(lo)} or more"
        return f"{name}: from {_number(lo)} to below {_number(hi)}"
    return _clip(f"{name}: {label}")


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3] + "..."


def check_text(text: object, where: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ConfigError("must be a non-empty text", column=where)
    if len(text) > MAX_TEXT or _BAD_CHARS.search(text):
        raise ConfigError(
            f"must be at most {MAX_TEXT} characters without line breaks", column=where
        )
    return text


def check_overrides(overrides: Overrides, features: Mapping[str, list[str]]) -> None:
    """Every override must name a fitted feature (and bin); raises ConfigError otherwise."""
    for feature, given in overrides.items():
        if feature not in features:
            raise ConfigError("reason text for a column that is not a feature", column=feature)
        if isinstance(given, str):
            check_text(given, f"reason_texts.{feature}")
            continue
        if not isinstance(given, Mapping):
            raise ConfigError("must be a text or {bin label: text}", column=feature)
        for label, text in given.items():
            if label not in features[feature]:
                raise ConfigError(f"{feature} has no bin {label!r}", column="reason_texts")
            check_text(text, f"reason_texts.{feature}.{label}")


def text_for(feature: str, label: str, overrides: Overrides) -> str:
    given = overrides.get(feature)
    if isinstance(given, str):
        return given
    if isinstance(given, Mapping) and label in given:
        return given[label]
    return bin_text(feature, label)
