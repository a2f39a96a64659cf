"""Compile the Solidity sources in ``contracts/`` through py-solc-x into artifacts.

No native solc can be fetched here, so py-solc-x drives ``solc.js``, a small adapter
over solc-js (the official compiler built to WebAssembly; same bytecode as native solc
for the same version and settings). Artifacts are cached by a hash of the compiler
input, so an unchanged tree never recompiles and the output is reproducible bit for bit.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ledger import PROJECT_ROOT

CONTRACTS_DIR = PROJECT_ROOT / "contracts"
BUILD_DIR = PROJECT_ROOT / "build" / "contracts"
SOLC_ADAPTER = Path(__file__).with_name("solc.js")
SOLC_VERSION = "0.8.30"
# Shanghai keeps the bytecode runnable on Ganache 7 as well as Anvil and current L2s.
EVM_VERSION = "shanghai"
OPTIMIZER_RUNS = 10_000


@dataclass(frozen=True)
class Artifact:
    name: str
    source: str
    abi: list[dict[str, Any]]
    bytecode: str
    deployed_bytecode: str
    immutable_references: dict[str, list[dict[str, int]]]
    metadata: str

    def to_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


class CompilationError(RuntimeError):
    """The Solidity sources did not compile; the message carries solc's errors."""


def source_files() -> dict[str, str]:
    """Project sources keyed by their path relative to the project root."""
    return {
        str(p.relative_to(PROJECT_ROOT)): p.read_text()
        for p in sorted(CONTRACTS_DIR.rglob("*.sol"))
    }


def standard_input(sources: dict[str, str]) -> dict[str, Any]:
    return {
        "language": "Solidity",
        "sources": {path: {"content": text} for path, text in sources.items()},
        "settings": {
            "optimizer": {"enabled": True, "runs": OPTIMIZER_RUNS},
            "viaIR": True,
            "evmVersion": EVM_VERSION,
            "metadata": {"bytecodeHash": "ipfs"},
            "outputSelection": {
                "*": {
                    "*": [
                        "abi",
                        "metadata",
                        "evm.bytecode.object",
                        "evm.deployedBytecode.object",
                        "evm.deployedBytecode.immutableReferences",
                    ]
                }
            },
        },
    }


def _run_solc(compiler_input: dict[str, Any]) -> dict[str, Any]:
    import solcx  # only when compiling: loading cached artifacts (e.g. to verify) stays fast

    output = solcx.compile_standard(
        compiler_input,
        solc_binary=SOLC_ADAPTER,
        base_path=str(PROJECT_ROOT),
        allow_empty=True,
    )
    errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise CompilationError("\n".join(e["formattedMessage"] for e in errors))
    return output


def _artifacts_from_output(output: dict[str, Any]) -> dict[str, Artifact]:
    artifacts: dict[str, Artifact] = {}
    for source, contracts in output.get("contracts", {}).items():
        if not source.startswith("contracts/"):
            continue
        for name, out in contracts.items():
            evm = out["evm"]
            artifacts[name] = Artifact(
                name=name,
                source=source,
                abi=out["abi"],
                bytecode="0x" + evm["bytecode"]["object"],
                deployed_bytecode="0x" + evm["deployedBytecode"]["object"],
                immutable_references=evm["deployedBytecode"].get("immutableReferences", {}),
                metadata=out["metadata"],
            )
    return artifacts


def input_hash(compiler_input: dict[str, Any]) -> str:
    blob = json.dumps(compiler_input, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob + SOLC_VERSION.encode()).hexdigest()


@lru_cache
def compile_contracts(build_dir: Path = BUILD_DIR) -> dict[str, Artifact]:
    """Compile (or load from the cache) every contract under ``contracts/``."""
    compiler_input = standard_input(source_files())
    cache = build_dir / f"{input_hash(compiler_input)[:16]}.json"
    if cache.exists():
        return {k: Artifact(**v) for k, v in json.loads(cache.read_text()).items()}
    artifacts = _artifacts_from_output(_run_solc(compiler_input))
    build_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({k: a.to_json() for k, a in artifacts.items()}, sort_keys=True))
    tmp.replace(cache)
    return artifacts


def artifact(name: str) -> Artifact:
    try:
        return compile_contracts()[name]
    except KeyError:
        raise KeyError(f"no contract named {name!r} under contracts/") from None
