"""The three rates of Art. 32: units of one kind ranked by response, resolution and satisfaction
rates of a month (supervisors and analysts), on the page and as an Excel file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint, Response

from ...domain.access import RANKING_READERS
from ...domain.model import Staff, UnitKind
from ...wiring import deps
from ..auth import caller_in, staff_auth
from ..http import api, doc, parse, parse_query, respond
from .forms import EXPORT_LINK

if TYPE_CHECKING:
    from ...domain.assessment import Assessments

bp = Blueprint(__name__)
# The models load with the first ranking call (the API's import-time budget).
ASSESSMENT = "chalicelib.domain.assessment"
EXPORTS = "chalicelib.domain.exports"


def _ranker() -> Staff:
    return caller_in(RANKING_READERS, "The ranking is for supervisors and analysts.")


def _ranking(month: str, kind: UnitKind) -> Assessments:
    from ...domain.ranking import unit_ranking

    d = deps()
    return unit_ranking(
        month,
        kind,
        policy=d.analytics_policy.rates,
        insights=d.insights,
        orders=d.orders,
        reference=d.reference,
    )


@bp.route("/analytics/assessments", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(f"{ASSESSMENT}:Assessments", query=f"{ASSESSMENT}:AssessmentQuery")
def assessments() -> Response:
    """Units of one kind ranked by response, resolution and satisfaction rates of a month, a page
    at a time; units with fewer dispatched orders than the configured minimum are listed apart
    (group=insufficient), unranked."""
    from ...domain.assessment import AssessmentQuery, ranking_page

    _ranker()
    query = parse_query(bp.current_request, AssessmentQuery)
    whole = _ranking(query.month, query.kind)
    items, after, ranked_units, insufficient_units = ranking_page(whole.items, query)
    return respond(
        whole.model_copy(
            update={
                "items": items,
                "next": after,
                "group": query.group,
                "ranked_units": ranked_units,
                "insufficient_units": insufficient_units,
            }
        )
    )


@bp.route("/exports/assessments", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(f"{EXPORTS}:ExportFile", body=f"{EXPORTS}:RankingExport", status=201)
def export_assessments() -> Response:
    """The month's ranking of one kind of unit as an Excel file (each rate with the counts behind
    it, the units listed apart last): a link valid ten minutes to a file kept a day."""
    from ...domain import exports

    staff = _ranker()
    form = parse(bp.current_request, exports.RankingExport)
    whole = _ranking(form.month, form.kind)
    rows = [a for a in whole.items if form.group == "all" or a.insufficient == (form.group == "insufficient")]
    kind = exports.KIND_WORDS.get(form.kind.value, form.kind.value)
    title = f"考评排名-{kind}-{form.month}"
    sheet = exports.Sheet(title=title, headers=exports.RANKING_HEADERS, rows=exports.ranking_rows(rows))
    d = deps()
    made = d.workbooks.publish(sheet, exports.filename(title, d.clock.now()), staff.username, EXPORT_LINK)
    return respond(made, 201)
