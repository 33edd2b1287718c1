"""批量派单 / 批量签收: one staff member's action on many orders of a list at once.

A batch is no new way to change an order: each order goes through its own single-order action (the
same scope, role, version and status checks, one conditional write, its workflow woken), one after
the other, and the answer says for each whether it was done or why not. An order that fails leaves
the others as they are; nothing is half-written, since every order is one write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .catalogue import Catalogue
from .deadlines import TimeLimits
from .dispatch import chosen, dispatch_by
from .errors import DomainError, FieldProblem, InvalidInput, Kind
from .handling import Action
from .model import Version, WorkOrder

# At most one list page: every order is a read and a write and a workflow woken, within one request.
MAX_BATCH = 50

OrderNumber = Annotated[str, Field(pattern=r"^\d{6,20}$")]


class BatchItem(BaseModel):
    """An order of the batch, at the version the list showed."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    id: OrderNumber
    version: Version


class Batch(BaseModel):
    """The orders a staff member selected in a list."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    items: Annotated[list[BatchItem], Field(min_length=1, max_length=MAX_BATCH)]

    @field_validator("items")
    @classmethod
    def _once_each(cls, items: list[BatchItem]) -> list[BatchItem]:
        seen: set[str] = set()
        for item in items:
            if item.id in seen:
                raise ValueError(f"order {item.id} is selected twice")
            seen.add(item.id)
        return items


class Unfinished(DomainError):
    """An order of a batch that failed on our side (a throttled table, the workflow service): the
    order may or may not have changed, so the person looks at it again."""

    def __init__(self) -> None:
        super().__init__(
            "This order could not be finished on our side; open it to see where it stands.",
            [],
            "unfinished",
            Kind.UNAVAILABLE,
        )


@dataclass(frozen=True)
class Outcome:
    """One order's result: the order as written, or the error its single action answered."""

    id: str
    order: WorkOrder | None = None
    error: DomainError | None = None


def each(batch: Batch, one: Callable[[str, int], WorkOrder]) -> list[Outcome]:
    """Run `one(order_id, version)` for every order of the batch in the order selected; a refusal
    (wrong status, changed meanwhile, not the caller's) is that order's outcome, not the batch's."""
    outcomes: list[Outcome] = []
    for item in batch.items:
        try:
            outcomes.append(Outcome(item.id, order=one(item.id, item.version)))
        except DomainError as error:
            outcomes.append(Outcome(item.id, error=error))
    return outcomes


def dispatch_all(
    units: list[str], category: str | None, reason: str | None, reference: Catalogue, limits: TimeLimits
) -> Action:
    """批量派单: every order by the catalogue's route (no units named), or all to the units named
    with the dispatcher's reason. An unknown unit or category is the batch's mistake and refused
    once, before any order is touched; the rest is each order's own dispatch (dispatch.dispatch_by)."""
    if units:
        chosen(units, reference, "route_override")  # raises for an unknown or repeated unit
    if category is not None and reference.category(category) is None:
        raise InvalidInput("Unknown category.", [FieldProblem("category", "not a catalogue category")])
    return dispatch_by(units, category, reason, reference, limits)
