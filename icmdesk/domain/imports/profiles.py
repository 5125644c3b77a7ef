"""The layouts CRMs export deals in, recognised by their headers, and the mapping that
turns a file's columns into deal fields.

A `Profile` knows a CRM's column names and which of its stage or status values mean
won. A `Mapping` is what an import uses: for each deal field the column it comes from,
the values that mean won, the date order, and how the CRM's deal types translate to the
company's. Mappings are saved per company (as JSON) and reused for the next file of the
same layout.
"""

from __future__ import annotations

import re
from collections.abc import Mapping as MappingType
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from icmdesk.domain.imports.cells import DateOrder


class Field(StrEnum):
    """The deal fields an import fills."""

    EXTERNAL_ID = "external_id"
    NAME = "name"
    CUSTOMER = "customer"
    OWNER = "owner"
    AMOUNT = "amount"
    CURRENCY = "currency"
    CLOSE_DATE = "close_date"
    DEAL_TYPE = "deal_type"
    STATUS = "status"  # the stage or status: only won deals import

    @property
    def title(self) -> str:
        return _TITLES[self]


_TITLES = {
    Field.EXTERNAL_ID: "Deal id",
    Field.NAME: "Deal name",
    Field.CUSTOMER: "Customer",
    Field.OWNER: "Owner (the rep)",
    Field.AMOUNT: "Amount",
    Field.CURRENCY: "Currency",
    Field.CLOSE_DATE: "Close date",
    Field.DEAL_TYPE: "Deal type",
    Field.STATUS: "Stage or status",
}
# Without these a row cannot become a deal (a deal id may be made from the name and
# customer when the export has none: see `key_of`).
REQUIRED = (Field.AMOUNT, Field.CLOSE_DATE, Field.OWNER)


def normal(text: str) -> str:
    """How two names are compared: case, accents kept; spaces and case folded."""
    return " ".join(text.split()).casefold()


@dataclass(frozen=True, slots=True)
class Profile:
    """A CRM's export layout: its columns (each field's header, in the order they are
    tried), the headers that must all be there to recognise it, the values of its
    stage or status column that mean won, and its deal types' usual translation."""

    key: str
    title: str
    columns: MappingType[Field, tuple[str, ...]]
    signature: tuple[str, ...]  # headers that identify the layout
    won: tuple[str, ...]
    deal_types: MappingType[str, str] = field(default_factory=dict)
    # Rows that are a report's furniture, not deals (Salesforce's footer).
    footer: tuple[str, ...] = ()

    def matches(self, headers: Sequence[str]) -> bool:
        present = {normal(h) for h in headers}
        return all(normal(h) in present for h in self.signature)

    def mapping(self, headers: Sequence[str]) -> Mapping:
        """The mapping this layout gives a file with these headers."""
        by_name = {normal(h): h for h in headers}
        columns = {}
        for f, names in self.columns.items():
            for name in names:
                if normal(name) in by_name:
                    columns[f] = by_name[normal(name)]
                    break
        return Mapping(
            profile=self.key,
            columns=columns,
            won=self.won,
            deal_types=dict(self.deal_types),
        )


_COMMON_TYPES = {
    "new": "new",
    "new business": "new",
    "newbusiness": "new",
    "new customer": "new",
    "renewal": "renewal",
    "existing business": "renewal",
    "existingbusiness": "renewal",
    "existing customer - replacement": "renewal",
    "existing customer - downgrade": "renewal",
    "upsell": "upsell",
    "up-sell": "upsell",
    "expansion": "upsell",
    "existing customer - upgrade": "upsell",
    "add-on": "upsell",
}

