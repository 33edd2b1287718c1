"""The stream consumer tells the requester (SMS) and the unit (topic) through moto's SNS."""

from chalicelib import names
from moto.sns.models import sns_backends

from tests.conftest import wait_until


def sent_sms(phone: str) -> list[str]:
    backend = sns_backends[names.LOCAL_ACCOUNT][names.LOCAL_REGION]
    return [message for number, message in backend.sms_messages.values() if number == f"+86{phone}"]


def unit_notices(local_stack) -> list[str]:
    backend = sns_backends[names.LOCAL_ACCOUNT][names.LOCAL_REGION]
    topic = backend.topics[local_stack.stack.outputs[names.ENV_UNIT_TOPIC_ARN]]
    return [n[1] for n in topic.sent_notifications]


def test_receipt_and_dispatch_are_notified(citizen, local_stack):
    receipt = citizen.submit(requester={"phone": "13700007777", "kind": "person"})

    wait_until(lambda: citizen.track(receipt)["status"] == "dispatched")

    assert any(receipt["id"] in m for m in sent_sms("13700007777"))
    assert any(receipt["id"] in m and "签收" in m for m in unit_notices(local_stack))
