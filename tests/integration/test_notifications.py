"""The stream consumer tells the requester (SMS) and the unit (topic) through moto's SNS."""

from chalicelib import names
from moto.sns.models import sns_backends

from tests.conftest import wait_until


def sent_sms(phone: str) -> list[str]:
    backend = sns_backends[names.LOCAL_ACCOUNT][names.LOCAL_REGION]
    return [message for number, message in backend.sms_messages.values() if number == f"+86{phone}"]


def staff_notices(local_stack) -> list[tuple[str, str]]:
    """(audience, message) of every notice published to the staff topic."""
    backend = sns_backends[names.LOCAL_ACCOUNT][names.LOCAL_REGION]
    topic = backend.topics[local_stack.stack.outputs[names.ENV_UNIT_TOPIC_ARN]]
    return [((n[3] or {}).get("audience", {}).get("Value", ""), n[1]) for n in topic.sent_notifications]


def test_receipt_and_dispatch_are_notified(citizen, local_stack):
    receipt = citizen.submit(requester={"phone": "13700007777", "kind": "person"})

    wait_until(lambda: citizen.track(receipt)["status"] == "dispatched")

    # The stream consumer tells people shortly after each change.
    wait_until(lambda: any(receipt["id"] in m for m in sent_sms("13700007777")))
    wait_until(
        lambda: any(
            a == "unit:110101004" and receipt["id"] in m and "签收" in m
            for a, m in staff_notices(local_stack)
        )
    )


def test_the_dev_page_shows_what_was_sent(citizen, local_stack):
    import requests

    receipt = citizen.submit(requester={"phone": "13700008888"})
    wait_until(lambda: citizen.track(receipt)["status"] == "dispatched")
    wait_until(
        lambda: any(
            i["to"] == "unit:110101004" and receipt["id"] in i["message"]
            for i in requests.get(f"{local_stack.url}/dev/notifications.json", timeout=5).json()["items"]
        )
    )

    listed = requests.get(f"{local_stack.url}/dev/notifications.json", timeout=5).json()["items"]
    page = requests.get(f"{local_stack.url}/dev/notifications", timeout=5)
    config = requests.get(f"{local_stack.url}/config.json", timeout=5).json()

    assert any(
        i["kind"] == "sms" and i["to"] == "+86137****8888" and receipt["id"] in i["message"] for i in listed
    )
    assert any(i["to"] == "unit:110101004" and receipt["id"] in i["message"] for i in listed)
    assert page.headers["content-type"].startswith("text/plain") and receipt["id"] in page.text
    assert "notificationsTopicArn" not in config
