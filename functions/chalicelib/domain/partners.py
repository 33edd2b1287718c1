"""Partner hotlines (Arts. 21, 22): requests for Tianjin or Hebei, or for a central unit in
Beijing, are transferred there over an authenticated machine API, and partners transfer requests
in. The requester sees where the order went; the partner reports its result back."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from .errors import Conflict, Forbidden, NotFound, Unauthenticated
from .handling import Action
from .model import Staff, Status, TimelineEvent, WorkOrder
from .triage import Reason, before_signing, settle


class PartnerKind(StrEnum):
    HOTLINE = "hotline"  # another region's 12345 (京津冀)
    CENTRAL_UNIT = "central_unit"  # a central unit in Beijing


class Partner(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    kind: PartnerKind
    region: str


class ApiClient(BaseModel):
    """A machine client: its key is stored only as a hash, and shown once when issued."""

    model_config = ConfigDict(frozen=True)

    key_hash: str
    partner: str
    created_by: str
    created_at: datetime


def key_hash(key: str) -> str:
    return hashlib.sha256(key.strip().encode()).hexdigest()


def new_key() -> str:
    return "jiesu-" + secrets.token_urlsafe(24)


def issue(partner: Partner, staff: Staff, now: datetime) -> tuple[str, ApiClient]:
    """A new key for a partner (admins only); the caller shows the key once and keeps the hash."""
    if "admin" not in staff.roles:
        raise Forbidden("Only an administrator issues partner keys.")
    key = new_key()
    return key, ApiClient(
        key_hash=key_hash(key), partner=partner.id, created_by=staff.username, created_at=now
    )


def transfer(partner: Partner, note: str | None) -> Action:
    """转办: the order leaves Beijing's units for a partner hotline or a central unit (Arts. 21, 22)."""

    def act(order: WorkOrder, staff: Staff, now: datetime) -> WorkOrder:
        before_signing(order)
        event, changes = settle(now, staff, Reason.TRANSFERRED, partner.id, to=partner.name, note=note)
        return order.record(now, event, **changes)

    return act


def report(order: WorkOrder, partner: Partner, result: str, now: datetime) -> WorkOrder:
    """The partner's result, which the requester reads on the tracking page."""
    if order.reason != Reason.TRANSFERRED or order.transfer_to != partner.id:
        raise NotFound(f"No work order {order.id} was transferred to {partner.id}.")
    if order.status is not Status.NOT_DISPATCHED:
        raise Conflict("The order was taken back; it no longer waits for a partner's result.", "wrong_status")
    event = TimelineEvent(
        at=now, action="partner_replied", actor_role="partner", actor=partner.id, note=result
    )
    return order.record(now, event)


def require_key(client: ApiClient | None) -> ApiClient:
    if client is None:
        raise Unauthenticated("A valid partner key is needed (X-Api-Key).")
    return client
