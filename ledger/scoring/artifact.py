"""The scorecard artifact: one canonical JSON document, and the model id that names it.

Canonical bytes are the JSON text with keys sorted, no insignificant whitespace and
UTF-8 (non-ASCII kept as is). The artifact holds no JSON floats: every number is an
integer (points, counts, basis points) and every decimal value (bin edges, coefficients)
is a string, so any language reproduces the bytes exactly. The model id is the
keccak-256 of those bytes; the file on disk *is* the canonical bytes, so
``keccak256(file)`` gives the id with any standard tool.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_utils import keccak

from ledger.scoring.errors import ArtifactError

FORMAT = "credence-scorecard/1"

ROUNDING_RULE = (
    "points per bin = -factor * coefficient * WoE and base_points = offset - factor * "
    "intercept, each rounded to the nearest integer with halves away from zero once at fit "
    "time; score = base_points + sum of the points of the row's bin in every feature "
    "(integer arithmetic only); pd_bps and grade are looked up from the integer score"
)


def canonical_bytes(artifact: dict[str, Any]) -> bytes:
    _reject_floats(artifact, "$")
    text = json.dumps(artifact, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def model_id(artifact: dict[str, Any]) -> str:
    """keccak-256 of the canonical bytes, as 0x-prefixed hex (a bytes32 on chain)."""
    return "0x" + keccak(canonical_bytes(artifact)).hex()


def write_artifact(artifact: dict[str, Any], path: str | Path) -> str:
    data = canonical_bytes(artifact)
    Path(path).write_bytes(data)
    return "0x" + keccak(data).hex()


def read_json(path: str | Path) -> dict[str, Any]:
    """A JSON object from a file; anything else is an ArtifactError naming the file."""
    try:
        doc = json.loads(Path(path).read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ArtifactError(f"{Path(path).name} is not JSON: {e}") from None
    if not isinstance(doc, dict):
        raise ArtifactError(f"{Path(path).name} is not a JSON object")
    return doc


def read_artifact(path: str | Path) -> dict[str, Any]:
    doc = read_json(path)
    if doc.get("format") != FORMAT:
        raise ArtifactError(f"{Path(path).name} is not a {FORMAT} artifact")
    _reject_floats(doc, "$")
    return doc


@dataclass(frozen=True)
class ModelRegistration:
    """What the AttestationRegistry stores for a model: id, where to get it, how good it is."""

    model_id: bytes
    artifact_uri: str
    auc_bps: int
    ks_bps: int
    gini_bps: int
    psi_bps: int
    sample_size: int

    @property
    def model_id_hex(self) -> str:
        return "0x" + self.model_id.hex()

    def metrics(self) -> dict[str, int]:
        return {"auc": self.auc_bps, "ks": self.ks_bps, "gini": self.gini_bps, "psi": self.psi_bps}


def registration_payload(path: str | Path, uri: str | None = None) -> ModelRegistration:
    """The registration of the artifact at ``path``; ``uri`` defaults to the path as given."""
    doc = read_artifact(path)
    m = doc.get("metrics") or {}
    try:
        return ModelRegistration(
            model_id=keccak(canonical_bytes(doc)),
            artifact_uri=uri if uri is not None else str(path),
            auc_bps=int(m["auc_bps"]),
            ks_bps=int(m["ks_bps"]),
            gini_bps=int(m["gini_bps"]),
            psi_bps=int(m["psi_bps"]),
            sample_size=int(m["sample_size"]),
        )
    except KeyError as e:
        raise ArtifactError(f"metrics lack {e.args[0]!r}", column="metrics") from None


def _reject_floats(node: Any, where: str) -> None:
    if isinstance(node, float):
        raise ArtifactError(f"{where} is a float; the artifact carries decimals as strings")
    if isinstance(node, dict):
        for k, v in node.items():
            _reject_floats(v, f"{where}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _reject_floats(v, f"{where}[{i}]")
