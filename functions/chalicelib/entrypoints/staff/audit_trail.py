"""The audit trail: who changed accounts, units, the catalogue, the time limits, the knowledge
base and keys (administrators and supervisors read it)."""

from __future__ import annotations

from typing import Annotated

from chalice import Blueprint, Response
from pydantic import ConfigDict, StringConstraints

from ...domain.access import AUDIT_READERS
from ...domain.audit import AuditEntry
from ...wiring import deps
from ..auth import caller_in, staff_auth
from ..http import Page, api, doc, parse_query, respond
from .forms import PageQuery

bp = Blueprint(__name__)


class AuditQuery(PageQuery):
    model_config = ConfigDict(defer_build=True)

    actor: Annotated[str, StringConstraints(max_length=64)] | None = None


@bp.route("/audit", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(Page[AuditEntry], query=AuditQuery)
def list_audit() -> Response:
    """Who changed accounts, units, the catalogue, the time limits, the knowledge base and keys."""
    caller_in(AUDIT_READERS, "The audit trail is for administrators and supervisors.")
    query = parse_query(bp.current_request, AuditQuery)
    found, after = deps().reference.audit(query.actor, query.limit, query.cursor)
    return respond(Page[AuditEntry](items=found, next=after))
