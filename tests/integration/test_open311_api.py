"""Open311 GeoReport v2 on the local stack, over real HTTP, as a city app would use it: the PyPI
client `georeport` reads services and requests in JSON and XML (it cannot post; requests posts
the form as any generic client does, with the spec's fields only or with our attributes), and
every JSON answer is checked against open311/schema-validation's schemas (data/open311)."""

import itertools
import json
import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import xmltodict  # type: ignore[import-untyped]
from georeport import GeoReport  # type: ignore[import-untyped]
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7
from requests.adapters import HTTPAdapter

from tests.conftest import wait_until

KEY = "local-open311-demo"
SCHEMAS = Path(__file__).parent / "data" / "open311"
REGISTRY = Registry().with_resources(
    (path.name, Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT7))
    for path in SCHEMAS.glob("*.json")
)
JSON = "application/json; charset=utf-8"
XML = "text/xml; charset=utf-8"


def conforms(schema: str, document: Any) -> Any:
    """The document, after checking it against the spec's schema (date-times included)."""
    contents = REGISTRY.contents(f"{schema}.json")
    validator = Draft7Validator(contents, registry=REGISTRY, format_checker=Draft7Validator.FORMAT_CHECKER)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == [], errors
    return document


_clients = itertools.count(1)


def post_from_a_client_of_its_own(url: str, **kwargs: Any) -> requests.Response:
    """A POST from a loopback address of its own, as from another client: the local server throttles
    Open311 posts per client address (10 at once, then one a second), as API Gateway does."""
    n = next(_clients)
    adapter = HTTPAdapter()
    adapter.init_poolmanager(1, 1, source_address=(f"127.0.{100 + n // 250}.{n % 250 + 2}", 0))
    with requests.Session() as session:
        session.mount("http://", adapter)
        return session.post(url, **kwargs)


@pytest.fixture(scope="module")
def base(local_stack) -> str:
    """The Open311 endpoint of the local server the stack runs (infra/local/server.py)."""
    return local_stack.url.replace("localhost", "127.0.0.1") + "/open311/v2"


@pytest.fixture(scope="module")
def client(base) -> GeoReport:
    return GeoReport(base)


@pytest.fixture(scope="module")
def xml_client(base) -> GeoReport:
    return GeoReport(base, output_format="xml")


def form(**changes: str | None) -> dict[str, str]:
    """A complete POST Service Request form, from a phone of its own (a repeat would be merged)."""
    fields = {
        "api_key": KEY,
        "service_code": "garbage_collection",
        "attribute[type]": "complaint",
        "attribute[district]": "110101",
        "attribute[street]": "110101004",
        "description": "胡同口垃圾桶满了好几天没人清运，气味很大",
        "phone": f"139{secrets.randbelow(10**8):08d}",
        "first_name": "明",
        "last_name": "李",
        "address_string": "东城区安定门街道方家胡同",
        "lat": "39.9489",
        "long": "116.4071",
        "email": "li.ming@example.com",
        "device_id": "ios-5f2a",
        "media_url": "https://example.com/photo.jpg",
        **changes,
    }
    return {k: v for k, v in fields.items() if v is not None}


def post(base: str, fmt: str = "json", headers: dict[str, str] | None = None, /, **changes: str | None):
    return post_from_a_client_of_its_own(
        f"{base}/requests.{fmt}", data=form(**changes), headers=headers, timeout=30
    )


def spec_only(**fields: str) -> dict[str, str]:
    """What a generic GeoReport v2 client sends: the spec's fields, none of our attributes."""
    return {
        "api_key": KEY,
        "service_code": "garbage_collection",
        "description": "胡同口垃圾桶满了好几天没人清运，气味很大",
        "phone": f"136{secrets.randbelow(10**8):08d}",
        **fields,
    }


# The sentence a requester wrote that no public list may show as written.
PRIVATE = "我叫王小明，住在方家胡同12号3单元401，楼门口的垃圾桶满了好几天没人清运"


