"""The message centre's rules and the 办理单, without AWS: who hears what, the channels a member
chooses, a notice told once, and the sheet's words and pages."""

from __future__ import annotations

import base64
import re
import zlib

import pytest
from chalicelib.adapters.pdf_sheets import render
from chalicelib.domain import handling, inbox
from chalicelib.domain.handling_sheet import handling_sheet
from chalicelib.domain.views import staff_view
from pydantic import ValidationError

from tests.fakes import RecordingNotifier

from .conftest import ADMIN, DISPATCHER, HANDLER, LEADER, OPERATOR, OTHER_STREET


def pdf_text(data: bytes) -> str:
    """The text a PDF's pages show: reportlab writes each page as an ASCII85 + Flate stream whose
    strings are in the CID font's UCS-2 encoding (UniGB-UCS2-H)."""
    shown: list[str] = []
    for stream in re.findall(
        rb"/ASCII85Decode /FlateDecode \] /Length \d+\n>>\nstream\n(.*?)endstream", data, re.S
    ):
        content = zlib.decompress(base64.a85decode(stream.strip(), adobe=True))
        for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", content, re.S):
            raw = re.sub(
                rb"\\([0-7]{1,3}|.)",
                lambda m: bytes([int(m.group(1), 8)]) if m.group(1)[:1].isdigit() else m.group(1),
                literal,
            )
            shown.append(raw.decode("utf-16-be", errors="replace"))
    return "".join(shown)


def test_each_member_hears_their_units_and_roles_notices():
    assert inbox.audiences(HANDLER) == ["unit:110101004"]
    assert inbox.audiences(LEADER) == ["unit:110101004", "leader:110101004"]
    assert inbox.audiences(OTHER_STREET) == ["unit:110101003"]
    assert inbox.audiences(DISPATCHER) == ["hotline:dispatcher"]
    assert inbox.audiences(ADMIN) == ["hotline:admin"]


def test_a_channel_turned_on_needs_its_address_and_an_address_must_be_one():
    with pytest.raises(ValidationError) as sms:
        inbox.PreferenceForm(sms=True, version=0)
    with pytest.raises(ValidationError) as mail:
        inbox.PreferenceForm(email=True, email_address="not an address", version=0)

    assert [e["loc"] for e in sms.value.errors()] == [("phone",)]
    assert [e["loc"] for e in mail.value.errors()] == [("email_address",)]
    kept = inbox.PreferenceForm(sms=False, phone="13911112222", version=0)
    assert kept.phone == "13911112222"  # off, but kept for next time


def test_only_the_channels_turned_on_are_sent_to():
    saved = [
        inbox.SavedPreference(username="a", sms=True, phone="13911112222", email_address="a@x.gov.cn"),
        inbox.SavedPreference(username="b", email=True, email_address="b@x.gov.cn"),
    ]

    assert inbox.deliveries(saved) == [
        inbox.Delivery("sms", "a", "13911112222"),
        inbox.Delivery("email", "b", "b@x.gov.cn"),
    ]


class KeptOnce(inbox.Messages):
    """Just enough of a store to show what the notifier keeps and whom it asks."""

    def __init__(self, subscribers: list[inbox.SavedPreference]) -> None:
        self.kept: list[inbox.Message] = []
        self._subscribers = subscribers

    def post(self, message, expires):
        if any(m.id == message.id for m in self.kept):
            return False
        self.kept.append(message)
        return True

    def subscribers(self, audience):
        return self._subscribers

    def page(self, *args):
        raise NotImplementedError

    def unread(self, *args):
        raise NotImplementedError

    def mark_read(self, *args):
        raise NotImplementedError

    def preference(self, username):
        return next((p for p in self._subscribers if p.username == username), None)

    def save_preference(self, preference, previous):
        assert previous in self._subscribers
        self._subscribers[self._subscribers.index(previous)] = preference


def test_a_notice_sent_again_from_the_same_change_is_kept_and_texted_once(clock):
    sent = RecordingNotifier()
    store = KeptOnce([inbox.SavedPreference(username="a", sms=True, phone="13911112222")])
    notifier = inbox.KeepingNotifier(sent, store, clock)

    for _retry in range(2):
        notifier.staff_notice("unit:110101004", "新工单 1", "工单1已派至本单位", about="1", key="1@3")
    notifier.staff_notice("unit:110101004", "新工单 1", "工单1已派至本单位", about="1", key="1@9")

    assert [m.about for m in store.kept] == ["1", "1"]
    assert sent.direct == [("sms", "13911112222", "新工单 1")] * 2
    assert len(sent.notices) == 3  # the topic as before the centre


