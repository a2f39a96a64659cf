"""The rating records this service published (service table: the record JSON, its anchor)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Text
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel


class RatingRow(SQLModel, table=True):
    commitment: str = Field(primary_key=True)  # 0x-hex
    attester_id: int  # the agency that attested it (the registry keys records by attester)
    pool: str = Field(index=True)
    tranche: int = Field(index=True)
    grade: str
    watch: str
    record: str = Field(sa_column=Column(Text, nullable=False))  # RatingRecord JSON
    supersedes: str | None = Field(default=None, index=True)
    superseded_by: str | None = Field(default=None, index=True)
    tx_hash: str
    block_number: int = Field(sa_column=Column(BigInteger, nullable=False))
    created_at: int = Field(sa_column=Column(BigInteger, nullable=False))


def ensure_table(engine: Engine) -> None:
    SQLModel.metadata.create_all(engine, tables=[RatingRow.__table__])  # type: ignore[attr-defined]
