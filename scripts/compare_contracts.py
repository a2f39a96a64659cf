#!/usr/bin/env python3
"""Prove a Solidity refactor changed no contract: compile this tree's ``contracts/`` and
those of a git revision with the project's compiler (same settings) and compare, per
contract, the runtime and creation code with the CBOR metadata stripped, the ABI and the
storage layout.

The metadata trailer hashes the sources, so it changes with any edit; everything before it
is the code a chain runs. Storage layouts are compared by label, slot, offset and type
shape, not by AST ids (which shift whenever a file is added).

    CREDENCE_DEV_MODE=1 python scripts/compare_contracts.py [--base HEAD] [--json]

Exit 0 when every contract of the base exists here unchanged, 1 otherwise.
"""

from __future__ import annotations

import argparse
import copy
import json
import subprocess
import sys
from typing import Any

from ledger import PROJECT_ROOT
from ledger.chain.compiler import _run_solc, source_files, standard_input


def base_sources(rev: str) -> dict[str, str]:
    """The ``contracts/`` sources of git revision ``rev``, keyed as ``source_files`` keys them."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=PROJECT_ROOT, check=True, capture_output=True, text=True
        ).stdout

    paths = git("ls-tree", "-r", "--name-only", rev, "--", "contracts/").split()
    return {p: git("show", f"{rev}:{p}") for p in sorted(paths) if p.endswith(".sol")}


def compile_with_layout(sources: dict[str, str]) -> dict[str, dict[str, Any]]:
    """solc's output per contract name, the project's settings plus the storage layout
    (an extra output: it does not change the code)."""
    compiler_input = copy.deepcopy(standard_input(sources))
    compiler_input["settings"]["outputSelection"]["*"]["*"].append("storageLayout")
    output = _run_solc(compiler_input)
    return {
        name: out
        for source, contracts in output.get("contracts", {}).items()
        if source.startswith("contracts/")
        for name, out in contracts.items()
    }


def strip_metadata(code: str) -> str:
    """The code without its CBOR trailer (its length is the code's last two bytes)."""
    if len(code) < 4:
        return code
    return code[: -2 * (int(code[-4:], 16) + 2)]


def without_runtime_metadata(creation: str, runtime: str) -> str:
    """The creation code with the embedded runtime code's metadata trailer blanked."""
    trailer = runtime[len(strip_metadata(runtime)) :]
    return creation.replace(trailer, "") if trailer else creation


def layout_shape(layout: dict[str, Any] | None) -> list[Any]:
    """The storage layout as (label, slot, offset, type shape), free of AST ids."""
    if not layout:
        return []
    types = layout.get("types") or {}

    def shape(type_id: str) -> dict[str, Any]:
        t = types[type_id]
        out: dict[str, Any] = {k: t[k] for k in ("label", "encoding", "numberOfBytes")}
        for key in ("base", "key", "value"):
            if key in t:
                out[key] = shape(t[key])
        if "members" in t:
            out["members"] = [entry(m) for m in t["members"]]
        return out

    def entry(e: dict[str, Any]) -> list[Any]:
        return [e["label"], e["slot"], e["offset"], shape(e["type"])]

    return [entry(e) for e in layout["storage"]]


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    old, new = before["evm"], after["evm"]
    old_rt, new_rt = old["deployedBytecode"]["object"], new["deployedBytecode"]["object"]
    diffs = []
    if strip_metadata(old_rt) != strip_metadata(new_rt):
        diffs.append("runtime code")
    old_cr = without_runtime_metadata(old["bytecode"]["object"], old_rt)
    if old_cr != without_runtime_metadata(new["bytecode"]["object"], new_rt):
        diffs.append("creation code")
    if before["abi"] != after["abi"]:
        diffs.append("ABI")
    if layout_shape(before.get("storageLayout")) != layout_shape(after.get("storageLayout")):
        diffs.append("storage layout")
    return diffs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD", help="git revision to compare with")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    after = compile_with_layout(source_files())  # first: this tree's errors show sooner
    before = compile_with_layout(base_sources(args.base))
    report = {}
    for name in sorted(before):
        if name not in after:
            report[name] = {"same": False, "differs": ["missing"]}
            continue
        diffs = differences(before[name], after[name])
        runtime = strip_metadata(after[name]["evm"]["deployedBytecode"]["object"])
        size = len(after[name]["evm"]["deployedBytecode"]["object"]) // 2
        report[name] = {"same": not diffs, "differs": diffs, "runtime_bytes": size}
        report[name]["code_bytes_without_metadata"] = len(runtime) // 2
    added = sorted(set(after) - set(before))
    if args.json:
        print(json.dumps({"base": args.base, "contracts": report, "added": added}, indent=2))
    else:
        for name, r in report.items():
            verdict = "same" if r["same"] else "DIFFERS: " + ", ".join(r["differs"])
            print(f"{name:24} {r.get('runtime_bytes', 0):>6} bytes  {verdict}")
        print(f"added (no base to compare): {', '.join(added) or 'none'}")
    return 0 if all(r["same"] for r in report.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
