"""The knowledge base (知识库, Art. 31): every staff member searches it; its keepers edit their units'
entries, each change conditional and audited."""

from __future__ import annotations

from typing import Annotated

from chalice import Blueprint, Response
from pydantic import BaseModel, ConfigDict, StringConstraints

from ...wiring import deps
from ..auth import audit, caller, staff_auth
from ..http import api, doc, parse, parse_query, respond

bp = Blueprint(__name__)
# The knowledge base's rules and models load with the first call (the staff function's import time).
KNOWLEDGE = "chalicelib.domain.knowledge"


class KnowledgeFilter(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    q: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    unit: Annotated[str, StringConstraints(max_length=64)] | None = None


@bp.route("/knowledge", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc("Page[chalicelib.entrypoints.staff.models:KnowledgeListing]", query=KnowledgeFilter)
def list_knowledge() -> Response:
    """Every entry (expired ones too, for their units to renew), or a search of the valid ones."""
    from ...domain import knowledge
    from ...domain.beijing import BEIJING
    from ..http import Page
    from .models import KnowledgeListing

    caller()
    query = parse_query(bp.current_request, KnowledgeFilter)
    d = deps()
    entries = d.reference.knowledge()
    if query.q:
        today = d.clock.now().astimezone(BEIJING).date()
        found = {a.id: a.confidence for a in knowledge.search(entries, query.q, today, limit=20)}
        items = [
            KnowledgeListing(**dict(e), confidence=found[e.id])
            for e in sorted(entries, key=lambda e: -found.get(e.id, -1))
            if e.id in found
        ]
    else:
        items = [KnowledgeListing(**dict(e)) for e in sorted(entries, key=lambda e: e.id)]
    if query.unit:
        items = [i for i in items if i.unit == query.unit]
    return respond(Page[KnowledgeListing](items=items))


@bp.route("/knowledge/{entry_id}", methods=["PUT"], cors=True, authorizer=staff_auth)
@api
@doc(f"{KNOWLEDGE}:KnowledgeEntry", body=f"{KNOWLEDGE}:KnowledgeEdit", conflicts=True)
def save_knowledge(entry_id: str) -> Response:
    from ...domain import knowledge

    staff = caller()
    d = deps()
    knowledge.require_keeper(staff, d.reference.knowledge_entry(entry_id))
    edit = parse(bp.current_request, knowledge.KnowledgeEdit)
    saved = knowledge.save(entry_id, edit, staff, reference=d.reference, clock=d.clock)
    audit(staff, "knowledge.saved", entry_id, version=str(saved.version), question=saved.question)
    return respond(saved)
