"""Dispatch (派单, Art. 12): which unit receives an order, who gets a copy, who co-handles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from .catalogue import Catalogue
from .deadlines import TimeLimits, new_round
from .errors import Conflict, FieldProblem, InvalidInput
from .handling import BEFORE_SIGNING
from .model import (
    DISTRICT_DEPARTMENT,
    Assist,
    Category,
    CategoryKind,
    Place,
    Routed,
    Staff,
    Status,
    TimelineEvent,
    Unit,
    UnitKind,
    WorkOrder,
)


@dataclass(frozen=True)
class Route:
    first_receiver: Unit
    copied_to: tuple[Unit, ...]
    assisting: tuple[Unit, ...]
    why: str  # a timeline code (docs/api.md) ...
    because: dict[str, str] = field(default_factory=dict)  # ... and its parameters

    @property
    def units(self) -> list[str]:
        return [self.first_receiver.id, *(u.id for u in self.assisting)]


def locate(location: Place, reference: Catalogue) -> tuple[Unit, Unit | None]:
    """The district government and (when known) the street office of a location; invalid input else."""
    district = reference.unit(location.district) if location.district else None
    if district is None or district.kind is not UnitKind.DISTRICT:
        raise InvalidInput("Unknown district.", [FieldProblem("location.district", "unknown district code")])
    if location.street is None:
        return district, None
    street = reference.unit(location.street)
    if street is None or street.kind is not UnitKind.STREET or street.district != district.id:
        raise InvalidInput(
            "The street does not belong to the district.",
            [FieldProblem("location.street", "not a street or township of this district")],
        )
    return district, street


def department_of(category: Category, district: Unit, reference: Catalogue) -> Unit:
    """The sectoral unit of a category: a city body, or the named department of the district."""
    wanted = category.department or ""
    if wanted.startswith(DISTRICT_DEPARTMENT):
        wanted = f"{district.id}-{wanted.removeprefix(DISTRICT_DEPARTMENT)}"
    unit = reference.unit(wanted)
    if unit is None:
        raise InvalidInput(
            f"The catalogue names no known unit for {category.code}.",
            [FieldProblem("category", f"its department {category.department} is not a known unit")],
        )
    return unit


def territorial(district: Unit, street: Unit | None) -> tuple[Unit, tuple[Unit, ...], str]:
    """Street known → the street office, copied to its district government (Art. 12 ¶1);
    only the district known → the district government coordinates."""
    if street is None:
        return district, (), "route_district"
    return street, (district,), "route_territorial"


def route(location: Place, category: Category | None, reference: Catalogue) -> Route | None:
    """The units the catalogue sends an order to; None when it has no category or no district yet
    (a dispatcher decides)."""
    if location.district is None:
        return None
    district, street = locate(location, reference)
    if category is None:
        return None
    if category.kind is CategoryKind.SECTORAL:
        department = department_of(category, district, reference)
        return Route(department, (), (), "route_sectoral", {"category": category.code, "lead": department.id})
    first, copies, why = territorial(district, street)
    if category.kind is CategoryKind.BOTH:
        department = department_of(category, district, reference)
        return Route(
            first, copies, (department,), "route_dual", {"lead": first.id, "assisting": department.id}
        )
    return Route(first, copies, (), why, {"lead": first.id})


def kept(found: Route | None, location: Place, category: Category | None) -> Routed | None:
    """The route intake found, as the order keeps it for the workflow's dispatch (`kept_route`)."""
    if found is None or category is None:
        return None
    return Routed(
        category=category.code,
        location=location,
        first_receiver=found.first_receiver,
        copied_to=found.copied_to,
        assisting=found.assisting,
        why=found.why,
        because=found.because,
    )


def kept_route(order: WorkOrder) -> Route | None:
    """The route intake found, while it still holds: in the order's first run (a reinstated order is
    routed afresh, the catalogue may have changed since) and for the category and place the order
    has now (a changed one is routed again)."""
    kept = order.routed
    if (
        kept is None
        or order.reinstated
        or kept.category != order.category
        or kept.location.model_dump() != order.location.model_dump()
    ):
        return None
    return Route(kept.first_receiver, kept.copied_to, kept.assisting, kept.why, dict(kept.because))


