"""What the analytics runs read and name: a query's row, the months and days a run is asked for,
and the names shown beside the codes the queries count (the catalogue's and the units')."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import StringConstraints

from .catalogue import Catalogue

Month = Annotated[str, StringConstraints(pattern=r"^20\d\d-(0[1-9]|1[0-2])$")]
Day = Annotated[str, StringConstraints(pattern=r"^20\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")]
Row = Mapping[str, Any]


def names(reference: Catalogue) -> tuple[dict[str, str], dict[str, str]]:
    """The categories' and the units' names by their codes."""
    categories = {c.code: c.name for c in reference.categories()}
    units = {u.id: u.name for u in reference.units()}
    return categories, units
