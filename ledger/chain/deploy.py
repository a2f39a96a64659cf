"""Deploy contracts, write the deployment manifest, and check deployed code against sources.

The manifest (chain id, addresses, blocks, code hashes) is what every other part of
Credence reads to find its contracts.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from eth_utils import keccak
from hexbytes import HexBytes
from web3 import Web3
from web3.contract import Contract

from ledger.chain.compiler import Artifact, artifact, compile_contracts
from ledger.files import write_private
from ledger.tx import Sender


@dataclass
class DeployedContract:
    name: str
    address: str
    block: int
    tx_hash: str
    code_hash: str
    libraries: dict[str, str] = field(default_factory=dict)  # linked: name -> address


@dataclass
class Manifest:
    chain_id: int
    contracts: dict[str, DeployedContract] = field(default_factory=dict)

    def address(self, name: str) -> str:
        try:
            return self.contracts[name].address
        except KeyError:
            raise KeyError(f"{name} is not in the deployment manifest") from None

    @property
    def start_block(self) -> int:
        return min((c.block for c in self.contracts.values()), default=0)

    def save(self, path: Path) -> None:
        body = {
            "chain_id": self.chain_id,
            "contracts": {k: asdict(v) for k, v in self.contracts.items()},
        }
        write_private(path, json.dumps(body, indent=2, sort_keys=True).encode())

    @classmethod
    def load(cls, path: Path) -> Manifest:
        body = json.loads(path.read_text())
        contracts = {k: DeployedContract(**v) for k, v in body["contracts"].items()}
        return cls(chain_id=body["chain_id"], contracts=contracts)


def contract_at(w3: Web3, name: str, address: str) -> Contract:
    return w3.eth.contract(address=Web3.to_checksum_address(address), abi=artifact(name).abi)


def deploy(
    sender: Sender,
    name: str,
    *args: Any,
    libraries: dict[str, str] | None = None,
    idempotency_key: str | None = None,
) -> tuple[Contract, DeployedContract]:
    """Deploy ``name`` with constructor ``args``; returns the bound contract and its record.
    Libraries it calls externally are linked to ``libraries`` (name -> address); any not
    given are deployed first, once, by the same sender. With ``idempotency_key`` a retry
    finds the first deployment instead of deploying again."""
    art = artifact(name)
    w3 = sender.w3
    linked = dict(libraries or {})
    for lib in art.libraries:
        if lib not in linked:
            linked[lib] = deploy(sender, lib)[1].address
    linked = {lib: linked[lib] for lib in art.libraries}
    factory = w3.eth.contract(abi=art.abi, bytecode=art.linked(linked))
    receipt = sender.send(factory.constructor(*args), idempotency_key=idempotency_key)
    address = receipt["contractAddress"]
    code = w3.eth.get_code(address)
    record = DeployedContract(
        name=name,
        address=address,
        block=receipt["blockNumber"],
        tx_hash=HexBytes(receipt["transactionHash"]).to_0x_hex(),
        code_hash="0x" + keccak(code).hex(),
        libraries=linked,
    )
    return w3.eth.contract(address=address, abi=art.abi), record


def mask_immutables(code: bytes, art: Artifact) -> bytes:
    """Zero the byte ranges that hold immutables (set at construction, so per deployment)."""
    buf = bytearray(code)
    for refs in art.immutable_references.values():
        for ref in refs:
            buf[ref["start"] : ref["start"] + ref["length"]] = bytes(ref["length"])
    return bytes(buf)


@dataclass
class CodeCheck:
    name: str
    address: str
    matches: bool
    reason: str


def verify_deployment(w3: Web3, manifest: Manifest) -> list[CodeCheck]:
    """Compare the runtime code at each manifest address with what the sources compile to."""
    artifacts = compile_contracts()
    checks = []
    for name, deployed in sorted(manifest.contracts.items()):
        art = artifacts.get(name)
        if art is None:
            checks.append(CodeCheck(name, deployed.address, False, "no such contract in sources"))
            continue
        onchain = bytes(w3.eth.get_code(Web3.to_checksum_address(deployed.address)))
        try:
            expected = bytes.fromhex(art.linked(deployed.libraries, runtime=True)[2:])
        except KeyError as exc:
            checks.append(CodeCheck(name, deployed.address, False, str(exc.args[0])))
            continue
        if not onchain:
            checks.append(CodeCheck(name, deployed.address, False, "no code at address"))
        elif mask_immutables(onchain, art) != mask_immutables(expected, art):
            checks.append(CodeCheck(name, deployed.address, False, "runtime bytecode differs"))
        else:
            checks.append(CodeCheck(name, deployed.address, True, "runtime bytecode matches"))
    return checks
