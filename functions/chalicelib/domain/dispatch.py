"""Dispatch (派单, Art. 12): which unit receives an order, and who gets a copy."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import FieldProblem, InvalidInput
from .model import Location, Unit
from .ports import Reference


@dataclass(frozen=True)
class Route:
    first_receiver: Unit
    copied_to: tuple[Unit, ...]
    why: str


def route(location: Location, reference: Reference) -> Route:
    """Street known → the street office, with a copy to its district government (Art. 12 ¶1).
    Only the district known → the district government coordinates."""
    district = reference.unit(location.district)
    if district is None:
        raise InvalidInput("Unknown district.", [FieldProblem("location.district", "unknown district code")])
    if location.street is None:
        return Route(district, (), "only the district is known: its government coordinates")
    street = reference.unit(location.street)
    if street is None or street.district != district.id:
        raise InvalidInput(
            "The street does not belong to the district.",
            [FieldProblem("location.street", "not a street or township of this district")],
        )
    return Route(
        street, (district,), "territorial: the street office of the location, copied to its district"
    )