HUBSPOT = Profile(
    key="hubspot",
    title="HubSpot deals export",
    columns={
        Field.EXTERNAL_ID: ("Record ID", "Deal ID"),
        Field.NAME: ("Deal Name",),
        Field.CUSTOMER: ("Associated Company", "Associated Company (Primary)", "Company name"),
        Field.OWNER: ("Deal owner", "Deal Owner"),
        Field.AMOUNT: ("Amount",),
        Field.CURRENCY: ("Currency", "Deal currency code"),
        Field.CLOSE_DATE: ("Close Date",),
        Field.DEAL_TYPE: ("Deal Type",),
        Field.STATUS: ("Deal Stage",),
    },
    signature=("Record ID", "Deal Name", "Deal Stage", "Close Date", "Amount"),
    won=("Closed Won", "closedwon"),
    deal_types=_COMMON_TYPES,
)
SALESFORCE = Profile(
    key="salesforce",
    title="Salesforce opportunity report",
    columns={
        Field.EXTERNAL_ID: ("Opportunity ID", "Opportunity ID (18)", "Opportunity Id"),
        Field.NAME: ("Opportunity Name",),
        Field.CUSTOMER: ("Account Name",),
        Field.OWNER: ("Opportunity Owner", "Owner Name"),
        # Converted amounts are in the org's corporate currency: taken only when the
        # report has no Amount column.
        Field.AMOUNT: ("Amount", "Amount (converted)", "Total Price (converted)"),
        Field.CURRENCY: ("Amount Currency", "Opportunity Currency", "Amount (converted) Currency"),
        Field.CLOSE_DATE: ("Close Date",),
        Field.DEAL_TYPE: ("Type",),
        Field.STATUS: ("Stage",),
    },
    signature=("Opportunity Owner", "Account Name", "Opportunity Name", "Stage", "Close Date"),
    won=("Closed Won",),
    deal_types=_COMMON_TYPES,
    footer=(
        r"grand totals? \(\d[\d,.]* records?\)",
        r"confidential information.*",
        r"copyright \(c\).*",
        r"generated by .*",
        r"(total|subtotal|count|sum)\b.*",
    ),
)
PIPEDRIVE = Profile(
    key="pipedrive",
    title="Pipedrive deals export",
    columns={
        Field.EXTERNAL_ID: ("Deal - ID",),
        Field.NAME: ("Deal - Title",),
        Field.CUSTOMER: ("Deal - Organization", "Organization - Name"),
        Field.OWNER: ("Deal - Owner",),
        Field.AMOUNT: ("Deal - Value",),
        Field.CURRENCY: ("Deal - Currency", "Deal - Currency of Value"),
        Field.CLOSE_DATE: ("Deal - Won time", "Deal - Deal closed on", "Deal - Close date"),
        Field.DEAL_TYPE: ("Deal - Type", "Deal - Deal type"),
        Field.STATUS: ("Deal - Status",),
    },
    signature=("Deal - ID", "Deal - Title", "Deal - Value", "Deal - Status"),
    won=("Won",),
    deal_types=_COMMON_TYPES,
)
# A file of our own making or from a spreadsheet: the user maps its columns; these are
# the names tried first.
GENERIC = Profile(
    key="generic",
    title="Other file (choose the columns)",
    columns={
        Field.EXTERNAL_ID: ("Deal ID", "ID", "External ID", "Deal id", "Deal"),
        Field.NAME: ("Deal Name", "Name", "Title", "Deal name"),
        Field.CUSTOMER: ("Customer", "Account", "Company", "Client", "Organization"),
        Field.OWNER: ("Owner", "Rep", "Sales Rep", "Salesperson", "Deal owner", "Email"),
        Field.AMOUNT: ("Amount", "Value", "Deal Value", "Total"),
        Field.CURRENCY: ("Currency",),
        Field.CLOSE_DATE: ("Close Date", "Closed", "Date", "Won Date", "Close date"),
        Field.DEAL_TYPE: ("Type", "Deal Type", "Deal type"),
        Field.STATUS: ("Status", "Stage"),
    },
    signature=(),
    won=("Won", "Closed Won"),
    deal_types=_COMMON_TYPES,
)
PROFILES: tuple[Profile, ...] = (HUBSPOT, SALESFORCE, PIPEDRIVE)
BY_KEY: dict[str, Profile] = {p.key: p for p in (*PROFILES, GENERIC)}


def detect(headers: Sequence[str]) -> Profile:
    """The CRM layout these headers are, or GENERIC."""
    return next((p for p in PROFILES if p.matches(headers)), GENERIC)


