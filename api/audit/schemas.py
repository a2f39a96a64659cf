from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

TX = "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"


class DifferenceOut(BaseModel):
    kind: str = Field(description="missing_in_db, only_in_db, value_differs or reorged_out")
    entity: str = Field(description="the table, e.g. dealperiod")
    key: str = Field(description="the entity's key, parts joined with '/'")
    block: int | None
    tx_hash: str | None
    field: str | None = None
    chain: str | None = Field(default=None, description="the value rebuilt from the chain")
    db: str | None = Field(default=None, description="the value in the service's database")


class ReconciliationOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "equal": False,
                    "entities_compared": 412,
                    "counts": {"missing_in_db": 0, "only_in_db": 0, "value_differs": 1, "reorged_out": 0},
                    "first_divergent_block": 44,
                    "chain_digest": "9f2c…",
                    "db_digest": "1a7e…",
                    "differences": [
                        {
                            "kind": "value_differs",
                            "entity": "dealperiod",
                            "key": "0xa94400c28F5401E438855a87b2a96B62fB16d2c7/2",
                            "block": 44,
                            "tx_hash": TX,
                            "field": "cash_in",
                            "chain": "97547324933",
                            "db": "1",
                        }
                    ],
                }
            ]
        }
    )  # fmt: skip

    equal: bool
    entities_compared: int
    counts: dict[str, int]
    first_divergent_block: int | str | None = Field(
        description="the first block whose state digests differ ('head' for rows without a block)"
    )
    chain_digest: str
    db_digest: str
    differences: list[DifferenceOut]


class EntryOut(BaseModel):
    tx_hash: str
    block: int
    log_index: int
    event: str
    account: str = Field(description="pool:cash, tranche:<i>:cash, investor:<address>, …")
    amount: int = Field(description="settlement-token units; + into the account, - out of it")
    memo: str


class HeldOut(BaseModel):
    account: str
    journal: int
    chain: int = Field(description="the settlement token's balanceOf the holding contract")
    equal: bool


class JournalOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "pool": "0xa94400c28F5401E438855a87b2a96B62fB16d2c7",
                    "entries": [
                        {"tx_hash": TX, "block": 21, "log_index": 3, "event": "Subscribed",
                         "account": "pool:cash", "amount": 400000000000, "memo": "subscription, tranche 0"},
                        {"tx_hash": TX, "block": 21, "log_index": 3, "event": "Subscribed",
                         "account": "investor:0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
                         "amount": -400000000000, "memo": "subscription, tranche 0"},
                    ],
                    "unbalanced": {},
                    "held": [{"account": "pool:cash", "journal": 10000000000,
                              "chain": 10000000000, "equal": True}],
                }
            ]
        }
    )  # fmt: skip

    pool: str
    entries: list[EntryOut]
    unbalanced: dict[str, int] = Field(description="transactions whose entries do not sum to 0")
    held: list[HeldOut]