def chosen(units: list[str], reference: Catalogue, why: str, because: dict[str, str] | None = None) -> Route:
    """A dispatcher's own choice: the first unit receives the order, the others co-handle; a
    street office is copied to its district as always (Art. 12 ¶1)."""
    found: list[Unit] = []
    for i, unit_id in enumerate(units):
        unit = reference.unit(unit_id)
        if unit is None:
            raise InvalidInput("Unknown unit.", [FieldProblem(f"units.{i}", f"no unit {unit_id}")])
        if unit.id in (u.id for u in found):
            raise InvalidInput("A unit is named twice.", [FieldProblem(f"units.{i}", "named twice")])
        found.append(unit)
    first = found[0]
    copies: tuple[Unit, ...] = ()
    if first.kind is UnitKind.STREET and first.district and (district := reference.unit(first.district)):
        copies = (district,)
    return Route(first, copies, tuple(found[1:]), why, because or {})


def placed(location: Place, picked: Route) -> Place:
    """An order no one could place (an Open311 address or point) takes the place of the unit a
    dispatcher sends it to: a street office's street, a district body's district."""
    if location.district is not None:
        return location
    unit = picked.first_receiver
    if unit.kind is UnitKind.STREET and unit.district:
        return location.model_copy(update={"district": unit.district, "street": unit.id})
    if unit.kind is UnitKind.DISTRICT:
        return location.model_copy(update={"district": unit.id})
    if unit.district:
        return location.model_copy(update={"district": unit.district})
    return location


def assign(
    order: WorkOrder, chosen_route: Route, start: datetime, limits: TimeLimits, **changes: object
) -> dict[str, object]:
    """The fields of an order sent to the units of `chosen_route`, its round starting at `start`.

    Co-handling units keep their part when they had one; a new one is due by the order's deadline."""
    deadline = limits.round_limits(start, order.tier)[2]
    assists = [
        order.assist(u.id) or Assist(unit=u.id, deadline=deadline, requested_at=start)
        for u in chosen_route.assisting
    ]
    return {
        "status": Status.DISPATCHED,
        "first_receiver": chosen_route.first_receiver.id,
        "copied_to": [u.id for u in chosen_route.copied_to],
        "assists": assists,
        "signed_at": None,
        "contacted_at": None,
        **new_round(start, order.tier, limits),
        **changes,
    }


def dispatch_event(
    now: datetime, chosen_route: Route, staff: Staff | None, note: str | None = None
) -> TimelineEvent:
    """Every dispatch records who sent the order where, and why: the route's code, and the
    dispatcher's own reason when the route was overridden."""
    return TimelineEvent(
        at=now,
        action="dispatched",
        actor_role=staff.role if staff else "system",
        actor=staff.username if staff else None,
        unit=chosen_route.first_receiver.id,
        internal_note=note,
        code=chosen_route.why,
        params=chosen_route.because,
    )


def dispatch_by(
    units: list[str], category_code: str | None, reason: str | None, reference: Catalogue, limits: TimeLimits
) -> Callable[[WorkOrder, Staff, datetime], WorkOrder]:
    """派单 by a dispatcher or operator: confirm the catalogue's route, or override it with a reason.

    A received order is dispatched; a dispatched order nobody signed for yet is redispatched."""

    def act(order: WorkOrder, staff: Staff, now: datetime) -> WorkOrder:
        if order.status not in BEFORE_SIGNING:
            raise Conflict(
                f"The order is {order.status.value}; only a received order, or one not yet signed "
                "for, can be dispatched.",
                "wrong_status",
            )
        code = category_code or order.category
        category = reference.category(code) if code else None
        if code and category is None:
            raise InvalidInput("Unknown category.", [FieldProblem("category", "not a catalogue category")])
        suggested = route(order.location, category, reference)
        if suggested is None and not units:
            raise InvalidInput(
                "Name the units, or a category the catalogue can route.",
                [FieldProblem("units", "required when the order has no category")],
            )
        if suggested is not None and units in ([], suggested.units):
            picked, note = suggested, None
        elif not reason:
            raise InvalidInput(
                "Overriding the catalogue's route needs a reason.",
                [FieldProblem("reason", "required when the units differ from the suggestion")],
            )
        else:
            picked, note = chosen(units, reference, "route_override"), reason
        tier = limits.tier_for(category.tier if category else order.tier)
        event = dispatch_event(now, picked, staff, note)
        redispatched = order.status is Status.DISPATCHED
        if redispatched:
            event = event.model_copy(update={"action": "redispatched"})
        prepared = order.model_copy(update={"tier": tier})
        return prepared.record(
            now,
            event,
            **assign(
                prepared,
                picked,
                now,
                limits,
                category=category.code if category else order.category,
                tier=tier,
                location=placed(order.location, picked),
            ),
        )

    return act