@pytest.fixture
def publishing_text(local_stack):
    """The stage configured to publish requests' texts, replies, addresses and points (the
    JIESU_PUBLICATION setting), for one test; the shipped policy comes back after."""
    from chalicelib import names, wiring

    os.environ[names.ENV_PUBLICATION] = json.dumps(
        {"place": "address", "text": True, "replies": True, "coordinates": True}
    )
    wiring.use(None)
    yield
    del os.environ[names.ENV_PUBLICATION]
    wiring.use(None)


def errors(answer: requests.Response) -> list[dict[str, Any]]:
    """The spec's error list, read from either format."""
    if answer.headers["Content-Type"] == XML:
        found = xmltodict.parse(answer.content)["errors"]["error"]
        found = found if isinstance(found, list) else [found]
        return [{"code": int(e["code"]), "description": e["description"]} for e in found]
    assert answer.headers["Content-Type"] == JSON
    return list(answer.json())


def test_discovery_names_this_endpoint_in_both_formats(base):
    as_json = requests.get(f"{base}/discovery.json", timeout=30)
    as_xml = requests.get(f"{base}/discovery.xml", timeout=30)

    discovery = as_json.json()
    assert set(discovery) == {"changeset", "contact", "key_service", "endpoints"}
    assert discovery["endpoints"] == [
        {
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": base,
            "changeset": discovery["changeset"],
            "type": "test",
            "formats": ["text/xml", "application/json"],
        }
    ]
    assert as_xml.headers["Content-Type"] == XML
    assert as_xml.text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    endpoint = xmltodict.parse(as_xml.content)["discovery"]["endpoints"]["endpoint"]
    assert (endpoint["url"], endpoint["formats"]["format"]) == (base, ["text/xml", "application/json"])


def test_the_services_are_the_catalogue_in_json_and_xml(api, client, xml_client):
    catalogue = api.get("/api/v1/public/categories").json()["items"]

    services = conforms("services", client.get_service_list())
    in_xml = xml_client.get_service_list()

    assert [s["service_code"] for s in services] == [c["code"] for c in catalogue]
    lighting = next(s for s in services if s["service_code"] == "street_lighting")
    assert (lighting["service_name"], lighting["group"], lighting["metadata"], lighting["type"]) == (
        "路灯照明",
        "urban_construction_municipal",
        True,
        "realtime",
    )
    assert "," in lighting["keywords"] and lighting["description"].startswith("路灯照明：")
    assert [(s["service_code"], s["service_name"], s["metadata"]) for s in in_xml] == [
        (s["service_code"], s["service_name"], "true") for s in services
    ]


def test_every_service_offers_the_type_district_and_street_as_optional(client, xml_client):
    definition = conforms("service-definition", client.get_service_definition("garbage_collection"))
    in_xml = xml_client.get_service_definition("garbage_collection")

    attributes = {a["code"]: a for a in definition["attributes"]}
    assert list(attributes) == ["type", "district", "street", "confidential"]
    assert [(v["key"], v["name"]) for v in attributes["type"]["values"]] == [
        ("consultation", "咨询"),
        ("help", "求助"),
        ("complaint", "投诉"),
        ("report", "举报"),
        ("suggestion", "建议"),
    ]
    assert len(attributes["district"]["values"]) == 16
    assert {"key": "110101", "name": "东城区"} in attributes["district"]["values"]
    street = attributes["street"]
    assert (street["datatype"], street["required"], "values" in street) == ("string", False, False)
    assert "/api/v1/public/divisions" in street["datatype_description"]
    assert {a["required"] for a in attributes.values()} == {False}
    assert [a["code"] for a in in_xml["attributes"]["attribute"]] == list(attributes)
    assert in_xml["attributes"]["attribute"][1]["values"]["value"][0] == {"key": "110101", "name": "东城区"}


def test_an_unknown_service_or_resource_is_404_in_the_format_asked_for(base):
    for path, fmt in (
        ("services/no_such_code.json", "json"),
        ("services/no_such_code.xml", "xml"),
        ("requests/2611260000000.json", "json"),
        ("requests/not-a-number.xml", "xml"),
        ("tokens/2611260000000.xml", "xml"),
        ("requests/2611260000000.txt", "json"),
    ):
        answer = requests.get(f"{base}/{path}", timeout=30)

        assert answer.status_code == 404, path
        assert answer.headers["Content-Type"] == (XML if fmt == "xml" else JSON)
        [error] = errors(answer)
        assert error["code"] == 404 and error["description"]


