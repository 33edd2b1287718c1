"""Notifications: SMS to requesters and notices to staff through SNS, e-mail to the staff members
who asked for it through SES.

Staff notices go to one topic with an `audience` attribute (unit:<id>, leader:<id>,
hotline:<role>); operational subscriptions filter on it. A member's own SMS and e-mail follow the
preference they saved in the message centre (domain/inbox.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..domain.ports import Notifier
from ..observability import logger


class SnsNotifier(Notifier):
    def __init__(
        self,
        client: Any,
        unit_topic_arn: str,
        sms_enabled: bool,
        mail: Callable[[], Any] | None = None,
        sender: str = "",
    ) -> None:
        self._client = client
        self._topic = unit_topic_arn
        self._sms = sms_enabled
        self._mail = mail  # the SES client, made on the first e-mail
        self._sender = sender

    def requester_sms(self, phone: str, message: str) -> None:
        if self._sms:
            self._client.publish(PhoneNumber=f"+86{phone}", Message=message)

    def staff_notice(
        self, audience: str, subject: str, message: str, about: str | None = None, key: str | None = None
    ) -> None:
        self._client.publish(
            TopicArn=self._topic,
            Subject=subject[:100],
            Message=message,
            MessageAttributes={"audience": {"DataType": "String", "StringValue": audience}},
        )

    def staff_direct(self, channel: str, address: str, subject: str, message: str) -> None:
        if channel == "sms":
            if self._sms:
                self._client.publish(PhoneNumber=f"+86{address}", Message=f"【12345】{subject}：{message}")
            return
        if self._mail is None or not self._sender:
            logger.warning("no e-mail sender configured", channel=channel)
            return
        self._mail().send_email(
            FromEmailAddress=self._sender,
            Destination={"ToAddresses": [address]},
            Content={
                "Simple": {
                    "Subject": {"Data": f"【12345】{subject}", "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": message, "Charset": "UTF-8"}},
                }
            },
        )
