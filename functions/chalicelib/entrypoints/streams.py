"""The work-order stream consumer: tells people what changed."""

from __future__ import annotations

from typing import Any

from ..domain.model import WorkOrder
from ..domain.notifications import Notice, Sms, notices, whistle_notices
from ..domain.whistles import Whistle
from ..observability import MetricUnit, logger, metrics
from ..wiring import deps


def _order(image: dict[str, Any] | None) -> WorkOrder | None:
    if not image or image.get("sk", {}).get("S") != "ORDER" or "doc" not in image:
        return None
    return WorkOrder.model_validate_json(image["doc"]["S"])


def _whistle(image: dict[str, Any] | None) -> Whistle | None:
    if not image or image.get("sk", {}).get("S") != "WHISTLE" or "doc" not in image:
        return None
    return Whistle.model_validate_json(image["doc"]["S"])


def on_change(new_image: dict[str, Any] | None, old_image: dict[str, Any] | None) -> int:
    """Notices for a changed order or whistle; other items (idempotency keys, summons) say nothing."""
    sent: list[Notice]
    if (after := _order(new_image)) is not None:
        sent, subject = notices(_order(old_image), after), after.id
    elif (blown := _whistle(new_image)) is not None:
        sent, subject = list(whistle_notices(_whistle(old_image), blown)), blown.id
    else:
        return 0
    notifier = deps().notifier
    for notice in sent:
        if isinstance(notice, Sms):
            notifier.requester_sms(notice.phone, notice.message)
        else:
            notifier.staff_notice(notice.audience, notice.subject, notice.message)
    if sent:
        logger.info("notified", subject=subject, count=len(sent))
        metrics.add_metric(name="NotificationsSent", unit=MetricUnit.Count, value=len(sent))
    return len(sent)