def test_a_request_posted_with_the_demo_key_is_received_and_read_back(base, client, xml_client, unit):
    described = "胡同口垃圾桶满了好几天没人清运，京A12345的车一直停在桶边挡着清运车，有事打13812345678"

    answer = post(base, description=described)

    assert answer.status_code == 201, answer.text
    assert answer.headers["Content-Type"] == JSON
    [created] = answer.json()
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    order_id = created["service_request_id"]
    assert f"工单号{order_id}" in created["service_notice"] and "办理期限至" in created["service_notice"]
    read = wait_until(lambda: (r := client.get_service_request(order_id))["agency_responsible"] and r)
    conforms("request", read)
    assert (read["status"], read["service_code"], read["service_name"]) == (
        "open",
        "garbage_collection",
        "垃圾清运",
    )
    assert read["agency_responsible"] == "安定门街道"
    # By default: the category, the street, the unit, the status and the dates, not the words.
    assert (read["description"], read["address"], read["address_id"], read["lat"], read["long"]) == (
        None,
        "东城区安定门街道",
        "110101004",
        None,
        None,
    )
    assert read["expected_datetime"] and "已派单" in read["status_notes"]
    as_staff_see_it = unit("operator1").order(order_id).json()
    assert as_staff_see_it["channel"] == "open311"
    assert as_staff_see_it["requester"]["name"] == "李明"  # family name first
    phone = as_staff_see_it["requester"]["phone"]
    published = json.dumps(client.get_service_requests(service_request_id=order_id), ensure_ascii=False)
    assert phone not in published and "李明" not in published
    in_xml = xml_client.get_service_request(order_id)
    assert (in_xml["service_request_id"], in_xml["status"], in_xml["description"]) == (order_id, "open", None)
    token = requests.get(f"{base}/tokens/{order_id}.json", timeout=30).json()
    assert token == [{"service_request_id": order_id, "token": order_id}]


def test_a_post_in_xml_and_a_retry_with_the_same_idempotency_key(base):
    retry_key = {"Idempotency-Key": f"city-app-{secrets.token_hex(8)}"}
    fields = {"phone": f"137{secrets.randbelow(10**8):08d}"}

    first = post(base, "xml", retry_key, **fields)
    again = post(base, "xml", retry_key, **fields)

    assert first.status_code == 201, first.text
    assert first.headers["Content-Type"] == XML
    created = xmltodict.parse(first.content)["service_requests"]["request"]
    assert created["account_id"] is None and created["service_notice"]
    assert xmltodict.parse(again.content)["service_requests"]["request"] == created


@pytest.mark.parametrize("key", [None, "guessed-key", "local-partner-tianjin"])
def test_a_post_needs_an_open311_key(base, key):
    answer = post(base, api_key=key)
    in_xml = post(base, "xml", api_key=key)

    assert (answer.status_code, in_xml.status_code) == (403, 403)
    [error] = errors(answer)
    assert error["code"] == 403 and "api_key" in error["description"]
    assert errors(in_xml)[0]["code"] == 403


def test_the_partner_api_refuses_an_open311_key(api):
    answer = api.get("/api/v1/partner/transfers", headers={"x-api-key": KEY})

    assert answer.status == 403
    assert answer.json()["error"]["code"] == "forbidden"


