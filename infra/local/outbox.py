"""What the local stack "sent": the SMS and staff notices published to moto's SNS.

Served at /dev/notifications (plain text) and /dev/notifications.json, newest first, so a developer
can see who was told what without an SMS gateway or a mail server; to the loopback address only,
and with phone numbers (and ID-card numbers, plates) masked as the platform masks them: 138****5678."""

from __future__ import annotations

from typing import Any

from chalicelib import names


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
    """The messages as plain text, newest first: no HTML is built from what was sent."""
    lines = [
        "Notifications sent by the local stack, newest first: SMS to requesters; notices to",
        "unit:<id>, leader:<id> or hotline:<role>.",
        f"{len(items)} messages.",
        "",
    ]
    for item in items:
        lines.append(" | ".join(str(item[key] or "-") for key in ("kind", "to", "subject")))
        lines += ["    " + line for line in str(item["message"] or "").splitlines() or [""]]
        lines.append("")
    return "\n".join(lines).encode()
