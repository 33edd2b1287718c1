"""De-identified facts for analytics (DESIGN.md section 8; Arts. 24, 25, 28, 32).

Every change of a work order becomes one row describing the order as it now stands; every change
of a whistle becomes one row per summoned department. What leaves the hotline here carries no
name and no phone: the requester and the place are keyed hashes (HMAC-SHA256 under a key only the
platform holds, so a repeat requester can be counted but not looked up, and nobody without the
key can test a guessed phone number), and phone numbers, ID-card numbers and plates inside the
text are masked. Instants are epoch seconds (UTC); days and months are the hotline's (Beijing).

The column lists below are the one schema of the analytics data: the stream export writes them,
the Glue tables in the CDK app and the local query engine declare them, the history generator
fills them.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from abc import ABC, abstractmethod
from datetime import datetime
from typing import Any

from .beijing import BEIJING
from .deidentify import mask_text
from .model import Satisfaction, Status, WorkOrder
from .whistles import Whistle

TEXT_LIMIT = 200  # characters of masked text kept as an example of what people ask

# (column, Athena type). Partition columns are not in the rows' schema but are in every row.
ORDER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "string"),
    ("version", "int"),
    ("changed_at", "bigint"),
    ("created_at", "bigint"),
    ("type", "string"),
    ("channel", "string"),
    ("status", "string"),
    ("category", "string"),
    ("district", "string"),
    ("street", "string"),
    ("place", "string"),
    ("requester", "string"),
    ("requester_kind", "string"),
    ("unit", "string"),
    ("dispatched_at", "bigint"),
    ("signed_at", "bigint"),
    ("sign_late", "boolean"),
    ("contacted_at", "bigint"),
    ("contact_late", "boolean"),
    ("replied_at", "bigint"),
    ("deadline", "bigint"),
    ("overdue", "boolean"),
    ("extensions", "int"),
    ("reopened", "int"),
    ("evaluated_at", "bigint"),
    ("resolved", "boolean"),
    ("satisfaction", "string"),
    ("closed_at", "bigint"),
    ("reason", "string"),
    ("unreasonable", "boolean"),
    ("appeal_upheld", "boolean"),  # an assessment officer upheld the unit's appeal (appeals.py)
    ("returns", "int"),  # replies the hotline's review returned to the unit (办结审核)
    ("text", "string"),
)
# The raw change rows are partitioned by the day of the change (the stream export appends to it);
# the compacted facts (one row per order) by the month the order was created in, so a month's
# orders, whatever happened to them later, are read from one partition.

SUMMONS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("whistle", "string"),
    ("version", "int"),
    ("changed_at", "bigint"),
    ("month", "string"),
    ("street", "string"),
    ("district", "string"),
    ("department", "string"),
    ("summoned_at", "bigint"),
    ("report_by", "bigint"),
    ("reported_at", "bigint"),
    ("late", "boolean"),
    ("whistle_closed_at", "bigint"),
)

# Each analytics table's columns, its partition column aside (names.ANALYTICS_TABLES).
TABLE_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "order_changes": (*ORDER_COLUMNS, ("month", "string")),
    "order_facts": ORDER_COLUMNS,
    "summons_changes": SUMMONS_COLUMNS,
}


def keyed_hash(key: bytes, value: str) -> str:
    """32 hex digits of HMAC-SHA256: equal values give equal hashes, nothing gives the value back."""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def _phone(phone: str) -> str:
    digits = "".join(c for c in unicodedata.normalize("NFKC", phone) if c.isdigit())
    return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits


def _address(address: str) -> str:
    """The address as written, without the spaces and punctuation people vary it by."""
    return "".join(c for c in unicodedata.normalize("NFKC", address) if c.isalnum()).lower()


def place_key(key: bytes, street: str | None, address: str) -> str | None:
    normalised = _address(address)
    if not street or not normalised:
        return None
    return keyed_hash(key, f"{street}|{normalised}")


def requester_key(key: bytes, phone: str) -> str:
    return keyed_hash(key, _phone(phone))


def _epoch(at: datetime | None) -> int | None:
    return int(at.timestamp()) if at is not None else None


def beijing_day(at: datetime) -> str:
    return at.astimezone(BEIJING).strftime("%Y-%m-%d")


def beijing_month(at: datetime) -> str:
    return at.astimezone(BEIJING).strftime("%Y-%m")


def order_fact(order: WorkOrder, key: bytes) -> dict[str, Any]:
    """The order as it stands after a change, de-identified, with both partitions' values."""
    evaluation = order.evaluation
    satisfaction: Satisfaction | None = evaluation.satisfaction if evaluation else None
    excluded = order.status in (Status.NOT_DISPATCHED, Status.MERGED, Status.ANSWERED)
    row: dict[str, Any] = {
        "id": order.id,
        "version": order.version,
        "changed_at": _epoch(order.updated_at),
        "created_at": _epoch(order.created_at),
        "type": order.type.value,
        "channel": order.channel.value,
        "status": order.status.value,
        "category": order.category,
        "district": order.location.district,
        "street": order.location.street,
        "place": place_key(key, order.location.street, order.location.address),
        "requester": requester_key(key, order.requester.phone),
        "requester_kind": order.requester.kind.value,
        "unit": order.first_receiver,
        "dispatched_at": _epoch(order.dispatched_at),
        "signed_at": _epoch(order.signed_at),
        "sign_late": order.sign_late,
        "contacted_at": _epoch(order.contacted_at),
        "contact_late": order.contact_late,
        "replied_at": _epoch(order.reply.at if order.reply else None),
        "deadline": _epoch(order.deadline),
        "overdue": order.overdue,
        "extensions": len(order.extensions),
        "reopened": order.reopen_count,
        "evaluated_at": _epoch(evaluation.at if evaluation else None),
        "resolved": evaluation.resolved if evaluation else None,
        "satisfaction": satisfaction.value if satisfaction else None,
        "closed_at": _epoch(order.closed_at),
        # Art. 11 ¶3 outcomes keep their reason code; a merged order's reason is "duplicate".
        "reason": (order.reason or order.status.value) if excluded else None,
        "unreasonable": order.adjudicated_unreasonable,
        "appeal_upheld": order.appeal is not None and order.appeal.upheld,
        "returns": order.returns,
        # A confidential order's words stay with the hotline: only its category and place count.
        "text": None if order.confidential else mask_text(order.content)[:TEXT_LIMIT],
        "day": beijing_day(order.updated_at),
        "month": beijing_month(order.created_at),
    }
    return row


def summons_facts(whistle: Whistle) -> list[dict[str, Any]]:
    """One row per summoned department: how it answered the street's whistle (Art. 33)."""
    return [
        {
            "whistle": whistle.id,
            "version": whistle.version,
            "changed_at": _epoch(whistle.updated_at),
            "month": beijing_month(whistle.created_at),
            "street": whistle.street,
            "district": whistle.district,
            "department": summons.unit,
            "summoned_at": _epoch(summons.summoned_at),
            "report_by": _epoch(summons.report_by),
            "reported_at": _epoch(summons.reported_at),
            "late": summons.late,
            "whistle_closed_at": _epoch(whistle.closed_at),
            "day": beijing_day(whistle.updated_at),
        }
        for summons in whistle.summons
    ]


class FactsSink(ABC):
    """Where de-identified facts go: newline-delimited JSON per table and day."""

    @abstractmethod
    def append(self, prefix: str, day: str, batch: str, rows: list[dict[str, Any]]) -> None: ...