def test_bad_input_is_400_naming_the_field_and_an_unknown_service_404(base):
    nowhere = post(
        base,
        address_string=None,
        lat=None,
        long=None,
        **{"attribute[district]": None, "attribute[street]": None},
    )
    elsewhere = post(base, **{"attribute[street]": "110105001"})  # a street of 朝阳区, not 东城区
    too_long = post(base, description="路灯不亮" * 501)
    bad_phone = post(base, "xml", phone="010-6512345")
    no_such_service = post(base, service_code="no_such_code")

    assert [a.status_code for a in (nowhere, elsewhere, too_long, bad_phone)] == [400] * 4
    assert errors(nowhere) == [
        {"code": 400, "description": "address_string: send lat and long, address_string or address_id"}
    ]
    assert errors(elsewhere)[0]["description"].startswith("attribute[street]: ")
    assert errors(too_long)[0]["description"].startswith("description: at most 2000 characters")
    assert errors(bad_phone)[0]["description"].startswith("phone: ")
    assert no_such_service.status_code == 404
    assert errors(no_such_service)[0]["description"].startswith("service_code no_such_code")


def test_a_range_of_more_than_90_days_is_400(base):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    params = {"start_date": start.isoformat(), "end_date": (start + timedelta(days=91)).isoformat()}

    too_long = requests.get(f"{base}/requests.json", params=params, timeout=30)
    in_xml = requests.get(f"{base}/requests.xml", params=params, timeout=30)
    no_zone = requests.get(f"{base}/requests.json", params={"start_date": "2026-01-01T00:00:00"}, timeout=30)
    ninety = requests.get(
        f"{base}/requests.json",
        params={**params, "end_date": (start + timedelta(days=90)).isoformat()},
        timeout=30,
    )

    assert (too_long.status_code, in_xml.status_code, no_zone.status_code) == (400, 400, 400)
    assert errors(too_long)[0]["description"].startswith("end_date: ")
    assert errors(in_xml)[0]["code"] == 400
    assert errors(no_zone)[0]["description"].startswith("start_date: ")
    assert ninety.status_code == 200


def test_the_list_filters_by_date_code_and_status_newest_first(base, client, xml_client, citizen):
    first = citizen.submit()
    second = citizen.submit(category="street_lighting", content="胡同里的路灯坏了好几天，晚上很黑")
    wait_until(lambda: client.get_service_request(second["id"])["agency_responsible"])
    created = datetime.fromisoformat(client.get_service_request(first["id"])["requested_datetime"])
    window = {
        "start_date": (created - timedelta(hours=1)).isoformat(),
        "end_date": (created + timedelta(days=30)).isoformat(),
    }

    everything = conforms("requests", client.get_service_requests(**window))
    garbage = client.get_service_requests(service_code="garbage_collection", status="open", **window)
    closed = client.get_service_requests(status="closed", **window)
    by_id = client.get_service_requests(service_request_id=f"{second['id']},{first['id']}", status="closed")
    in_xml = xml_client.get_service_requests(service_code="street_lighting", **window)

    ids = [r["service_request_id"] for r in everything]
    assert ids.index(second["id"]) < ids.index(first["id"])  # newest first
    assert [r["requested_datetime"] for r in everything] == sorted(
        (r["requested_datetime"] for r in everything), key=datetime.fromisoformat, reverse=True
    )
    assert first["id"] in [r["service_request_id"] for r in garbage]
    assert second["id"] not in [r["service_request_id"] for r in garbage]
    assert {first["id"], second["id"]}.isdisjoint(r["service_request_id"] for r in closed)
    assert [r["service_request_id"] for r in by_id] == [second["id"], first["id"]]  # the ids override
    in_xml = in_xml if isinstance(in_xml, list) else [in_xml]
    assert second["id"] in [r["service_request_id"] for r in in_xml]
    assert {r["service_code"] for r in in_xml} == {"street_lighting"}


def test_a_confidential_request_is_never_published(base, client, citizen):
    from_the_web = citizen.submit(confidential=True)
    from_an_app = post(base, **{"attribute[confidential]": "true"})
    assert from_an_app.status_code == 201, from_an_app.text
    app_id = from_an_app.json()[0]["service_request_id"]

    for order_id in (from_the_web["id"], app_id):
        assert requests.get(f"{base}/requests/{order_id}.json", timeout=30).status_code == 404
        assert requests.get(f"{base}/tokens/{order_id}.json", timeout=30).status_code == 404
    listed = client.get_service_requests(service_request_id=f"{from_the_web['id']},{app_id}")
    recent = [r["service_request_id"] for r in client.get_service_requests()]
    assert listed == []
    assert from_the_web["id"] not in recent and app_id not in recent


