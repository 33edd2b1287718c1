"""The staff message centre and the 办理单 on the local stack: a dispatched order's notice under the
unit's bell and nobody else's, read marks, the channels a member chooses honoured by the notifier,
an order printed as a PDF."""

from __future__ import annotations

import requests
from chalicelib import names
from moto.ses.models import ses_backends

from tests.conftest import wait_until
from tests.integration.test_notifications import sent_sms
from tests.unit.test_inbox import pdf_text


def mails_to(address: str) -> list[str]:
    backend = ses_backends[names.LOCAL_ACCOUNT][names.LOCAL_REGION]
    return [m.subject for m in backend.sent_messages if address in m.destinations.get("ToAddresses", [])]


def about(staff, order_id: str) -> list[dict]:
    return [m for m in staff.get("/messages?limit=100").json()["items"] if m["about"] == order_id]


def test_a_dispatched_order_rings_the_units_bell_until_read(citizen, unit):
    handler, neighbour = unit("andingmen.handler"), unit("jiaodaokou.handler")
    receipt = citizen.submit()

    (notice,) = wait_until(lambda: about(handler, receipt["id"]))
    before = handler.get("/messages/unread").json()["unread"]
    read = handler.post("/messages/read", {"ids": [notice["id"]]})
    again = handler.post("/messages/read", {"ids": [notice["id"]]})

    assert notice["audience"] == "unit:110101004" and not notice["read"]
    assert notice["subject"] == f"新工单 {receipt['id']}" and "签收" in notice["message"]
    assert about(neighbour, receipt["id"]) == []
    assert read.status == 200 and read.json()["unread"] == before - 1
    assert again.json()["unread"] == before - 1
    assert about(handler, receipt["id"])[0]["read"] is True
    # Read all: what the bell held is read. (Other orders' reminders on this stack may ring it
    # again a moment later, so what is read is checked message by message.)
    held = {m["id"] for m in handler.get("/messages?limit=100").json()["items"]}
    assert handler.post("/messages/read", {"all": True}).json()["unread"] == 0
    after = handler.get("/messages?limit=100").json()["items"]
    assert [m["id"] for m in after if m["id"] in held and not m["read"]] == []


def test_marking_read_needs_ids_or_all_and_a_page_cursor_must_be_one_given(unit):
    handler = unit("andingmen.handler")

    nothing = handler.post("/messages/read", {})
    bad_id = handler.post("/messages/read", {"ids": ["../x"]})
    bad_cursor = handler.get("/messages?cursor=nonsense")

    assert nothing.status == 400
    assert bad_id.status == 400 and bad_id.json()["error"]["details"][0]["field"] == "ids.0"
    assert bad_cursor.status == 400


def test_the_channels_a_member_chooses_are_honoured_and_conditional(citizen, unit):
    leader = unit("andingmen.leader")
    current = leader.get("/messages/preference").json()

    missing = leader.put("/messages/preference", {"sms": True, "version": current["version"]})
    saved = leader.put(
        "/messages/preference",
        {
            "sms": True,
            "phone": "13966667777",
            "email": True,
            "email_address": "andingmen.leader@dongcheng.example.gov.cn",
            "version": current["version"],
        },
    )
    stale = leader.put("/messages/preference", {"sms": False, "version": current["version"]})
    receipt = citizen.submit()

    assert missing.status == 400 and missing.json()["error"]["details"][0]["field"] == "phone"
    assert "手机" in missing.json()["error"]["details"][0]["message"]
    assert saved.status == 200 and saved.json()["version"] == current["version"] + 1
    assert saved.json()["audiences"] == ["unit:110101004", "leader:110101004"]
    assert stale.status == 409
    wait_until(lambda: any(receipt["id"] in m for m in sent_sms("13966667777")))
    wait_until(lambda: any(receipt["id"] in s for s in mails_to("andingmen.leader@dongcheng.example.gov.cn")))

    off = leader.put("/messages/preference", {"version": saved.json()["version"]})
    later = citizen.submit()
    wait_until(lambda: about(leader, later["id"]))
    assert off.status == 200
    assert not any(later["id"] in m for m in sent_sms("13966667777"))


