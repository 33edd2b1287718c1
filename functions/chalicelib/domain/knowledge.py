"""The knowledge base (知识库, Art. 31): policy answers that units keep current, searched by the public
and by operators, and used to answer a consultation on the spot (直接答复, Art. 11 ¶1).

Search ranks entries by BM25 over character unigrams and bigrams (no word segmenter). How relevant
an entry is to a question (0..1): 0.4 when one of the entry's keywords appears verbatim in the
question, plus 0.6 times how much of the question the entry covers (its BM25 score over the score
of an entry holding every term of the question once, each term weighed by how telling it is).

While a request is written, an answer is offered only from a relevance floor, tuned on a written
development set of questions with and without an entry (tests/benchmarks/knowledge.py measures
the precision and recall of what is offered on a separate evaluation set, docs/benchmarks.md); a
further answer only when about as relevant as the best. A consultation is answered on the spot
when the requester (or the operator taking the call) accepts an offered answer, or with no one
choosing when the best answer is confident — a keyword asked and most of the question covered —
and clearly ahead of the next; the requester can still ask for a dispatch."""

from __future__ import annotations

from abc import abstractmethod
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Protocol

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .catalogue import Catalogue
from .errors import Conflict, FieldProblem, Forbidden, InvalidInput
from .model import Staff, Status, TimelineEvent, Version, WorkOrder
from .policy import next_version
from .ports import Clock
from .text import Bm25, terms

EntryId = Annotated[str, StringConstraints(pattern=r"^kb-[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]
# The official page of the body that issued the policy an entry rests on.
SourceUrl = Annotated[str, StringConstraints(pattern=r"^https://[^\s<>\"']+$", max_length=300)]
KEYWORD_WEIGHT, COVER_WEIGHT = 0.4, 0.6
# An answer is offered from this relevance (the middle of the best plateau on the development set).
OFFER_FLOOR = 0.45
# A further answer is offered only at this share of the best one's relevance or more.
CLOSE = 0.85
# A consultation is answered on the spot with no one choosing at or above this relevance, when the
# best entry covers the question this many times as well as the next one.
ON_THE_SPOT = 0.75
LEAD = 1.4


class KnowledgeEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: EntryId
    question: Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=200)]
    answer: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)]
    source_policy: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
    source_url: SourceUrl | None = None
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


class KnowledgeBase(Protocol):
    """Where the entries are kept, each with its earlier versions."""

    @abstractmethod
    def knowledge(self) -> list[KnowledgeEntry]:
        """Every knowledge-base entry (valid or not)."""

    @abstractmethod
    def knowledge_entry(self, entry_id: str) -> KnowledgeEntry | None: ...

    @abstractmethod
    def put_knowledge(self, entry: KnowledgeEntry, expected_version: int | None) -> KnowledgeEntry:
        """Store a new version of an entry, keeping the previous one; StaleVersion when another
        edit won."""


class EntriesAndCatalogue(KnowledgeBase, Catalogue, Protocol):
    """What saving an entry reads: the entries, and the units and categories they name."""


class Answer(BaseModel):
    """A knowledge-base answer as a requester or an operator sees it."""

    id: str
    question: str
    answer: str
    source_policy: str
    source_url: str | None = None
    unit: str
    confidence: float


@lru_cache(maxsize=4)
def _index(entries: tuple[KnowledgeEntry, ...]) -> Bm25:
    """BM25 over the entries (the question counts twice), built once per set of entries."""
    return Bm25([terms(f"{e.question} {e.question} {' '.join(e.keywords)} {e.answer}") for e in entries])


def confidence(entry: KnowledgeEntry, text: str, cover: float) -> float:
    """How relevant the entry is to the text (0..1): a keyword of it asked, and how much of the
    text it covers."""
    keyword = any(len(k) >= 2 and k in text for k in entry.keywords)
    return round(KEYWORD_WEIGHT * keyword + COVER_WEIGHT * min(cover, 1.0), 3)


def _ranked(
    entries: list[KnowledgeEntry], text: str, today: date
) -> list[tuple[float, float, KnowledgeEntry]]:
    """(relevance, cover, entry) of the entries valid today that share terms with the text, best first."""
    valid = tuple(sorted((e for e in entries if e.valid_on(today)), key=lambda e: e.id))
    if not valid or not text.strip():
        return []
    index = _index(valid)
    asked = terms(text)
    ideal = sum(index.weight(t) for t in asked) or 1.0
    scored = [
        (confidence(e, text, score / ideal), score / ideal, e)
        for score, e in zip(index.scores(asked), valid, strict=True)
        if score > 0
    ]
    return sorted(scored, key=lambda s: (-s[0], -s[1], s[2].id))


def _answer(entry: KnowledgeEntry, relevance: float) -> Answer:
    return Answer(
        id=entry.id,
        question=entry.question,
        answer=entry.answer,
        source_policy=entry.source_policy,
        source_url=entry.source_url,
        unit=entry.unit,
        confidence=relevance,
    )


def search(entries: list[KnowledgeEntry], text: str, today: date, limit: int = 5) -> list[Answer]:
    """Entries valid today that share terms with the text, most relevant first (a search asked for:
    no floor)."""
    return [_answer(e, relevance) for relevance, _, e in _ranked(entries, text, today)[:limit]]


def offered(entries: list[KnowledgeEntry], text: str, today: date, limit: int = 3) -> list[Answer]:
    """The answers offered while a request is written: from the floor, and only those about as
    relevant as the best."""
    ranked = _ranked(entries, text, today)
    if not ranked or ranked[0][0] < OFFER_FLOOR:
        return []
    best = ranked[0][0]
    return [
        _answer(e, relevance)
        for relevance, _, e in ranked[:limit]
        if relevance >= OFFER_FLOOR and relevance >= CLOSE * best
    ]


def on_the_spot(entries: list[KnowledgeEntry], text: str, today: date) -> Answer | None:
    """The answer that settles a consultation at once with no one choosing: confident, and clearly
    ahead of the next entry."""
    ranked = _ranked(entries, text, today)
    if not ranked:
        return None
    relevance, cover, entry = ranked[0]
    runner_up = max((c for _, c, _ in ranked[1:]), default=0.0)
    if relevance < ON_THE_SPOT or cover < LEAD * runner_up:
        return None
    return _answer(entry, relevance)


def accepted(entries: list[KnowledgeEntry], entry_id: str, text: str, today: date) -> Answer:
    """The entry the requester or the operator accepted as the answer: one in force today and
    relevant to the text from the floor on (an entry that would not be offered for the words cannot
    settle the request)."""
    found = next(
        (_answer(e, r) for r, _, e in _ranked(entries, text, today) if e.id == entry_id and r >= OFFER_FLOOR),
        None,
    )
    if found is None:
        raise InvalidInput(
            "The accepted answer is not one offered for this request.",
            [FieldProblem("answered_by", "not an answer offered for this request")],
        )
    return found


def answered_event(now: datetime, answer: Answer, accepted_by: str | None = None) -> TimelineEvent:
    """The consultation answered on the spot: by the hotline's confident match, or by the answer the
    requester (or the operator taking the call) accepted."""
    return TimelineEvent(
        at=now,
        action="answered",
        actor_role=accepted_by or "hotline",
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
    source_url: SourceUrl | None = None
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
    entry_id: str, edit: KnowledgeEdit, staff: Staff, *, reference: EntriesAndCatalogue, clock: Clock
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
