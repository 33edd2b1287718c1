"""What the local stack "sent": the SMS and staff notices published to moto's SNS.

Served at /dev/notifications (a page) and /dev/notifications.json, newest first, so a developer
can see who was told what without an SMS gateway or a mail server; to the loopback address only,
and with phone numbers (and ID-card numbers, plates) masked as the platform masks them: 138****5678."""

from __future__ import annotations

import html
from typing import Any

from .stack import names


def sent(topic_arn: str) -> list[dict[str, Any]]:
    """Every SMS and staff notice moto's SNS recorded, newest first, numbers masked."""
    from chalicelib.domain.deidentify import mask_text
    from moto.sns.models import sns_backends

    backend = sns_backends[names.LOCAL_ACCOUNT][names.LOCAL_REGION]
    found: list[dict[str, Any]] = [
        {"kind": "sms", "to": number, "subject": None, "message": message}
        for number, message in list(backend.sms_messages.values())
    ]
    topic = backend.topics.get(topic_arn)
    for _id, message, subject, attributes, _group in list(topic.sent_notifications if topic else []):
        audience = (attributes or {}).get("audience", {}).get("Value", "")
        found.append({"kind": "notice", "to": audience, "subject": subject, "message": message})
    return [
        {key: mask_text(value) if isinstance(value, str) else value for key, value in item.items()}
        for item in found[::-1]
    ]


def page(items: list[dict[str, Any]]) -> bytes:
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(item[key] or ''))}</td>" for key in ("kind", "to", "subject", "message")
        )
        + "</tr>"
        for item in items
    )
    return (
        "<!doctype html><html lang='en'><meta charset='utf-8'><title>Jiesu local notifications</title>"
        "<style>body{font:14px system-ui,sans-serif;margin:1.5rem}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}</style>"
        "<h1>Notifications sent by the local stack</h1>"
        f"<p>{len(items)} messages, newest first. SMS go to requesters; notices to "
        "<code>unit:&lt;id&gt;</code>, <code>leader:&lt;id&gt;</code> "
        "or <code>hotline:&lt;role&gt;</code>.</p>"
        "<table><thead><tr><th>kind</th><th>to</th><th>subject</th><th>message</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></html>"
    ).encode()