def test_a_member_moved_to_another_unit_is_no_longer_texted_their_old_units_notices():
    from chalicelib.domain.accounts import Account

    saved = inbox.chosen(inbox.PreferenceForm(sms=True, phone="13911112222", version=0), HANDLER)
    store = KeptOnce([saved])
    before = Account(
        username=HANDLER.username,
        email=None,
        roles=["handler"],
        unit="110101004",
        enabled=True,
        status="CONFIRMED",
        created_at=None,
    )

    inbox.account_changed(store, before, before.model_copy(update={"email": "new@x.gov.cn"}))
    assert store.subscribers("unit:110101004")[0].audiences == ["unit:110101004"]
    inbox.account_changed(store, before, before.model_copy(update={"unit": "110101003"}))

    (now,) = store.subscribers("unit:110101004")
    assert now.audiences == [] and now.version == saved.version + 1 and now.sms


def test_the_sheet_has_the_order_its_timeline_and_no_whole_phone_number(hotline, reference):
    order_id = hotline.dispatched()
    hotline.act(order_id, handling.sign)
    hotline.act(order_id, handling.contact("已电话联系诉求人"))
    view = staff_view(hotline.order(order_id), HANDLER, reference)

    sheet = handling_sheet(view, "andingmen.handler", hotline.clock.now())
    data, pages = render(sheet)
    text = pdf_text(data)

    assert data.startswith(b"%PDF") and pages == 1
    fields = dict(sheet.fields)
    assert fields["诉求人"] == "刘先生  138****1234"
    assert fields["承办单位"] == "安定门街道"
    assert [e.step for e in sheet.timeline][-2:] == ["签收", "联系诉求人"]
    for shown in (
        "12345市民服务热线工单办理单",
        order_id,
        "刘先生",
        "138****1234",
        "签收",
        "已电话联系诉求人",
    ):
        assert shown in text
    assert "13800001234" not in text


def test_a_unit_prints_a_confidential_requester_as_confidential_and_a_long_timeline_runs_on(
    hotline, reference
):
    order_id = hotline.dispatched(confidential=True)
    hotline.act(order_id, handling.sign)
    for n in range(40):
        hotline.act(order_id, handling.progress(f"第{n + 1}次阶段性答复：已协调环卫部门现场查看"))
    as_unit = handling_sheet(
        staff_view(hotline.order(order_id), HANDLER, reference), "h", hotline.clock.now()
    )
    as_hotline = handling_sheet(
        staff_view(hotline.order(order_id), OPERATOR, reference), "o", hotline.clock.now()
    )

    data, pages = render(as_unit)

    assert dict(as_unit.fields)["诉求人"] == "保密（由热线中心联系）"
    assert dict(as_hotline.fields)["诉求人"] == "刘先生  138****1234"
    assert pages >= 2 and "第40次阶段性答复" in pdf_text(data)


def test_the_sheet_names_every_step_of_an_order_the_portal_names():
    """The printed sheet and the order page tell the same timeline: every order event the portal's
    Chinese words name has its own words on the sheet, not the fallback 办理记录."""
    from pathlib import Path

    from chalicelib.domain.handling_sheet import ACTOR_WORDS, STEP_WORDS

    locale = (Path(__file__).parents[2] / "frontend/src/staff/locales/orders.ts").read_text(encoding="utf-8")
    chinese = locale[: locale.index("\n  en:")] if "\n  en:" in locale else locale

    def block(name: str) -> dict[str, str]:
        body = re.search(rf"\n    {name}: \{{\n(.*?)\n    \}},", chinese, re.S)
        assert body, name
        return dict(re.findall(r"^\s+(\w+): '([^']*)',", body.group(1), re.M))

    whistle_events = {"whistle_blown", "summoned", "reported", "report_missed", "whistle_closed"}
    events = {k: v for k, v in block("events").items() if k not in whistle_events}
    assert {k: STEP_WORDS.get(k) for k in events} == events
    actors = {k: v for k, v in block("actors").items() if k not in ("staff", "other")}
    assert {k: ACTOR_WORDS.get(k) for k in actors} == actors
