"""Notifications: SMS to requesters and notices to staff, both through SNS.

Staff notices go to one topic with an `audience` attribute (unit:<id>, leader:<id>,
hotline:<role>); e-mail and portal subscriptions filter on it."""

from __future__ import annotations

from typing import Any

from ..domain.ports import Notifier


class SnsNotifier(Notifier):
    def __init__(self, client: Any, unit_topic_arn: str, sms_enabled: bool) -> None:
        self._client = client
        self._topic = unit_topic_arn
        self._sms = sms_enabled

    def requester_sms(self, phone: str, message: str) -> None:
        if self._sms:
            self._client.publish(PhoneNumber=f"+86{phone}", Message=message)

    def staff_notice(self, audience: str, subject: str, message: str) -> None:
        self._client.publish(
            TopicArn=self._topic,
            Subject=subject[:100],
            Message=message,
            MessageAttributes={"audience": {"DataType": "String", "StringValue": audience}},
        )
