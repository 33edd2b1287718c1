"""The work-order stream consumer: tells people what changed, and hands analytics the
de-identified facts of every change (DESIGN.md section 8)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from .. import names
from ..adapters.dynamodb_streams import Image, whistle, work_order
from ..domain.notifications import Notice, Sms, notices, whistle_notices
from ..observability import MetricUnit, logger, metrics
from ..wiring import deps


def on_change(new_image: Image | None, old_image: Image | None) -> int:
    """Notices for a changed order or whistle; other items (idempotency keys, summons) say nothing.
    The images are the stream record's, read by the adapter (adapters/dynamodb_streams.py)."""
    sent: list[Notice]
    if (after := work_order(new_image)) is not None:
        sent, subject, about = notices(work_order(old_image), after), after.id, after.id
        change = f"{after.id}@{after.version}"
    elif (blown := whistle(new_image)) is not None:
        sent, subject, about = list(whistle_notices(whistle(old_image), blown)), blown.id, None
        change = f"{blown.id}@{blown.version}"
    else:
        return 0
    notifier = deps().notifier
    for notice in sent:
        if isinstance(notice, Sms):
            notifier.requester_sms(notice.phone, notice.message)
        else:
            notifier.staff_notice(notice.audience, notice.subject, notice.message, about, change)
    if sent:
        logger.info("notified", subject=subject, count=len(sent))
        metrics.add_metric(name="NotificationsSent", unit=MetricUnit.Count, value=len(sent))
    return len(sent)


def export_facts(changes: list[tuple[str, Image | None]]) -> int:
    """One object per table and day for the batch of (sequence number, new image): named by the
    batch's sequence numbers, so a retried batch writes the same objects again."""
    if not changes:
        return 0
    from ..domain.facts import order_fact, summons_facts  # hashing and masking: the consumer's own

    d = deps()
    rows: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for _, image in changes:
        if (order := work_order(image)) is not None:
            row = order_fact(order, d.analytics_key)
            rows[(names.ORDER_CHANGES.prefix, row.pop("day"))].append(row)
        elif (blown := whistle(image)) is not None:
            for row in summons_facts(blown):
                rows[(names.SUMMONS_CHANGES.prefix, row.pop("day"))].append(row)
    batch = f"{changes[0][0]}-{changes[-1][0]}"
    for (prefix, day), written in rows.items():
        d.facts.append(prefix, day, batch, written)
    exported = sum(len(r) for r in rows.values())
    if exported:
        metrics.add_metric(name="FactsExported", unit=MetricUnit.Count, value=exported)
    return exported
