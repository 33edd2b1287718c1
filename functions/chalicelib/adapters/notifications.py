"""Notifications: SMS to requesters and notices to units, both through SNS."""

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

    def unit_notice(self, unit_id: str, subject: str, message: str) -> None:
        self._client.publish(
            TopicArn=self._topic,
            Subject=subject[:100],
            Message=message,
            MessageAttributes={"unit": {"DataType": "String", "StringValue": unit_id}},
        )
