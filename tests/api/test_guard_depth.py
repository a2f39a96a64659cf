"""The guard's C nesting scan against the real thing: the depth Python's JSON parser builds."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from api.guard import too_deep

# Strings full of what could fool a scanner: brackets, quotes, backslashes, escapes.
TRICKY = st.text(alphabet='[]{}"\\/ab\n\u00e9\u2028', max_size=12)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TRICKY,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TRICKY, inner, max_size=4),
    max_leaves=40,
)


def depth(value: Any) -> int:
    """How deeply arrays and objects nest in a parsed value (a scalar is 0)."""
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    return 0


@settings(max_examples=400, deadline=None)
@given(JSON_VALUES, st.integers(min_value=0, max_value=8), st.booleans())
def test_the_scan_agrees_with_the_parser(value: Any, limit: int, ascii_only: bool):
    body = json.dumps(value, ensure_ascii=ascii_only).encode()
    assert too_deep(body, limit) == (depth(json.loads(body)) > limit)


def test_a_body_at_the_size_limit_is_scanned_whole():
    filler = b'[{"a": "x\\"]]", "b": [1, 2]}],'
    body = b"[" + filler * 1_000_000 + b"[[[[]]]]]"
    assert not too_deep(body, 5) and too_deep(body, 4)
