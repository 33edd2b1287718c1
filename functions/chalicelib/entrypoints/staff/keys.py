"""Machine keys: partner hotlines' keys and Open311 clients' api_keys, issued and revoked by
administrators (shown once, stored only as their hash), and the partners themselves."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from chalice import Blueprint, Response
from pydantic import BaseModel, ConfigDict

from ...domain.errors import NotFound
from ...wiring import deps
from ..auth import admin, audit, caller, staff_auth
from ..http import Page, api, doc, parse_query, respond
from .forms import PageQuery

if TYPE_CHECKING:
    from ...domain.partners import ApiClient

bp = Blueprint(__name__)


class PartnerKey(BaseModel):
    """A new partner key: shown this once, stored only as its hash."""

    model_config = ConfigDict(defer_build=True)

    partner: str
    key: str
    created_at: datetime


class Open311Key(BaseModel):
    """A new Open311 api_key: shown this once, stored only as its hash."""

    model_config = ConfigDict(defer_build=True)

    client: str
    key: str
    created_at: datetime


class ApiClientView(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    audience: str
    client: str
    created_by: str
    created_at: datetime
    revoked_at: datetime | None
    revoked_by: str | None


@bp.route("/partners", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc("Page[chalicelib.domain.partners:Partner]")
def list_partners() -> Response:
    from ...domain.partners import Partner
    from ...reference_data import partners as known_partners

    caller()
    return respond(Page[Partner](items=list(known_partners().values())))


@bp.route("/partners/{partner_id}/keys", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(PartnerKey, status=201)
def issue_partner_key(partner_id: str) -> Response:
    """A new machine key for a partner; the answer is the only time the key is shown."""
    from ...domain import partners
    from ...reference_data import partners as known_partners

    staff = caller()
    partner = known_partners().get(partner_id)
    if partner is None:
        raise NotFound(f"No partner {partner_id}.")
    d = deps()
    key, client = partners.issue(partner, staff, d.clock.now())
    d.reference.put_api_client(client)
    audit(staff, "key.issued", client.id, audience="partner", partner=partner.id)
    return respond(PartnerKey(partner=partner.id, key=key, created_at=client.created_at), 201)


# --- Open311 GeoReport v2 clients -------------------------------------------------------------


@bp.route("/open311/clients/{client}/keys", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(Open311Key, status=201)
def issue_open311_key(client: str) -> Response:
    """A new Open311 api_key for a client app (admins only); the answer is the only time it is shown."""
    from ...domain import partners

    staff = caller()
    d = deps()
    key, issued = partners.issue_open311(client, staff, d.clock.now())
    d.reference.put_api_client(issued)
    audit(staff, "key.issued", issued.id, audience="open311", partner=issued.partner)
    return respond(Open311Key(client=issued.partner, key=key, created_at=issued.created_at), 201)


@bp.route("/api-clients", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(Page[ApiClientView], query=PageQuery)
def list_api_clients() -> Response:
    """The issued partner and Open311 keys (never the keys themselves)."""
    admin()
    query = parse_query(bp.current_request, PageQuery)
    found, after = deps().reference.api_clients(query.limit, query.cursor)
    return respond(Page[ApiClientView](items=[_client_view(c) for c in found], next=after))


@bp.route("/api-clients/{key_id}/revoke", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(ApiClientView, conflicts=True)
def revoke_api_client(key_id: str) -> Response:
    """The key stops working at once (409 when it is revoked already)."""

    staff = admin()
    d = deps()
    revoked = (
        d.reference.revoke_api_client(key_id, d.clock.now(), staff.username)
        if re.fullmatch(r"[0-9a-f]{16}", key_id)
        else None
    )
    if revoked is None:
        raise NotFound(f"No key {key_id}.")
    audit(staff, "key.revoked", key_id, audience=revoked.audience, partner=revoked.partner)
    return respond(_client_view(revoked))


def _client_view(client: ApiClient) -> ApiClientView:
    return ApiClientView(
        id=client.id,
        audience=client.audience,
        client=client.partner,
        created_by=client.created_by,
        created_at=client.created_at,
        revoked_at=client.revoked_at,
        revoked_by=client.revoked_by,
    )


# --- the audit trail -----------------------------------------------------------------------------