@dataclass(frozen=True, slots=True)
class Mapping:
    """How one file's columns become deals.

    `columns` maps deal fields to header names (a field left out is not in the file);
    `won` lists the stage or status values that mean won (compared ignoring case;
    empty with no status column: every row is a won deal); `date_order` reads dates
    that could be day-first or month-first; `deal_types` translates the CRM's types
    (compared ignoring case) to the company's; `owners` maps owner names found in no
    rep to a rep id, or to None to skip that owner's deals."""

    profile: str
    columns: MappingType[Field, str]
    won: tuple[str, ...] = ()
    date_order: DateOrder | None = None
    deal_types: MappingType[str, str] = field(default_factory=dict)
    owners: MappingType[str, int | None] = field(default_factory=dict)

    @property
    def title(self) -> str:
        profile = BY_KEY.get(self.profile)
        return profile.title if profile else self.profile

    def missing(self) -> list[Field]:
        """The required fields no column gives."""
        return [f for f in REQUIRED if f not in self.columns]

    def with_owner(self, owner: str, rep_id: int | None) -> Mapping:
        return replace(self, owners={**self.owners, owner: rep_id})

    def to_json(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "columns": {f.value: h for f, h in self.columns.items()},
            "won": list(self.won),
            "date_order": self.date_order.value if self.date_order else None,
            "deal_types": dict(self.deal_types),
            "owners": dict(self.owners),
        }

    @classmethod
    def from_json(cls, data: MappingType[str, Any]) -> Mapping:
        """A mapping from its JSON form (a saved mapping, or --mapping FILE); raises
        ValueError naming what is wrong."""
        if not isinstance(data, MappingType):
            raise ValueError("a mapping is a JSON object")
        unknown = set(data) - {"profile", "columns", "won", "date_order", "deal_types", "owners"}
        if unknown:
            raise ValueError(f"a mapping has no {', '.join(sorted(unknown))}")
        columns_in = data.get("columns", {})
        if not isinstance(columns_in, MappingType):
            raise ValueError("columns: an object of field to column name")
        columns = {}
        for name, header in columns_in.items():
            try:
                columns[Field(name)] = _text(header, f"columns.{name}")
            except ValueError:
                fields = ", ".join(f.value for f in Field)
                raise ValueError(f"columns: {name!r} is not a deal field ({fields})") from None
        order = data.get("date_order")
        try:
            date_order = DateOrder(order.upper()) if isinstance(order, str) else None
        except ValueError:
            raise ValueError(f"date_order: {order!r} is not DMY, MDY or YMD") from None
        if order is not None and not isinstance(order, str):
            raise ValueError("date_order: DMY, MDY or YMD")
        owners_in = data.get("owners", {})
        if not isinstance(owners_in, MappingType):
            raise ValueError("owners: an object of owner name to rep id (or null to skip)")
        owners: dict[str, int | None] = {}
        for owner, rep in owners_in.items():
            if rep is not None and (not isinstance(rep, int) or isinstance(rep, bool)):
                raise ValueError(f"owners.{owner}: a rep id, or null to skip their deals")
            owners[str(owner)] = rep
        types_in = data.get("deal_types", {})
        if not isinstance(types_in, MappingType):
            raise ValueError("deal_types: an object of CRM type to deal type")
        return cls(
            profile=_text(data.get("profile", "generic"), "profile"),
            columns=columns,
            won=tuple(_text(w, "won") for w in _list(data.get("won", []), "won")),
            date_order=date_order,
            deal_types={str(k): _text(v, f"deal_types.{k}") for k, v in types_in.items()},
            owners=owners,
        )


def _text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{where}: text expected")
    return value


def _list(value: object, where: str) -> list[object]:
    if not isinstance(value, list):
        raise ValueError(f"{where}: a list expected")
    return value


def footer_row(profile: Profile, cells: Sequence[str]) -> bool:
    """Whether a row is a report's furniture (a Salesforce footer line): its first
    non-blank cell matches one of the profile's footer patterns and little else is in
    the row."""
    filled = [c.strip() for c in cells if c and c.strip()]
    if not filled or not profile.footer:
        return False
    first = normal(filled[0])
    return any(re.fullmatch(p, first) for p in profile.footer) and len(filled) <= 3
