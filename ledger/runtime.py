"""Wire Credence together from settings: node, web3, keys, senders, database, contracts.

``Runtime.open()`` is what the CLI, the API and the scripts call. With no RPC URL it
starts a managed node whose state lives under the data directory; on a fresh chain it
deploys the contracts (the attestation registry; the investor registry, pool factory and,
on a dev chain, a mock stablecoin), writes the manifest, funds the role keys from the
node's dev account, registers the service's attester and grants the agent compliance.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from requests.exceptions import RequestException
from sqlalchemy.engine import Engine
from web3 import Web3
from web3.contract import Contract

from ledger.attest.registry import Registry
from ledger.attest.service import AttestationService
from ledger.chain.compiler import compile_contracts
from ledger.chain.deploy import DeployedContract, Manifest, contract_at, deploy
from ledger.chain.node import LocalNode, rpc_ready
from ledger.files import private_dir, restrict_tree, write_private
from ledger.indexer import Indexer
from ledger.indexer.attestations import REGISTRY_PROJECTION
from ledger.indexer.cover import COVER_DISCOVERY, COVER_PROJECTION
from ledger.indexer.deals import DEALS_PROJECTION, POOL_CONTRACTS, POOL_DISCOVERY
from ledger.keys import Keystore
from ledger.settings import Settings, get_settings
from ledger.store import create_db
from ledger.store.outbox import SqlIdempotencyStore
from ledger.tx import ErrorDecoder, Sender

DEV_FUNDING_WEI = Web3.to_wei(1_000, "ether")
DEV_CHAIN_IDS = (31337, 1337)  # Anvil, Ganache
SERVICE_ROLES = ("admin", "attester", "relayer", "structurer", "servicer", "agent")
DEAL_CONTRACTS = ("InvestorRegistry", "PoolFactory")  # followed from deployment on
SERVICE_ATTESTER_NAME = "Credence local scoring institution"


class SetupError(RuntimeError):
    """Credence could not reach or prepare its chain."""


@dataclass
class Runtime:
    settings: Settings
    w3: Web3
    engine: Engine
    keystore: Keystore
    node: LocalNode | None = None
    manifest: Manifest | None = None
    _senders: dict[str, Sender] = field(default_factory=dict)

    # -- opening ---------------------------------------------------------------------

    @classmethod
    def open(cls, settings: Settings | None = None, *, deploy_if_missing: bool = True) -> Runtime:
        settings = settings or get_settings()
        try:
            settings.check_secrets()
        except ValueError as exc:
            raise SetupError(str(exc)) from None
        # Everything Credence and its node write is private to this user: files 0600,
        # directories 0700 (the umask covers the node's and SQLite's files too).
        os.umask(0o077)
        private_dir(settings.data_dir)
        restrict_tree(settings.data_dir)
        node = None
        url = settings.rpc_url
        if url is None:
            node = LocalNode(
                kind=settings.node,
                port=settings.node_port,
                state_dir=settings.data_dir / "node",
                block_time=settings.block_time,
            )
            if not rpc_ready(node.url):
                node.start()
            else:
                node = None  # another Credence process already manages it
            url = f"http://127.0.0.1:{settings.node_port}"
        w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 60}))
        runtime = cls(
            settings=settings,
            w3=w3,
            engine=create_db(settings.db_url, settings.sqlite_synchronous),
            keystore=Keystore(settings.data_dir / "keys", settings.keystore_passphrase),
            node=node,
        )
        try:
            runtime.manifest = runtime._load_manifest()
            if runtime.manifest is None and deploy_if_missing:
                runtime.manifest = runtime.bootstrap()
        except RequestException as exc:  # the first call to the node: it does not answer
            runtime.close()
            where = "CREDENCE_RPC_URL" if settings.rpc_url else "the managed node"
            raise SetupError(
                f"{where}: no JSON-RPC answer from {url} ({type(exc).__name__})"
            ) from None
        return runtime

    def close(self) -> None:
        if self.node is not None:
            self.node.stop()
            self.node = None

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- contracts and senders -------------------------------------------------------

    @cached_property
    def errors(self) -> ErrorDecoder:
        return ErrorDecoder([a.abi for a in compile_contracts().values()])

    def sender(self, role: str) -> Sender:
        if role not in self._senders:
            self._senders[role] = Sender(
                self.w3,
                self.keystore.signer(role),
                idempotency=SqlIdempotencyStore(self.engine),
                errors=self.errors,
            )
        return self._senders[role]

    def contract(self, name: str) -> Contract:
        if self.manifest is None:
            raise SetupError("no deployment: run `credence up` (or `credence deploy`) first")
        return contract_at(self.w3, name, self.manifest.address(name))

    def pseudonym_secret(self) -> bytes:
        """The institution's HMAC key for subject pseudonyms (created once, kept private)."""
        return pseudonym_secret(self.settings.data_dir)

    # -- services ----------------------------------------------------------------------

    def registry(self, role: str = "attester") -> Registry:
        """The AttestationRegistry client, signing with ``role``'s key."""
        return Registry(self.contract("AttestationRegistry"), self.sender(role))

    def attestation_service(self) -> AttestationService:
        return AttestationService(
            self.engine,
            self.registry("attester"),
            pseudonym_secret=self.pseudonym_secret(),
            max_batch_size=self.settings.batch_max_size,
            max_wait_s=self.settings.batch_max_wait_s,
            seal_workers=self.settings.seal_workers,
            confirmations=self.settings.anchor_confirmations,
            anchor_wait_s=self.settings.anchor_wait_s,
        )

    def indexer(self, engine: Engine | None = None) -> Indexer:
        """An indexer over every deployed contract that has a projection, writing into
        ``engine`` (default: the service's database; an auditor's rebuild passes its own)."""
        if self.manifest is None:
            raise SetupError("no deployment: run `credence up` first")
        static = ["AttestationRegistry", *DEAL_CONTRACTS]
        deployed = [name for name in static if name in self.manifest.contracts]
        return Indexer(
            self.w3,
            engine if engine is not None else self.engine,
            {name: self.contract(name) for name in deployed},
            [REGISTRY_PROJECTION, DEALS_PROJECTION, COVER_PROJECTION],
            start_block=self.manifest.start_block,
            confirmations=self.settings.confirmations,
            chunk_size=self.settings.index_chunk_size,
            discoveries=[POOL_DISCOVERY, COVER_DISCOVERY],
            handled_only=POOL_CONTRACTS,
        )

    # -- deployment --------------------------------------------------------------------

    def _load_manifest(self) -> Manifest | None:
        path: Path = self.settings.manifest_path
        if not path.exists():
            return None
        manifest = Manifest.load(path)
        if manifest.chain_id != self.w3.eth.chain_id:
            return None
        alive = all(self.w3.eth.get_code(c.address) for c in manifest.contracts.values())
        return manifest if alive else None

    def fund_dev_keys(self, roles: tuple[str, ...] = ("admin", "attester", "relayer")) -> None:
        """On a development node, give the role keys ether (external chains: the operator does)."""
        for role in roles:
            address = self.keystore.signer(role).address
            if self.w3.eth.get_balance(address) < DEV_FUNDING_WEI // 2:
                self._dev_fund(address)

    def _dev_fund(self, address: str) -> None:
        amount = hex(DEV_FUNDING_WEI)
        for method in ("anvil_setBalance", "evm_setAccountBalance"):  # Anvil, Ganache
            if "error" not in self.w3.provider.make_request(method, [address, amount]):
                return
        if self.w3.eth.accounts:  # any other dev node with an unlocked account
            tx = {"from": self.w3.eth.accounts[0], "to": address, "value": DEV_FUNDING_WEI}
            self.w3.eth.wait_for_transaction_receipt(self.w3.eth.send_transaction(tx))

    def bootstrap(self) -> Manifest:
        """Deploy the contracts on a fresh chain, register the service's attester and give
        the role keys their on-chain roles."""
        self.fund_dev_keys(SERVICE_ROLES)
        admin = self.sender("admin")
        registry, record = deploy(admin, "AttestationRegistry", admin.address)
        manifest = Manifest(chain_id=self.w3.eth.chain_id, contracts={record.name: record})
        attester = self.keystore.signer("attester").address
        admin.send(
            registry.functions.registerAttester(attester, SERVICE_ATTESTER_NAME, "credence://local")
        )
        # the feed pools with a rating trigger read (docs/ratings.md, Rating triggers)
        manifest.contracts["RatingFeed"] = deploy(admin, "RatingFeed", registry.address)[1]
        for record in self._deploy_deal_contracts(admin):
            manifest.contracts[record.name] = record
        manifest.save(self.settings.manifest_path)
        return manifest

    def is_dev_chain(self) -> bool:
        """Anvil's or Ganache's default chain id: balances there are worth nothing."""
        return self.w3.eth.chain_id in DEV_CHAIN_IDS

    def _deploy_deal_contracts(self, admin: Sender) -> list[DeployedContract]:
        """The investor registry (compliance: the agent key), the pool implementation and
        factory, and on a dev chain a mock stablecoin to settle in. Pool roles (structurer,
        servicer) and token agent roles are granted per pool when it is created."""
        investors, registry = deploy(admin, "InvestorRegistry", admin.address)
        compliance = Web3.keccak(text="COMPLIANCE_ROLE")
        admin.send(investors.functions.grantRole(compliance, self.keystore.signer("agent").address))
        _, waterfall = deploy(admin, "Waterfall")  # the pool's linked library
        linked = {"Waterfall": waterfall.address}
        implementation, pool = deploy(admin, "SecuritizationPool", libraries=linked)
        _, factory = deploy(admin, "PoolFactory", implementation.address)
        records = [registry, waterfall, pool, factory]
        if self.is_dev_chain():
            records.append(deploy(admin, "MockStablecoin")[1])
        return records


def pseudonym_secret(data_dir: Path) -> bytes:
    """The HMAC key for subject and loan pseudonyms kept in ``data_dir`` (created once,
    readable by its owner only); no node is needed to read it."""
    path = data_dir / "keys" / "pseudonym.secret"
    if not path.exists():
        write_private(path, secrets.token_bytes(32))
    return path.read_bytes()
