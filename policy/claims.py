"""Validated input for the engine: a person and their claims, money in fen."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class Person:
    category: str
    age: int | None = None
    sex: str | None = None
    diseases: tuple[str, ...] = ()
    chronic_class: str | None = None
    disabilities: tuple[str, ...] = ()
    pregnant: bool | None = None
    township: str | None = None
    village: str | None = None
    name: str | None = None  # optional label for a household member, never required


@dataclass(slots=True)
class Claim:
    index: int  # position in the input
    date: dt.date
    kind: str
    level: str
    in_county: bool
    total: int  # fen
    out_of_catalog_necessary: int = 0
    self_funded: int = 0
    class_b: int = 0
    chronic_class: str | None = None
    diseases: tuple[str, ...] = ()
    fee_items: dict[str, int] = field(default_factory=dict)
    ref: str | None = None  # caller's own id for the claim, echoed back
    hospital: str | None = None  # hospitals.yaml id, when the claim names the hospital

    @property
    def in_catalog(self) -> int:
        """Total less the out-of-catalog parts (目录内费用)."""
        return self.total - self.out_of_catalog_necessary - self.self_funded