def test_an_order_prints_as_an_a4_pdf_for_those_who_may_see_it(citizen, unit):
    handler, neighbour = unit("andingmen.handler"), unit("jiaodaokou.handler")
    receipt = citizen.submit()
    wait_until(lambda: citizen.track(receipt)["status"] == "dispatched")
    handler.act(receipt["id"], "sign")

    printed = handler.post(f"/work-orders/{receipt['id']}/sheet")
    hidden = neighbour.post(f"/work-orders/{receipt['id']}/sheet")
    sheet = printed.json()
    pdf = requests.get(sheet["url"], timeout=10)

    assert printed.status == 201 and sheet["pages"] == 1 and sheet["filename"].endswith(".pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) == sheet["bytes"]
    text = pdf_text(pdf.content)
    assert receipt["id"] in text and "安定门街道" in text and "签收" in text
    assert citizen.phone not in text and citizen.phone[-4:] in text
    assert hidden.status == 404


def test_the_store_keeps_a_notice_once_pages_across_audiences_and_moves_a_preference(local_stack):
    from datetime import UTC, datetime, timedelta

    import pytest
    from chalicelib.adapters.dynamodb_inbox import DynamoMessages
    from chalicelib.domain.errors import StaleVersion
    from chalicelib.domain.inbox import Message, SavedPreference

    store = DynamoMessages(local_stack.stack.client("dynamodb"), names.MESSAGES_TABLE.local_name)
    start = datetime(2026, 12, 1, 8, tzinfo=UTC)
    for n in range(5):
        audience = "hotline:contract-a" if n % 2 else "hotline:contract-b"
        message = Message(
            id=f"{n:020x}", audience=audience, at=start + timedelta(minutes=n), subject=f"s{n}", message="m"
        )
        assert store.post(message, start + timedelta(days=90))
    again = Message(
        id=f"{0:020x}",
        audience="hotline:contract-b",
        at=start + timedelta(hours=1),
        subject="s0",
        message="m",
    )

    first, cursor = store.page(
        "contract.user", ["hotline:contract-a", "hotline:contract-b"], 3, None, start - timedelta(days=1)
    )
    rest, end = store.page(
        "contract.user", ["hotline:contract-a", "hotline:contract-b"], 3, cursor, start - timedelta(days=1)
    )
    store.mark_read("contract.user", [f"{4:020x}"], None)
    one_read = store.unread(
        "contract.user", ["hotline:contract-a", "hotline:contract-b"], start - timedelta(days=1)
    )
    store.mark_read("contract.user", [], start + timedelta(minutes=5))
    all_read = store.unread(
        "contract.user", ["hotline:contract-a", "hotline:contract-b"], start - timedelta(days=1)
    )
    later = Message(
        id=f"{5:020x}",
        audience="hotline:contract-a",
        at=start + timedelta(minutes=6),
        subject="s5",
        message="m",
    )
    store.post(later, start + timedelta(days=90))
    after = store.unread(
        "contract.user", ["hotline:contract-a", "hotline:contract-b"], start - timedelta(days=1)
    )

    assert store.post(again, start + timedelta(days=90)) is False
    assert [m.subject for m in first] == ["s4", "s3", "s2"] and [m.subject for m in rest] == ["s1", "s0"]
    assert end is None and (one_read, all_read, after) == (4, 0, 1)

    saved = SavedPreference(
        username="contract.user",
        sms=True,
        phone="13900001111",
        audiences=["hotline:contract-a", "hotline:contract-b"],
        version=1,
    )
    store.save_preference(saved, None)
    moved = saved.model_copy(update={"audiences": ["hotline:contract-b"], "version": 2})
    store.save_preference(moved, saved)
    with pytest.raises(StaleVersion):
        store.save_preference(moved.model_copy(update={"version": 3}), saved)

    assert store.subscribers("hotline:contract-a") == []
    assert [p.username for p in store.subscribers("hotline:contract-b")] == ["contract.user"]
    assert store.preference("contract.user") == moved
