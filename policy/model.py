"""What a loaded jurisdiction looks like to the rest of the product."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .params import Param


@dataclass
class Calendar:
    weekend: frozenset[int]  # isoweekday numbers, 6 = Saturday
    years: dict[int, dict]  # year -> {"holidays": [...], "workdays": [...]}
    holidays: dict[dt.date, str] = field(default_factory=dict)
    workdays: frozenset[dt.date] = frozenset()

    def covers(self, day: dt.date) -> bool:
        return day.year in self.years

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.isoweekday() not in self.weekend


@dataclass
class Jurisdiction:
    id: str
    folder: Path
    name: str = ""
    full_name: str = ""
    region: dict | None = None
    site_url: str = ""
    forms_url: str = ""  # optional in jurisdiction.yaml; builder/settings.py says what is used without it
    reviewed: dt.date | None = None  # the day an officer last checked the data against the county's files
    notice_horizon_days: int = 90
    baseline_category: str = ""
    notes: str | None = None
    sources: dict[str, dict] = field(default_factory=dict)
    monitoring_threshold: Param | None = None
    categories: dict[str, dict] = field(default_factory=dict)
    groups: dict[str, dict] = field(default_factory=dict)
    groups_of: dict[str, tuple[str, ...]] = field(default_factory=dict)
    levels: dict[str, dict] = field(default_factory=dict)
    chronic_classes: dict[str, dict] = field(default_factory=dict)
    disease_groups: dict[str, dict] = field(default_factory=dict)
    diseases: dict[str, dict] = field(default_factory=dict)
    hospitals: dict[str, dict] = field(default_factory=dict)
    townships: dict[str, dict] = field(default_factory=dict)
    villages: dict[str, tuple[dict, dict]] = field(default_factory=dict)  # id -> (township, village)
    layers: list[dict] = field(default_factory=list)
    discretionary: list[dict] = field(default_factory=list)  # shown as a range, never added to amounts
    programs: list[dict] = field(default_factory=list)
    contacts: list[dict] = field(default_factory=list)
    commitments: dict = field(default_factory=dict)
    complaint_categories: list[dict] = field(default_factory=list)  # complaints.yaml, in listed order
    drugs: dict | None = None  # drugs.yaml (policy/drugs.py): the posted drug prices, when the data has them
    process: list[dict] = field(default_factory=list)  # process.yaml: the steps of treatment and reimbursement
    calendar: Calendar | None = None
    examples: list[dict] = field(default_factory=list)  # each with "_file"
    examples_skipped: bool = False  # check could not run them: the data had problems
    warnings: list = field(default_factory=list)  # check passes with these (policy/inventory.py, ...)

    def name_of(self, kind: str, ident: str) -> str:
        table = {"category": self.categories, "group": self.groups, "level": self.levels,
                 "chronic_class": self.chronic_classes, "disease_group": self.disease_groups,
                 "disease": self.diseases, "township": self.townships, "hospital": self.hospitals}[kind]
        entry = table.get(ident)
        return entry["name"] if entry else ident

    def category_or_group_name(self, ident: str) -> str:
        entry = self.categories.get(ident) or self.groups.get(ident)
        return entry["name"] if entry else ident
