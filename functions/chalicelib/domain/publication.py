"""What the hotline publishes of a request (公开): the publication policy that Open311 and every
public page follow, configured in data/publication.json (a stage may override it with the
JIESU_PUBLICATION setting) and shown on the public form beside the confidential box.

By default a request is published by its category, its street (or district), the unit handling
it, its status and its dates — not the requester's words, not the address given, not the point.
A city may publish more: the request's text, the units' replies, the address as given, the point
rounded to about 100 m. Wherever text is published, names, phone numbers, ID numbers, plates,
house numbers and room numbers are masked (deidentify.py). A confidential request is never
published at all."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

# Three decimals of a degree: about 110 m north-south, 85 m east-west in Beijing.
COORDINATE_DECIMALS = 3


class PublicationPolicy(BaseModel):
    """The parts of a non-confidential request that are published beyond category, status, unit
    and dates (always published)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # "street": the district and street names of the order's place; "address": the address as
    # given, masked (its house and room numbers hidden).
    place: Literal["street", "address"] = "street"
    text: bool = False  # the requester's words, masked
    replies: bool = False  # the units' replies and on-the-spot answers, masked
    coordinates: bool = False  # the point given, rounded to about 100 m

    def words(self, text: str) -> str | None:
        """The requester's words as published: masked, or not at all."""
        return _masked(text) if self.text else None

    def reply(self, text: str) -> str | None:
        return _masked(text) if self.replies else None

    def address(self, given: str, street_level: str | None) -> str | None:
        """The place as published: the district and street it lies in (`street_level`), or the
        address as given, masked, when the policy says so and there is one."""
        if self.place == "address" and given:
            return _masked(given)
        return street_level

    def point(self, lat: float | None, lng: float | None) -> tuple[float | None, float | None]:
        if not self.coordinates or lat is None or lng is None:
            return None, None
        return round(lat, COORDINATE_DECIMALS), round(lng, COORDINATE_DECIMALS)


DEFAULT = PublicationPolicy()


def _masked(text: str) -> str:
    """The text as the platform publishes text (its patterns load with the first published text,
    not with every container: the settings name this module)."""
    from .deidentify import mask_text

    return mask_text(text)
