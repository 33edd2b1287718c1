"""Partner hotlines (Arts. 21, 22): requests for Tianjin or Hebei, or for a central unit in
Beijing, are transferred there over an authenticated machine API, and partners transfer requests
in. The requester sees where the order went; the partner reports its result back."""

from __future__ import annotations

import hashlib
import re
import secrets
from abc import abstractmethod
from datetime import datetime
from enum import StrEnum
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from .catalogue import Catalogue
from .errors import Conflict, FieldProblem, Forbidden, InvalidInput, NotFound, Unauthenticated
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


Audience = Literal["partner", "open311"]
# An Open311 client's name: a short slug an administrator picks (e.g. "beijing-city-app").
CLIENT_SLUG = re.compile(r"^[a-z0-9-]{2,40}$")


class ApiClient(BaseModel):
    """A machine client: its key is stored only as a hash, and shown once when issued. A key
    serves one API: a partner's the partner API, an Open311 client's Open311 (keys stored before
    Open311 have no audience: they are partner keys)."""

    model_config = ConfigDict(frozen=True)

    key_hash: str
    partner: str  # the partner's id, or the Open311 client's slug
    audience: Audience = "partner"
    created_by: str
    created_at: datetime
    revoked_at: datetime | None = None
    revoked_by: str | None = None

    @property
    def id(self) -> str:
        """How an admin names the key: the start of its hash (the key itself is never stored)."""
        return self.key_hash[:KEY_ID_LENGTH]


KEY_ID_LENGTH = 16


class ApiClients(Protocol):
    """The machine keys issued to partners and Open311 clients, by the hash of the key."""

    @abstractmethod
    def api_client(self, key_hash: str) -> ApiClient | None:
        """The machine client holding the key with this hash."""

    @abstractmethod
    def put_api_client(self, client: ApiClient) -> None: ...

    @abstractmethod
    def api_clients(self, limit: int, cursor: str | None) -> tuple[list[ApiClient], str | None]:
        """A page of the issued machine keys (their hashes), in hash order."""

    @abstractmethod
    def revoke_api_client(self, key_id: str, at: datetime, by: str) -> ApiClient | None:
        """Revoke the key whose hash starts with `key_id`; None if there is none. Raises Conflict
        when it is revoked already."""


class ClientsAndCatalogue(ApiClients, Catalogue, Protocol):
    """What taking a request from a machine client reads: its key, and the catalogue."""


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


def issue_open311(client: str, staff: Staff, now: datetime) -> tuple[str, ApiClient]:
    """A new Open311 api_key for a client app (admins only), shown once like a partner's."""
    if "admin" not in staff.roles:
        raise Forbidden("Only an administrator issues Open311 keys.")
    if not CLIENT_SLUG.match(client):
        raise InvalidInput(
            "Name the client with a short slug.", [FieldProblem("client", "2 to 40 of a-z, 0-9 and -")]
        )
    key = new_key()
    return key, ApiClient(
        key_hash=key_hash(key), partner=client, audience="open311", created_by=staff.username, created_at=now
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
    """The partner API's check: a partner's key, not an Open311 client's."""
    if client is None or client.revoked_at is not None:
        raise Unauthenticated("A valid partner key is needed (X-Api-Key).")
    if client.audience != "partner":
        raise Forbidden("This is an Open311 key; the partner API needs a partner key.")
    return client
