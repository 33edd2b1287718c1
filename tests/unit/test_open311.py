"""Open311 GeoReport v2 over 接诉即办: statuses, what is published, the request form, the search
window, the keys (domain/open311.py; the wire: entrypoints/open311_wire.py, open311_forms.py)."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from chalicelib.domain import dispatch, follow_up, handling, open311, partners
from chalicelib.domain.beijing import BEIJING
from chalicelib.domain.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from chalicelib.domain.model import Channel, Location, Requester, Status
from chalicelib.domain.publication import PublicationPolicy
from chalicelib.entrypoints import open311_forms as forms
from chalicelib.entrypoints import open311_wire as wire
from chalicelib.entrypoints.open311_forms import RequestQuery
from chalicelib.reference_data import divisions, emergency_words, gazetteer, shipped_model
from chalicelib.reference_data import partners as known_partners
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.conftest import ADMIN, DISPATCHER

OPEN311_KEY, PARTNER_KEY = "city-app-key", "tianjin-key"
PARTNER_NAMES = {p.id: p.name for p in known_partners().values()}


@pytest.fixture
def keys(reference, clock):
    """An Open311 client's key and a partner's, as an administrator issued them."""
    for key, name, audience in (
        (OPEN311_KEY, "city-app", "open311"),
        (PARTNER_KEY, "tianjin-12345", "partner"),
    ):
        reference.put_api_client(
            partners.ApiClient(
                key_hash=partners.key_hash(key),
                partner=name,
                audience=audience,
                created_by="admin1",
                created_at=clock.now(),
            )
        )


def caller(phone: str) -> Requester:
    """Another requester: a repeat from the same phone about the same place would be merged."""
    return Requester(name="刘先生", phone=phone)


def fields(**changes: str | None) -> dict[str, str]:
    found = {
        "api_key": OPEN311_KEY,
        "service_code": "garbage_collection",
        "attribute[type]": "complaint",
        "attribute[district]": "110101",
        "attribute[street]": "110101004",
        "description": "胡同口垃圾桶满了好几天没人清运，气味很大",
        "phone": "13900002222",
        "first_name": "明",
        "last_name": "李",
        "address_string": "东城区安定门街道方家胡同",
        "email": "li.ming@example.com",
        "media_url": "https://example.com/photo.jpg",
        **changes,
    }
    return {k: v for k, v in found.items() if v is not None}


def submit(hotline, key: str | None = None, **changes: str | None) -> wire.Created:
    intake = open311.Intake(
        orders=hotline.orders,
        reference=hotline.reference,
        workflows=hotline.workflows,
        clock=hotline.clock,
        limits=hotline.limits,
        emergencies=emergency_words(),
        gazetteer=gazetteer(),
        model=shipped_model(),
    )
    return forms.submit(fields(**changes), intake, idempotency_key=key, partner_names=PARTNER_NAMES)


# What a client that reads none of our service definitions sends: the spec's fields only.
SPEC_ONLY = {"attribute[type]": None, "attribute[district]": None, "attribute[street]": None}
# A city that publishes everything the policy allows.
EVERYTHING = PublicationPolicy(place="address", text=True, replies=True, coordinates=True)


def problems(error: pytest.ExceptionInfo[InvalidInput]) -> dict[str, str]:
    return {p.field: p.message for p in error.value.details}


# --- statuses and status_notes ----------------------------------------------------------------


def test_every_status_is_either_open_or_closed():
    assert set(Status) == open311.OPEN | open311.CLOSED
    assert set() == open311.OPEN & open311.CLOSED
    assert [open311.status_of(s) for s in (Status.REOPENED, Status.FOLLOW_UP, Status.MERGED)] == [
        "open",
        "open",
        "closed",
    ]
    assert set(wire.STATUS_WORDS) == set(Status)


def test_status_notes_say_the_status_in_plain_words_and_overdue(hotline):
    received = hotline.order(hotline.receive())
    dispatched = hotline.order(hotline.dispatched(requester=caller("13900003333")))

    assert wire.status_notes(received) == "已受理，等待派单"
    assert wire.status_notes(dispatched.model_copy(update={"overdue": True})) == (
        "已派单，等待承办单位签收；已超期"
    )


def test_status_notes_say_why_nothing_was_dispatched(hotline):
    fire = hotline.order(hotline.receive(content="楼道里着火了，烟很大，老人还在屋里"))
    original = hotline.receive(requester=caller("13900004444"))
    repeat = hotline.order(hotline.receive(requester=caller("13900004444")))
    moved = hotline.act(
        hotline.receive(category=None), partners.transfer(known_partners()["tianjin-12345"], None), DISPATCHER
    )

    assert wire.status_notes(fire) == "不予派单；属紧急事项，已告知诉求人拨打119"
    assert wire.status_notes(repeat) == f"已合并办理；同一事项已有工单{original}，已合并至该工单"
    assert wire.status_notes(moved, PARTNER_NAMES) == "不予派单；已转至天津市12345政务服务便民热线办理"
    assert {open311.status_of(o.status) for o in (fire, repeat, moved)} == {"closed"}


def test_status_notes_carry_the_reply_masked_once_replied_where_replies_are_published(hotline):
    order_id = hotline.dispatched()
    hotline.act(order_id, handling.sign)
    hotline.act(order_id, handling.contact(None))
    replied = hotline.act(order_id, handling.reply("已清运，如有问题请联系保洁班长13911112222", True))
    following = hotline.order(order_id)
    hotline.advance(order_id)
    closed = hotline.rate(order_id)

    assert (
        wire.status_notes(replied, policy=EVERYTHING)
        == "承办单位已答复，等待回访；答复：已清运，如有问题请联系保洁班长139****2222"
    )
    assert wire.status_notes(following, policy=EVERYTHING).startswith("承办单位已答复")
    assert closed.status is Status.CLOSED
    assert (
        wire.status_notes(closed, policy=EVERYTHING)
        == "已办结；答复：已清运，如有问题请联系保洁班长139****2222"
    )
    # By default the status is published, not the reply.
    assert (wire.status_notes(replied), wire.status_notes(closed)) == (
        "承办单位已答复，等待回访",
        "已办结",
    )


# --- what a service request publishes ---------------------------------------------------------


MASKABLE = (
    "我叫王小明，住在方家胡同12号3单元401，楼下京A12345的车天天占着消防通道，物业不管，"
    "我的电话13800001234，身份证110105198805123419"
)


def test_by_default_a_request_is_published_by_category_street_unit_status_and_dates(hotline, reference):
    order_id = hotline.dispatched(
        content=MASKABLE,
        location=Location(
            district="110101", street="110101004", address="方家胡同12号3单元401", lat=39.9489, lng=116.4071
        ),
    )
    order = hotline.order(order_id)

    published = wire.service_request(order, reference)

    assert published.model_dump() == {
        "service_request_id": order_id,
        "status": "open",
        "status_notes": "已派单，等待承办单位签收",
        "service_name": "垃圾清运",
        "service_code": "garbage_collection",
        "description": None,
        "agency_responsible": "安定门街道",
        "service_notice": None,
        "requested_datetime": "2026-11-26T09:30:00+08:00",
        "updated_datetime": "2026-11-26T09:30:00+08:00",
        "expected_datetime": order.deadline.astimezone(BEIJING).isoformat(timespec="seconds"),
        "address": "东城区安定门街道",
        "address_id": "110101004",
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }
    said = str(published.model_dump())
    assert not [w for w in ("王小明", "方家胡同", "12号", "刘先生", "1380000") if w in said]


def test_where_text_is_published_names_house_and_room_numbers_are_masked(hotline, reference):
    order_id = hotline.dispatched(
        content=MASKABLE,
        location=Location(
            district="110101", street="110101004", address="方家胡同12号3单元401", lat=39.94893, lng=116.40712
        ),
    )

    published = wire.service_request(hotline.order(order_id), reference, policy=EVERYTHING)

    assert published.description == (
        "我叫***，住在方家胡同**号*单元***，楼下京A*****的车天天占着消防通道，物业不管，"
        "我的电话138****1234，身份证110105************"
    )
    assert published.address == "方家胡同**号*单元***"
    assert (published.lat, published.long) == (39.949, 116.407)  # about 100 m
    assert "刘先生" not in str(published.model_dump())


def test_an_order_without_a_category_is_unclassified_and_located_by_its_street(hotline, reference):
    order = hotline.order(
        hotline.receive(category=None, location=Location(district="110101", street="110101004"))
    )

    published = wire.service_request(order, reference)

    assert (published.service_code, published.service_name, published.agency_responsible) == (
        wire.UNCLASSIFIED,
        None,
        None,
    )
    assert published.address == "东城区安定门街道"


def test_the_updated_time_is_the_last_event_of_the_timeline(hotline, reference, clock):
    order_id = hotline.dispatched()
    clock.advance(hours=1)
    signed = hotline.act(order_id, handling.sign)

    assert wire.service_request(signed, reference).updated_datetime == "2026-11-26T10:30:00+08:00"


# --- the request form and POST ----------------------------------------------------------------


def test_the_form_names_each_bad_field_as_open311_names_it():
    with pytest.raises(InvalidInput) as missing:
        forms.parse_request(fields(**{"attribute[street]": "1101", "attribute[type]": "rumour"}))
    with pytest.raises(InvalidInput) as wrong:
        forms.parse_request(
            fields(**{"attribute[district]": "11", "description": "长" * 2001, "phone": "010-64012345"})
        )
    with pytest.raises(InvalidInput) as half:
        forms.parse_request(fields(lat="39.9"))

    assert set(problems(missing)) == {"attribute[street]", "attribute[type]"}
    assert problems(missing)["attribute[street]"].startswith("must be the 9-digit code")
    assert set(problems(wrong)) == {"attribute[district]", "description", "phone"}
    assert problems(wrong)["description"] == "at most 2000 characters here (Open311 allows 4000)"
    assert set(problems(half)) == {"long"}


def test_empty_fields_count_as_absent_and_the_rest_become_the_submission(reference):
    form = forms.parse_request(
        fields(
            first_name="", last_name=" ", lat="39.95", long="116.40", **{"attribute[confidential]": "true"}
        )
    )

    submission = open311.submission(form, reference, gazetteer(), shipped_model())

    assert submission.requester.name is None
    assert submission.confidential is True
    assert (submission.location.lat, submission.location.lng, submission.location.address) == (
        39.95,
        116.40,
        "东城区安定门街道方家胡同",
    )
    assert (submission.category, submission.type.value, submission.content) == (
        "garbage_collection",
        "complaint",
        "胡同口垃圾桶满了好几天没人清运，气味很大",
    )


@pytest.mark.parametrize(
    ("first", "last", "name"),
    [("明", "李", "李明"), ("Ming", "Li", "Ming Li"), ("明", None, "明"), (None, "Smith", "Smith")],
)
def test_a_chinese_name_is_written_family_name_first(first, last, name):
    assert forms.parse_request(fields(first_name=first, last_name=last)).name == name


def test_a_post_needs_an_open311_key_before_anything_else(hotline, keys):
    for key in (None, "guessed", PARTNER_KEY):
        with pytest.raises(Forbidden):
            submit(hotline, api_key=key, description=None)  # the key is checked before the form

    with pytest.raises(InvalidInput) as bad:
        submit(hotline, description=None)
    with pytest.raises(NotFound):
        submit(hotline, service_code="no_such_code")

    assert set(problems(bad)) == {"description"}
    assert hotline.orders.orders == {}


def tracking_code(notice: str) -> str:
    found = re.search(r"跟踪码([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})", notice)
    assert found, notice
    return found.group(1)


def test_a_post_becomes_an_order_on_the_open311_channel(hotline, keys):
    created = submit(hotline)

    order = hotline.order(created.service_request_id)
    assert (order.channel, order.status, order.category) == (
        Channel.OPEN311,
        Status.RECEIVED,
        "garbage_collection",
    )
    assert (order.requester.name, order.requester.phone) == ("李明", "13900002222")
    code = tracking_code(created.service_notice)
    assert created.service_notice == (
        f"您的诉求已受理，工单号{order.id}，办理期限至2026-11-27 09:30（北京时间），跟踪码{code}"
        "（凭工单号和跟踪码可在网上查询进度、评价办理）。受理短信（含工单号）将发送至您提供的手机号。"
    )
    # The code in the notice is the one that opens the tracking page.
    assert follow_up.find_by_code(hotline.orders, order.id, code).id == order.id
    assert created.account_id is None
    assert hotline.workflows.started == [order.id]


@pytest.mark.parametrize(
    "address", ["北京市东城区安定门街道方家胡同", "东城区安定门街道", "东城安定门", "东城区安定门方家胡同7号"]
)
def test_a_post_with_only_the_specs_fields_is_placed_by_its_address(hotline, keys, address):
    created = submit(hotline, address_string=address, phone="13900006666", **SPEC_ONLY)

    order = hotline.order(created.service_request_id)
    assert (order.location.district, order.location.street, order.location.address) == (
        "110101",
        "110101004",
        address,
    )
    # The type is the one the dispatch model reads from the description.
    assert order.type.value == "complaint"
    hotline.dispatch(order.id)
    assert (hotline.order(order.id).status, hotline.order(order.id).first_receiver) == (
        Status.DISPATCHED,
        "110101004",
    )


def test_the_type_a_client_leaves_out_is_read_from_the_description(hotline, keys):
    asked = submit(hotline, description="请问居住证怎么办理，需要带什么材料", **SPEC_ONLY)
    told = submit(hotline, description="请问居住证怎么办理，需要带什么材料", phone="13900007777")

    assert hotline.order(asked.service_request_id).type.value == "consultation"
    assert hotline.order(told.service_request_id).type.value == "complaint"  # the client's choice


def test_a_district_or_street_code_as_address_id_places_the_request(hotline, keys):
    street = submit(hotline, address_string=None, address_id="110101004", **SPEC_ONLY)
    district = submit(hotline, address_string=None, address_id="110105", phone="13900008888", **SPEC_ONLY)

    assert hotline.order(street.service_request_id).location.model_dump(include={"district", "street"}) == {
        "district": "110101",
        "street": "110101004",
    }
    assert hotline.order(district.service_request_id).location.district == "110105"
    assert hotline.order(district.service_request_id).location.street is None


def test_a_street_without_its_district_brings_its_district(hotline, keys):
    created = submit(hotline, address_string=None, **{"attribute[district]": None})

    order = hotline.order(created.service_request_id)
    assert (order.location.district, order.location.street) == ("110101", "110101004")


def test_a_place_no_one_can_read_waits_for_a_dispatcher_with_what_was_given(hotline, keys, reference, limits):
    point = submit(
        hotline,
        address_string=None,
        lat="39.9489",
        long="116.4071",
        # A place the description names is not read: no requester confirms it as on the web form.
        description="方家胡同口的路灯坏了好几天，晚上很黑",
        **SPEC_ONLY,
    )
    words = submit(
        hotline,
        address_string="幸福小区3号楼东侧",
        description="小区门口的路灯坏了好几天，晚上很黑",
        phone="13900009999",
        **SPEC_ONLY,
    )

    for created in (point, words):
        order = hotline.order(created.service_request_id)
        assert order.location.district is None and order.status is Status.RECEIVED
        assert hotline.workflows.started[-2:] == [point.service_request_id, words.service_request_id]
        hotline.dispatch(order.id)
        assert hotline.order(order.id).status is Status.RECEIVED  # in the dispatchers' queue
    kept = hotline.order(point.service_request_id).location
    assert (kept.lat, kept.lng, hotline.order(words.service_request_id).location.address) == (
        39.9489,
        116.4071,
        "幸福小区3号楼东侧",
    )
    # The dispatcher places it by sending it to the street office; the order takes that place.
    sent = hotline.act(
        words.service_request_id,
        dispatch.dispatch_by(["110101004"], None, "幸福小区属安定门街道", reference, limits),
        DISPATCHER,
    )
    assert (sent.status, sent.location.district, sent.location.street) == (
        Status.DISPATCHED,
        "110101",
        "110101004",
    )
    assert sent.location.address == "幸福小区3号楼东侧"


def test_a_post_that_says_nowhere_is_400_naming_the_place(hotline, keys):
    with pytest.raises(InvalidInput) as nowhere:
        submit(hotline, address_string=None, **SPEC_ONLY)

    assert problems(nowhere) == {"address_string": "send lat and long, address_string or address_id"}
    assert hotline.orders.orders == {}


def test_intake_problems_are_named_as_open311_names_them(hotline, keys):
    with pytest.raises(InvalidInput) as elsewhere:
        submit(hotline, **{"attribute[street]": "110105001"})  # 朝阳区's, not 东城区's

    assert set(problems(elsewhere)) == {"attribute[street]"}


def test_an_emergency_is_told_to_call_the_line(hotline, keys):
    created = submit(hotline, description="胡同里一个院子着火了，火很大，快来人")

    order = hotline.order(created.service_request_id)
    assert order.status is Status.NOT_DISPATCHED
    code = tracking_code(created.service_notice)
    assert created.service_notice == (
        f"您的诉求已记录，工单号{order.id}，跟踪码{code}（凭工单号和跟踪码可在网上查询进度、评价办理）。"
        "您反映的情况属于紧急事项，请立即拨打119。受理短信将发送至您提供的手机号。"
    )


def test_an_idempotency_key_belongs_to_one_client(hotline, keys, reference, clock):
    reference.put_api_client(
        partners.ApiClient(
            key_hash=partners.key_hash("other-app-key"),
            partner="other-app",
            audience="open311",
            created_by="admin1",
            created_at=clock.now(),
        )
    )

    first = submit(hotline, key="retry-1")
    again = submit(hotline, key="retry-1")
    other = submit(hotline, key="retry-1", api_key="other-app-key", phone="13900005555")

    assert again == first
    assert other.service_request_id != first.service_request_id


# --- GET Service Requests ---------------------------------------------------------------------


def query(**params: Any) -> RequestQuery:
    return RequestQuery.model_validate(params)


def test_the_query_takes_comma_lists_and_needs_zones():
    parsed = query(
        service_request_id="2611260000001, 2611260000002",
        status="open,closed",
        start_date="2026-11-01T00:00:00 08:00",  # an unencoded "+" arrives as a space
        jurisdiction_id="beijing.gov.cn",
        end_date="",
    )

    assert parsed.service_request_id == ["2611260000001", "2611260000002"]
    assert parsed.status == ["open", "closed"]
    assert parsed.start_date == datetime(2026, 11, 1, tzinfo=BEIJING)
    assert parsed.end_date is None
    for bad in (
        {"start_date": "2026-11-01T00:00:00"},
        {"status": "pending"},
        {"service_request_id": ",".join(str(n) for n in range(101))},
        {"service_request_id": "abc"},
    ):
        with pytest.raises(ValueError):
            query(**bad)


def test_the_window_is_at_most_90_days_and_the_last_90_by_default(clock):
    now = clock.now()
    start = datetime(2026, 1, 1, tzinfo=UTC)

    assert open311.window(query(), now) == (now - timedelta(days=90), now)
    assert open311.window(query(start_date=start), now) == (start, start + timedelta(days=90))
    assert open311.window(query(end_date=start), now) == (start - timedelta(days=90), start)
    assert open311.window(query(start_date=start, end_date=start + timedelta(days=90)), now)[1] == (
        start + timedelta(days=90)
    )
    with pytest.raises(InvalidInput) as too_long:
        open311.window(query(start_date=start, end_date=start + timedelta(days=90, seconds=1)), now)
    with pytest.raises(InvalidInput) as backwards:
        open311.window(query(start_date=start, end_date=start - timedelta(days=1)), now)
    assert set(problems(too_long)) == set(problems(backwards)) == {"end_date"}


def search(hotline, **params: Any) -> list[str]:
    found = wire.search(
        query(**params), orders=hotline.orders, reference=hotline.reference, now=hotline.clock.now()
    )
    return [r.service_request_id for r in found]


def test_the_search_is_newest_first_by_status_and_code_and_never_confidential(hotline, clock):
    oldest = hotline.receive(requester=caller("13900000001"))
    clock.advance(hours=1)
    lighting = hotline.receive(category="street_lighting", requester=caller("13900000002"))
    clock.advance(hours=1)
    secret = hotline.receive(confidential=True, requester=caller("13900000003"))
    fire = hotline.receive(content="楼道里着火了，烟很大", requester=caller("13900000004"))
    clock.advance(days=91)
    late = hotline.receive(requester=caller("13900000005"))

    assert search(hotline) == [late]
    assert search(hotline, start_date=datetime(2026, 11, 26, tzinfo=BEIJING)) == [fire, lighting, oldest]
    window = {
        "start_date": datetime(2026, 11, 26, tzinfo=BEIJING),
        "end_date": datetime(2026, 12, 1, tzinfo=BEIJING),
    }
    assert search(hotline, status="closed", **window) == [fire]
    assert search(hotline, status="open", service_code="garbage_collection", **window) == [oldest]
    assert search(hotline, service_code="street_lighting", **window) == [lighting]
    assert search(hotline, service_code="street_lighting,garbage_collection", **window) == [
        fire,
        lighting,
        oldest,
    ]
    assert search(hotline, service_request_id=f"{oldest},{secret},2611260000000,{late}", status="closed") == [
        oldest,
        late,
    ]
    assert secret not in search(hotline, **window)


def test_the_search_answers_at_most_1000(hotline, clock):
    template = hotline.order(hotline.receive())
    for n in range(1, 1005):
        hotline.orders.create(
            template.model_copy(
                update={"id": f"2611269{n:06d}", "created_at": template.created_at + timedelta(seconds=n)}
            )
        )

    found = search(hotline, start_date=datetime(2026, 11, 26, tzinfo=BEIJING))

    assert len(found) == open311.MAX_RESULTS
    assert found[0] == "2611269001004"


def test_a_confidential_or_unknown_request_is_not_found_and_a_token_is_the_id(hotline):
    public = hotline.receive()
    secret = hotline.receive(confidential=True, requester=caller("13900006666"))

    assert wire.token(public, hotline.orders).model_dump() == {
        "service_request_id": public,
        "token": public,
    }
    for missing in (secret, "2611260000000", "../etc", "1" * 30):
        with pytest.raises(NotFound):
            open311.lookup(missing, hotline.orders)


# --- discovery, services, definitions ---------------------------------------------------------


def test_each_category_is_a_service_offering_the_same_optional_attributes(reference):
    services = wire.services(reference.categories())
    districts = [(d.code, d.name) for d in divisions()]
    definition = wire.definition("street_lighting", reference, districts)

    lighting = next(s for s in services if s.service_code == "street_lighting")
    assert (lighting.metadata, lighting.type) == (True, "realtime")
    assert lighting.group == "urban_construction_municipal"
    assert lighting.keywords == ",".join(reference.category("street_lighting").keywords)
    assert [(a.code, a.datatype, a.required, a.order) for a in definition.attributes] == [
        ("type", "singlevaluelist", False, 1),
        ("district", "singlevaluelist", False, 2),
        ("street", "string", False, 3),
        ("confidential", "singlevaluelist", False, 4),
    ]
    assert "values" not in definition.model_dump()["attributes"][2]
    with pytest.raises(NotFound):
        wire.definition("no_such_code", reference, districts)


def test_the_changeset_moves_when_the_catalogue_is_edited(reference):
    before = wire.discovery("https://example.org/open311/v2", True, reference.categories())
    edited = reference.category("street_lighting").model_copy(
        update={"version": 2, "updated_at": datetime(2027, 3, 1, tzinfo=UTC)}
    )
    reference.put_category(edited, expected_version=1)

    after = wire.discovery("https://example.org/open311/v2", False, reference.categories())

    assert before.endpoints[0].type == "production" and after.endpoints[0].type == "test"
    assert after.changeset == after.endpoints[0].changeset == "2027-03-01T08:00:00+08:00"
    assert before.changeset < after.changeset


# --- keys ------------------------------------------------------------------------------------


def test_each_api_takes_only_its_own_keys(clock):
    _, city_app = partners.issue_open311("city-app", ADMIN, clock.now())
    _, tianjin = partners.issue(known_partners()["tianjin-12345"], ADMIN, clock.now())

    assert open311.require_client(city_app) == city_app
    assert partners.require_key(tianjin) == tianjin
    with pytest.raises(Forbidden):
        open311.require_client(tianjin)
    with pytest.raises(Forbidden):
        open311.require_client(None)
    with pytest.raises(Forbidden):
        partners.require_key(city_app)
    with pytest.raises(Unauthenticated):
        partners.require_key(None)


def test_keys_stored_before_open311_are_partner_keys(clock):
    stored = {
        "key_hash": "abc",
        "partner": "tianjin-12345",
        "created_by": "admin1",
        "created_at": clock.now(),
    }

    assert partners.ApiClient.model_validate(stored).audience == "partner"


def test_only_an_administrator_issues_an_open311_key_to_a_named_client(clock):
    key, client = partners.issue_open311("beijing-city-app", ADMIN, clock.now())

    assert (client.partner, client.audience, client.key_hash) == (
        "beijing-city-app",
        "open311",
        partners.key_hash(key),
    )
    with pytest.raises(Forbidden):
        partners.issue_open311("beijing-city-app", DISPATCHER, clock.now())
    for bad in ("x", "City_App", "a" * 41, "app!"):
        with pytest.raises(InvalidInput):
            partners.issue_open311(bad, ADMIN, clock.now())


@settings(max_examples=300, deadline=None)  # a property of the output, not of its speed
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"])))
def test_any_stored_text_is_published_as_well_formed_xml(text):
    from xml.etree import ElementTree

    from chalicelib.entrypoints.open311_api import _render

    answer = _render("xml", "service_requests", [{"service_request_id": "1", "description": text}], 200)

    parsed = ElementTree.fromstring(answer.body.encode("utf-8"))
    found = parsed.find("request/service_request_id")
    assert found is not None and found.text == "1"
