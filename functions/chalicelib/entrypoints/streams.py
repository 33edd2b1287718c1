"""The work-order stream consumer: tells people what changed."""

from __future__ import annotations

from typing import Any

from ..domain.model import WorkOrder
from ..domain.notifications import Sms, notices
from ..observability import MetricUnit, logger, metrics
from ..wiring import deps


def _order(image: dict[str, Any] | None) -> WorkOrder | None:
    if not image or image.get("sk", {}).get("S") != "ORDER" or "doc" not in image:
        return None
    return WorkOrder.model_validate_json(image["doc"]["S"])


def on_change(new_image: dict[str, Any] | None, old_image: dict[str, Any] | None) -> int:
    after = _order(new_image)
    if after is None:
        return 0
    notifier = deps().notifier
    sent = notices(_order(old_image), after)
    for notice in sent:
        if isinstance(notice, Sms):
            notifier.requester_sms(notice.phone, notice.message)
        else:
            notifier.staff_notice(notice.audience, notice.subject, notice.message)
    if sent:
        logger.info("notified", order_id=after.id, count=len(sent))
        metrics.add_metric(name="NotificationsSent", unit=MetricUnit.Count, value=len(sent))
    return len(sent)