def test_the_request_closes_when_the_lifecycle_completes(base, client, unit):
    answer = post(base, description="方家胡同12号门口垃圾桶满了没人清运，味道很大")
    order_id = answer.json()[0]["service_request_id"]
    wait_until(lambda: client.get_service_request(order_id)["agency_responsible"])
    handler = unit()
    for action, body in (
        ("sign", {}),
        ("contact", {}),
        ("reply", {"result": "已安排清运，保洁员电话13900001111", "resolved_claim": True}),
    ):
        assert handler.act(order_id, action, **body).status == 200
    # 办结审核: the hotline's reviewer passes the reply before the requester sees it.
    assert unit("reviewer1").act(order_id, "review", decision="pass").status == 200
    replied = wait_until(
        lambda: (r := client.get_service_request(order_id))["status_notes"].startswith("回访") and r
    )
    operator = unit("operator1")

    closed = operator.act(order_id, "follow-up", resolved=True, satisfaction="satisfied")

    assert closed.status == 200, closed.body
    assert replied["status"] == "open"
    read = conforms("request", client.get_service_request(order_id))
    assert read["status"] == "closed"
    assert read["status_notes"] == "已办结"  # the reply is not published by default
    last = closed.json()["timeline"][-1]["at"]
    # The last event of its timeline, to the second.
    assert datetime.fromisoformat(read["updated_datetime"]) == datetime.fromisoformat(last).replace(
        microsecond=0
    )
    closed_list = client.get_service_requests(status="closed")
    assert order_id in [r["service_request_id"] for r in closed_list]


def test_an_administrator_issues_an_open311_key(base, unit):
    issued = unit("admin1").post("/open311/clients/city-app/keys")
    refused = unit("dispatcher1").post("/open311/clients/city-app/keys")
    bad_name = unit("admin1").post("/open311/clients/City_App!/keys")

    assert issued.status == 201, issued.body
    assert set(issued.json()) == {"key", "client", "created_at"}
    assert issued.json()["client"] == "city-app"
    assert (refused.status, bad_name.status) == (403, 400)
    assert bad_name.json()["error"]["details"][0]["field"] == "client"
    with_it = post(base, api_key=issued.json()["key"])
    assert with_it.status_code == 201, with_it.text


SPEC_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_generic_client_posts_the_specs_fields_only_and_reads_the_request_back(
    base, client, xml_client, unit, fmt
):
    fields = spec_only(address_string="北京市东城区安定门街道方家胡同")

    answer = post_from_a_client_of_its_own(f"{base}/requests.{fmt}", data=fields, timeout=30)

    assert answer.status_code == 201, answer.text
    if fmt == "json":
        order_id = answer.json()[0]["service_request_id"]
    else:
        order_id = xmltodict.parse(answer.content)["service_requests"]["request"]["service_request_id"]
    read = wait_until(lambda: (r := client.get_service_request(order_id))["agency_responsible"] and r)
    in_xml = xml_client.get_service_request(order_id)
    conforms("request", read)
    assert set(read) == set(in_xml) == SPEC_FIELDS
    assert (read["status"], read["service_code"], read["agency_responsible"], read["address"]) == (
        "open",
        "garbage_collection",
        "安定门街道",
        "东城区安定门街道",
    )
    assert (in_xml["service_request_id"], in_xml["address_id"], in_xml["agency_responsible"]) == (
        order_id,
        "110101004",
        "安定门街道",
    )
    as_staff_see_it = unit("operator1").order(order_id).json()
    assert as_staff_see_it["type"] == "complaint"  # read from the description
    assert as_staff_see_it["location"]["address"] == "北京市东城区安定门街道方家胡同"
    assert (as_staff_see_it["location"]["district"], as_staff_see_it["location"]["street"]) == (
        "110101",
        "110101004",
    )


