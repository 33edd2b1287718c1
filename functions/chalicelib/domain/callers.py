"""来电历史: the earlier orders of the person calling, for the operator taking the call.

They are read through the requester index, whose key is a hash of the phone number (the number is
never a key); only operators read them, and each reading is in the audit trail, since it shows a
person's requests to whoever reads them."""

from __future__ import annotations

from datetime import datetime

from .audit import AuditEntry, entry
from .model import Staff
from .ports import OrderQuery, Page, WorkOrders

READ = "caller_history.read"  # the audit trail's action (docs/api.md)


def masked(phone: str) -> str:
    """The number as the audit trail keeps it: enough to tell two callers apart, not to call one."""
    return f"{phone[:3]}****{phone[-4:]}"


def history(phone: str, limit: int, cursor: str | None, orders: WorkOrders) -> Page:
    """The caller's orders, newest first, whatever became of them (merged, settled, closed)."""
    return orders.find(OrderQuery(requester=phone, limit=limit, cursor=cursor))


def reading(staff: Staff, now: datetime, phone: str, shown: Page) -> AuditEntry:
    """Who read whose history, and which orders it showed."""
    ids = [o.id for o in shown.items]
    return entry(staff, now, READ, masked(phone), count=str(len(ids)), orders=",".join(ids))
