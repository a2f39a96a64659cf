"""Shared CLI helpers: console, clean failures (exit code 2), opening the runtime."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console

if TYPE_CHECKING:
    from ledger.runtime import Runtime

# Tables are laid out for 100 columns; piped or captured output (where Rich would assume
# 80 and cut addresses) gets 100, a terminal its own width.
WIDTH = 100
console = Console(width=None if sys.stdout.isatty() else WIDTH)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else WIDTH)


# Every command takes --json: one JSON document on stdout, for scripts (amounts in
# the token's smallest unit, times in unix seconds).
JsonOpt = Annotated[
    bool, typer.Option("--json", help="print one JSON object (amounts in smallest units)")
]


def fail(message: str) -> NoReturn:
    """Bad input or a refused operation: one clear line on stderr, exit code 2."""
    err_console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(2)


@contextmanager
def runtime() -> Iterator[Runtime]:
    """Open Credence on the configured chain (starting the managed node if needed)."""
    from pydantic import ValidationError

    from ledger.chain.node import NodeError
    from ledger.runtime import Runtime, SetupError

    try:
        rt = Runtime.open()
    except (NodeError, SetupError) as exc:
        fail(str(exc))
    except ValidationError as exc:  # a setting from the environment or .env
        fail(settings_problem(exc))
    try:
        yield rt
    finally:
        rt.close()


def settings_problem(exc: Any) -> str:
    """A pydantic ValidationError of ``Settings`` as the variables to fix and why."""
    return "; ".join(
        f"CREDENCE_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in exc.errors()
    )


def parse_hex32(value: str, field: str) -> bytes:
    text = value.strip().lower()
    if not (text.startswith("0x") and len(text) == 66):
        fail(f"{field}: expected 0x followed by 64 hex digits, got {value!r}")
    try:
        return bytes.fromhex(text[2:])
    except ValueError:
        fail(f"{field}: not hexadecimal: {value!r}")


def print_json(body: Any) -> None:
    """One JSON document on stdout (``--json``): amounts in the token's smallest unit."""
    print(json.dumps(body))


def read_input(path: Path, option: str | None = None) -> str:
    """A text input file, or a clean failure naming it (missing, a directory, not UTF-8)."""
    from ledger.inputfiles import read_text

    try:
        return read_text(path, ValueError)
    except ValueError as exc:
        fail(f"{option}: {exc}" if option else str(exc))


def parse_day(value: str, option: str) -> date:
    """A YYYY-MM-DD option value, or a clean failure naming the option."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option}: not a YYYY-MM-DD date: {value!r}")
