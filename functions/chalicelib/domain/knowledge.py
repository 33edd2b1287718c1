"""The knowledge base (知识库, Art. 31): policy answers that units keep current, searched by the public
and by operators, and used to answer a consultation on the spot (直接答复, Art. 11 ¶1).

Search ranks entries by BM25 over character unigrams and bigrams (no word segmenter). How sure an
answer is: 0.4 when one of the entry's keywords appears verbatim in the request, plus 0.6 times the
entry's share of the BM25 score of itself and the runner-up (an entry far ahead of the next one is
a clear match). A consultation is answered on the spot at 0.75 or more — a keyword and a lead of
at least 1.4 times the runner-up's score — and the requester can still ask for a dispatch."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .errors import Conflict, FieldProblem, Forbidden, InvalidInput
from .model import Staff, Status, TimelineEvent, Version, WorkOrder
from .policy import next_version
from .ports import Clock, Reference
from .text import Bm25, terms

EntryId = Annotated[str, StringConstraints(pattern=r"^kb-[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]
# A consultation is answered on the spot at or above this confidence.
ON_THE_SPOT = 0.75
KEYWORD_WEIGHT, LEAD_WEIGHT = 0.4, 0.6


class KnowledgeEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: EntryId
    question: Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=200)]
    answer: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)]
    source_policy: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
    unit: Annotated[str, StringConstraints(max_length=64)]  # the unit that keeps it current
    category: Annotated[str, StringConstraints(max_length=64)] | None = None
    valid_from: date
    valid_to: date | None = None
    keywords: tuple[
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)], ...
    ] = ()
    version: int = 1
    updated_by: str | None = None
    updated_at: datetime | None = None

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class Answer(BaseModel):
    """A knowledge-base answer as a requester or an operator sees it."""

    id: str
    question: str
    answer: str
    source_policy: str
    unit: str
    confidence: float


@lru_cache(maxsize=4)
def _index(entries: tuple[KnowledgeEntry, ...]) -> Bm25:
    """BM25 over the entries (the question counts twice), built once per set of entries."""
    return Bm25([terms(f"{e.question} {e.question} {' '.join(e.keywords)} {e.answer}") for e in entries])


def confidence(entry: KnowledgeEntry, text: str, score: float, runner_up: float) -> float:
    """How sure the entry answers the text (0..1): a keyword of it asked, and its lead in score."""
    keyword = any(len(k) >= 2 and k in text for k in entry.keywords)
    lead = score / (score + runner_up) if score > 0 else 0.0
    return round(KEYWORD_WEIGHT * keyword + LEAD_WEIGHT * lead, 3)


def search(entries: list[KnowledgeEntry], text: str, today: date, limit: int = 5) -> list[Answer]:
    """Entries valid today that share terms with the text, best first."""
    valid = tuple(sorted((e for e in entries if e.valid_on(today)), key=lambda e: e.id))
    if not valid or not text.strip():
        return []
    scored = sorted(zip(_index(valid).scores(terms(text)), valid, strict=True), key=lambda p: -p[0])
    scored = [(score, e) for score, e in scored[: limit + 1] if score > 0]
    return [
        Answer(
            id=e.id,
            question=e.question,
            answer=e.answer,
            source_policy=e.source_policy,
            unit=e.unit,
            confidence=confidence(e, text, score, scored[i + 1][0] if i + 1 < len(scored) else 0.0),
        )
        for i, (score, e) in enumerate(scored[:limit])
    ]


def on_the_spot(entries: list[KnowledgeEntry], text: str, today: date) -> Answer | None:
    """The answer that settles a consultation at once, when one is confident enough."""
    best = search(entries, text, today, limit=1)
    return best[0] if best and best[0].confidence >= ON_THE_SPOT else None


def answered_event(now: datetime, answer: Answer) -> TimelineEvent:
    return TimelineEvent(
        at=now,
        action="answered",
        actor_role="hotline",
        note=answer.answer,
        code="knowledge_answer",
        params={"policy": answer.source_policy, "entry": answer.id, "confidence": f"{answer.confidence:.2f}"},
    )


def dispatch_anyway(now: datetime, order: WorkOrder, deadline: datetime) -> WorkOrder:
    """The requester was not helped by the answer: the order is received again for dispatch."""
    if order.status is not Status.ANSWERED:
        raise Conflict(
            f"The order is {order.status.value}; only an answered consultation is sent on.", "wrong_status"
        )
    return order.record(
        now,
        TimelineEvent(at=now, action="reinstated", actor_role="requester", code="reinstated_by_requester"),
        status=Status.RECEIVED,
        reason=None,
        deadline=deadline,
        reinstated=order.reinstated + 1,
    )


class KnowledgeEdit(BaseModel):
    """An entry as an admin or its unit writes it; `version` is the one read (absent: a new entry)."""

    model_config = ConfigDict(extra="forbid")

    question: Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=200)]
    answer: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)]
    source_policy: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
    unit: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    category: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    valid_from: date
    valid_to: date | None = None
    keywords: Annotated[
        list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]],
        Field(max_length=20),
    ] = []
    version: Version | None = None


KEEPERS = frozenset({"handler", "unit_leader"})


def require_keeper(staff: Staff, stored: KnowledgeEntry | None) -> None:
    """Before the body is read: an admin, or a unit's staff for a new entry or their unit's own."""
    if "admin" in staff.roles:
        return
    if staff.unit is None or not staff.roles & KEEPERS or (stored is not None and stored.unit != staff.unit):
        raise Forbidden("An entry is kept by its own unit, or by an administrator.")


def save(
    entry_id: str, edit: KnowledgeEdit, staff: Staff, *, reference: Reference, clock: Clock
) -> KnowledgeEntry:
    """Add or change an entry: an admin any, a unit's staff their own unit's (Art. 31: units keep
    their policies current). Conditional on the version read; the previous version is kept."""
    stored = reference.knowledge_entry(entry_id)
    own = staff.unit is not None and staff.roles & KEEPERS
    for owner in {edit.unit, *([stored.unit] if stored else [])}:
        if "admin" not in staff.roles and not (own and owner == staff.unit):
            raise Forbidden("An entry is kept by its own unit, or by an administrator.")
    problems: list[FieldProblem] = []
    if reference.unit(edit.unit) is None:
        problems.append(FieldProblem("unit", f"no unit {edit.unit}"))
    if edit.category is not None and reference.category(edit.category) is None:
        problems.append(FieldProblem("category", "not a catalogue category"))
    if edit.valid_to is not None and edit.valid_to < edit.valid_from:
        problems.append(FieldProblem("valid_to", "on or after valid_from"))
    try:
        entry = KnowledgeEntry(id=entry_id, **edit.model_dump(exclude={"version"}))
    except ValueError as error:
        problems.append(FieldProblem("id", str(error).splitlines()[0]))
    if problems:
        raise InvalidInput("The knowledge entry is not valid.", problems)
    read = stored.version if stored else None
    return reference.put_knowledge(
        entry.model_copy(update=next_version(read, edit.version, staff, clock)), read
    )