@pytest.mark.parametrize(
    "place",
    [
        {"address_string": "东城区安定门街道"},
        {"address_string": "东城安定门方家胡同7号"},
        {"address_id": "110101004"},
    ],
)
def test_short_forms_and_division_codes_place_the_request(base, client, place):
    answer = post_from_a_client_of_its_own(f"{base}/requests.json", data=spec_only(**place), timeout=30)

    assert answer.status_code == 201, answer.text
    order_id = answer.json()[0]["service_request_id"]
    read = wait_until(lambda: (r := client.get_service_request(order_id))["agency_responsible"] and r)
    assert (read["agency_responsible"], read["address_id"]) == ("安定门街道", "110101004")


def test_a_place_no_one_can_read_waits_for_a_dispatcher_with_the_point_kept(base, client, unit):
    answer = post_from_a_client_of_its_own(
        f"{base}/requests.json",
        data=spec_only(lat="39.9489", long="116.4071", description="门口的路灯坏了好几天，晚上很黑"),
        timeout=30,
    )

    assert answer.status_code == 201, answer.text
    order_id = answer.json()[0]["service_request_id"]
    dispatcher = unit("dispatcher1")
    queued = dispatcher.get("/work-orders?status=received").json()["items"]
    assert order_id in [o["id"] for o in queued]
    order = dispatcher.order(order_id).json()
    assert order["status"] == "received"
    assert order["location"] == {
        "district": None,
        "street": None,
        "address": "",
        "lat": 39.9489,
        "lng": 116.4071,
    }
    published = client.get_service_request(order_id)
    assert (published["status"], published["address"], published["address_id"], published["lat"]) == (
        "open",
        None,
        None,
        None,
    )
    # The dispatcher places it by sending it to the street office.
    sent = dispatcher.act(order_id, "dispatch", units=["110101004"], reason="坐标位于安定门街道方家胡同")
    assert sent.status == 200, sent.body
    assert (sent.json()["status"], sent.json()["location"]["district"]) == ("dispatched", "110101")


def test_the_public_list_shows_no_requester_words_by_default(base, client):
    answer = post_from_a_client_of_its_own(
        f"{base}/requests.json",
        data=spec_only(description=PRIVATE, address_string="东城区安定门街道方家胡同12号3单元401"),
        timeout=30,
    )
    order_id = answer.json()[0]["service_request_id"]

    # What the list publishes of this request (other requests' numbers may hold any digits).
    listed = json.dumps(
        [r for r in client.get_service_requests() if r["service_request_id"] == order_id], ensure_ascii=False
    )
    by_id = client.get_service_requests(service_request_id=order_id)
    as_xml = requests.get(f"{base}/requests.xml", params={"service_request_id": order_id}, timeout=30).text

    assert order_id in listed
    as_xml = as_xml.replace(order_id, "")
    listed = listed.replace(order_id, "")
    for words in ("王小明", "方家胡同", "12号", "401", "垃圾桶满了"):
        assert words not in listed and words not in as_xml
    assert (by_id[0]["description"], by_id[0]["address"]) == (None, "东城区安定门街道")


def test_with_text_published_names_house_and_room_numbers_are_masked(base, client, api, publishing_text):
    answer = post_from_a_client_of_its_own(
        f"{base}/requests.json",
        data=spec_only(
            description=PRIVATE,
            address_string="东城区安定门街道方家胡同12号3单元401",
            lat="39.94893",
            long="116.40712",
        ),
        timeout=30,
    )
    order_id = answer.json()[0]["service_request_id"]

    [read] = client.get_service_requests(service_request_id=order_id)
    policy = api.get("/api/v1/public/publication").json()

    assert read["description"] == "我叫***，住在方家胡同**号*单元***，楼门口的垃圾桶满了好几天没人清运"
    assert read["address"] == "东城区安定门街道方家胡同**号*单元***"
    assert (read["lat"], read["long"]) == (39.949, 116.407)
    assert policy == {"place": "address", "text": True, "replies": True, "coordinates": True}


def test_the_publication_policy_is_public_and_the_default_publishes_no_words(api):
    answer = api.get("/api/v1/public/publication")

    assert answer.status == 200
    assert answer.json() == {"place": "street", "text": False, "replies": False, "coordinates": False}
