"""What staff see of a whistle (吹哨报到, Art. 16): the matter, the summoned units and who reported."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from .catalogue import Catalogue
from .views import StaffEvent, UnitView, staff_event, unit_view
from .whistles import Whistle


class SummonsView(BaseModel):
    model_config = ConfigDict(defer_build=True)

    unit: UnitView | None
    summoned_at: datetime
    report_by: datetime
    reported_at: datetime | None
    reported_by: str | None
    note: str | None
    late: bool
    escalated_at: datetime | None


class WhistleView(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    version: int
    status: str
    matter: str
    street: UnitView | None
    district: UnitView | None
    work_order_id: str | None
    created_at: datetime
    created_by: str
    summons: list[SummonsView]
    result: str | None
    closed_at: datetime | None
    timeline: list[StaffEvent]


def whistle_view(whistle: Whistle, reference: Catalogue) -> WhistleView:
    """Both sides of a whistle, as the street, the departments, the district and the hotline see it."""
    return WhistleView(
        id=whistle.id,
        version=whistle.version,
        status=whistle.status.value,
        matter=whistle.matter,
        street=unit_view(reference, whistle.street),
        district=unit_view(reference, whistle.district),
        work_order_id=whistle.work_order_id,
        created_at=whistle.created_at,
        created_by=whistle.created_by,
        summons=[
            SummonsView(
                unit=unit_view(reference, s.unit),
                **s.model_dump(
                    include={
                        "summoned_at",
                        "report_by",
                        "reported_at",
                        "reported_by",
                        "note",
                        "late",
                        "escalated_at",
                    }
                ),
            )
            for s in whistle.summons
        ],
        result=whistle.result,
        closed_at=whistle.closed_at,
        timeline=[staff_event(reference, e) for e in whistle.timeline],
    )
