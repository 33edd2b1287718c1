"""The public effectiveness board (Art. 34) and its open data: no sign-in, mounted under
/api/v1/public. Each month has a stable address, as JSON (`/board/2026-10`, `/board/2026-10.json`)
or as CSV (`/board/2026-10.csv`, or `?format=csv`); the figures are the monthly run's, so every
answer may be kept briefly by any cache."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Annotated, Literal

from chalice import Blueprint, Response
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from ..domain.errors import InvalidInput
from ..names import SHARED_BRIEFLY
from ..wiring import deps
from .http import api, doc, parse_query, problems, respond

if TYPE_CHECKING:
    from ..domain.board import Board

bp = Blueprint(__name__)
# The board's models load with its first call, as the analytics ones do (the API's import-time budget).
BOARD = "chalicelib.domain.board"

Format = Literal["json", "csv"]
CSV = "text/csv; charset=utf-8"
# One flat table: each row a district, a street, a category or a topic of the month.
CSV_COLUMNS = (
    "month",
    "section",
    "code",
    "name",
    "district",
    "district_name",
    "orders",
    "responded",
    "followed_up",
    "resolved",
    "satisfied",
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "adopted_month",
    "lead_unit",
    "baseline_orders",
    "change",
)
# A spreadsheet runs a cell that starts so as a formula (CSV injection): such text starts with '.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class BoardQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The file's format when the address names none (an extension wins over it).
    format: Format | None = None


class BoardFile(BaseModel):
    month: Annotated[str, StringConstraints(pattern=r"^20\d\d-(0[1-9]|1[0-2])$")]
    format: Format


def _file(name: str, asked: Format | None) -> BoardFile:
    """`2026-10`, `2026-10.json` or `2026-10.csv` as a month and a format; a 400 naming `month`."""
    stem, dot, extension = name.rpartition(".")
    month, fmt = (stem, extension) if dot and extension in ("json", "csv") else (name, asked or "json")
    try:
        return BoardFile.model_validate({"month": month, "format": fmt})
    except ValidationError as error:
        raise InvalidInput("Not a month.", problems(error, bp.current_request)) from error


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value


def as_csv(found: Board) -> str:
    """The board as one table (UTF-8 with a byte-order mark, so a spreadsheet reads its Chinese)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    rows: list[dict[str, object]] = []
    for section, units in (("district", found.districts), ("street", found.streets)):
        for u in units:
            rows.append({"section": section, **u.model_dump(exclude={"dispatched"}), "orders": u.dispatched})
    for c in found.categories:
        rows.append({"section": "category", **c.model_dump()})
    for t in found.topics:
        rows.append(
            {
                "section": "topic",
                "code": t.category,
                "name": t.title,
                "district": t.district,
                "district_name": t.district_name,
                "orders": t.latest_orders,
                "adopted_month": t.adopted_month,
                "lead_unit": t.lead_unit,
                "baseline_orders": t.baseline_orders,
                "change": t.change,
            }
        )
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in {"month": found.month, **row}.items() if k in CSV_COLUMNS})
    return "\ufeff" + out.getvalue()


@bp.route("/board", methods=["GET"], cors=True)
@api
@doc(f"{BOARD}:BoardMonths")
def board_months() -> Response:
    """The months the effectiveness board covers (each month the monthly analysis has run), newest
    first."""
    from ..domain import board

    return respond(board.months(deps().insights), cache=SHARED_BRIEFLY)


@bp.route("/board/{month}", methods=["GET"], cors=True)
@api
@doc(f"{BOARD}:Board", query=BoardQuery)
def board_month(month: str) -> Response:
    """A month's effectiveness board (Art. 34): response, resolution and satisfaction rates by
    district and by street, the most frequent categories, the adopted topics and their progress.

    `month` is `2026-10` or `2026-10.json` (JSON) or `2026-10.csv` (the same figures as one CSV
    table); `format=csv` asks for CSV at the bare address. Only figures from the rankings' minimum
    count are given; a unit below it is counted in `withheld_districts` or `withheld_streets`. A
    month the monthly analysis has not covered answers 404."""
    from ..domain import board

    asked = parse_query(bp.current_request, BoardQuery).format
    file = _file(month, asked)
    d = deps()
    found = board.board(d.insights, file.month, d.analytics_policy.rates.least_dispatched)
    if file.format == "json":
        return respond(found, cache=SHARED_BRIEFLY)
    return Response(
        body=as_csv(found),
        status_code=200,
        headers={
            "Content-Type": CSV,
            "Cache-Control": SHARED_BRIEFLY,
            "Content-Disposition": f'attachment; filename="jiesu-board-{file.month}.csv"',
        },
    )
