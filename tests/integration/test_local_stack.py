"""The local stack is safe to leave running while browsing, and takes what any client sends: the
embedded AWS endpoint serves the app's own pages only what they need (sign-in, uploads), tokens
signed with moto's shipped key are refused, /dev/notifications is masked and for this machine only,
bursts of connections are all answered and a malformed Content-Length is a 400."""

import json
import socket
import threading
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from tests.conftest import wait_until

FOREIGN = "http://evil.example"


@pytest.fixture
def moto_url(local_stack) -> str:
    return str(local_stack.stack.moto_url)


@pytest.fixture
def app_origin(local_stack) -> str:
    return str(local_stack.url)


def cognito(moto_url: str, target: str, body: dict[str, Any], **headers: str) -> requests.Response:
    return requests.post(
        f"{moto_url}/",
        data=json.dumps(body),
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": f"AWSCognitoIdentityProviderService.{target}",
            **headers,
        },
        timeout=10,
    )


def sign_in_body(local_stack, username: str = "operator1") -> dict[str, Any]:
    from chalicelib import names

    from infra.local.stack import DEMO_PASSWORD

    return {
        "ClientId": local_stack.stack.outputs[names.ENV_USER_POOL_CLIENT_ID],
        "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": username, "PASSWORD": DEMO_PASSWORD},
    }


# --- the embedded AWS endpoint ---------------------------------------------------------------------


def test_a_foreign_page_cannot_use_the_aws_endpoint(local_stack, moto_url):
    from chalicelib import names

    preflight = requests.options(
        f"{moto_url}/",
        headers={
            "Origin": FOREIGN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-amz-target",
        },
        timeout=10,
    )
    sign_in = cognito(moto_url, "InitiateAuth", sign_in_body(local_stack), Origin=FOREIGN)
    scan = requests.post(
        f"{moto_url}/",
        data=json.dumps({"TableName": names.WORK_ORDERS_TABLE.local_name}),
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "DynamoDB_20120810.Scan",
            "Origin": FOREIGN,
        },
        timeout=10,
    )
    by_referrer = requests.get(
        f"{moto_url}/{names.ANALYTICS_BUCKET_LOCAL}",
        headers={"Sec-Fetch-Site": "cross-site", "Referer": f"{FOREIGN}/page"},
        timeout=10,
    )

    for answer in (preflight, sign_in, scan, by_referrer):
        assert answer.status_code == 403, answer.text
        assert "access-control-allow-origin" not in answer.headers
        assert "TableDescription" not in answer.text and "Items" not in answer.text


def test_the_apps_own_pages_may_sign_in_and_nothing_more(local_stack, moto_url, app_origin):
    from chalicelib import names

    preflight = requests.options(
        f"{moto_url}/",
        headers={
            "Origin": app_origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-amz-target",
        },
        timeout=10,
    )
    sign_in = cognito(moto_url, "InitiateAuth", sign_in_body(local_stack), Origin=app_origin)
    pool = local_stack.stack.outputs[names.ENV_USER_POOL_ID]
    make_admin = cognito(
        moto_url,
        "AdminAddUserToGroup",
        {"UserPoolId": pool, "Username": "operator1", "GroupName": "admin"},
        Origin=app_origin,
    )
    scan = requests.post(
        f"{moto_url}/",
        data=json.dumps({"TableName": names.WORK_ORDERS_TABLE.local_name}),
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "DynamoDB_20120810.Scan",
            "Origin": app_origin,
        },
        timeout=10,
    )

    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == app_origin
    assert "x-amz-target" in preflight.headers["access-control-allow-headers"]
    assert sign_in.status_code == 200, sign_in.text
    assert sign_in.headers["access-control-allow-origin"] == app_origin
    assert sign_in.json()["AuthenticationResult"]["IdToken"]
    assert (make_admin.status_code, scan.status_code) == (403, 403)
    groups = local_stack.stack.client("cognito-idp").admin_list_groups_for_user(
        UserPoolId=pool, Username="operator1"
    )["Groups"]
    assert [g["GroupName"] for g in groups] == ["operator"]


def test_the_apps_pages_may_upload_to_the_attachments_bucket_only(moto_url, app_origin):
    from chalicelib import names

    def preflight(path: str) -> requests.Response:
        return requests.options(
            f"{moto_url}{path}",
            headers={"Origin": app_origin, "Access-Control-Request-Method": "POST"},
            timeout=10,
        )

    attachments = preflight(f"/{names.ATTACHMENTS_BUCKET_LOCAL}")
    analytics = preflight(f"/{names.ANALYTICS_BUCKET_LOCAL}")

    assert attachments.status_code == 204
    assert attachments.headers["access-control-allow-origin"] == app_origin
    assert analytics.status_code == 403


def test_moto_api_is_out_of_reach_of_web_pages(moto_url, app_origin):
    reset = requests.post(f"{moto_url}/moto-api/reset", headers={"Origin": app_origin}, timeout=10)
    dashboard = requests.get(
        f"{moto_url}/moto-api/",
        headers={"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"},
        timeout=10,
    )
    rebound = requests.get(f"{moto_url}/moto-api/", headers={"Host": "evil.example"}, timeout=10)

    assert (reset.status_code, dashboard.status_code, rebound.status_code) == (403, 403, 403)


def test_the_app_itself_still_uses_the_endpoint(local_stack):
    """boto3 (the app in this process) sends no browser headers: everything works for it."""
    from chalicelib import names

    tables = local_stack.stack.client("dynamodb").list_tables()["TableNames"]

    assert names.WORK_ORDERS_TABLE.local_name in tables


# --- tokens --------------------------------------------------------------------------------------


def test_a_token_signed_with_motos_shipped_key_is_refused(local_stack, api, id_token):
    """Anyone can read moto's private key in its package: a token for admin1 made with it is
    worth nothing here, while the user pool's own tokens still work."""
    import time

    from chalicelib import names
    from joserfc import jwk, jwt
    from moto.utilities.utils import load_resource

    shipped = jwk.RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))
    now = int(time.time())
    claims = {
        "iss": local_stack.stack.outputs[names.ENV_COGNITO_ISSUER],
        "aud": local_stack.stack.outputs[names.ENV_USER_POOL_CLIENT_ID],
        "sub": "00000000-0000-0000-0000-000000000000",
        "token_use": "id",
        "cognito:username": "admin1",
        "cognito:groups": ["admin"],
        "iat": now,
        "auth_time": now,
        "exp": now + 3600,
    }
    forged = jwt.encode({"kid": "dummy", "alg": "RS256"}, claims, shipped)

    refused = api.get("/api/v1/staff/users", headers={"authorization": f"Bearer {forged}"})
    real = api.get("/api/v1/staff/me", headers={"authorization": f"Bearer {id_token('admin1')}"})

    assert refused.status == 401
    assert real.status == 200


def test_every_change_of_an_order_reaches_the_analytics_facts(local_stack, citizen, unit):
    """moto numbers a stream's records from the shard's start again once it has handed them over;
    the facts export names its objects by those numbers, so without the patch a later batch
    overwrote an earlier one's object and its changes were lost to the monthly run."""
    from chalicelib import names

    handler = unit()
    receipt = citizen.submit()
    wait_until(lambda: handler.order(receipt["id"]).json().get("status") == "dispatched")
    wait_until(lambda: handler.act(receipt["id"], "sign").status == 200)
    latest = handler.order(receipt["id"]).json()["version"]
    s3, bucket = local_stack.stack.client("s3"), names.ANALYTICS_BUCKET_LOCAL

    def versions() -> set[int]:
        found: set[int] = set()
        for page in s3.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, Prefix=names.ORDER_CHANGES.prefix
        ):
            for item in page.get("Contents", []):
                lines = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read().decode().splitlines()
                found |= {r["version"] for line in lines if (r := json.loads(line))["id"] == receipt["id"]}
        return found

    assert wait_until(lambda: versions() >= set(range(1, latest + 1)))


def test_writes_at_once_give_each_stream_record_its_own_number_and_hand_it_over_once(monkeypatch):
    """Two consumers, eight writers at once and a consumer that takes a few milliseconds, as a
    Lambda does: stock moto gave two records one number and handed a record over again inside
    a later batch, so a facts object could overwrite another's."""
    import time

    from moto.awslambda.models import LambdaBackend
    from moto.dynamodb.models.table import Table

    from infra.local import moto_patches

    moto_patches.install()
    consumers = [f"arn:aws:lambda:us-east-1:123456789012:function:{name}" for name in ("notices", "facts")]
    delivered: dict[str, list[str]] = {arn: [] for arn in consumers}
    guard = threading.Lock()

    def consume(self, function_arn, items, source):
        time.sleep(0.003)
        with guard:
            delivered[function_arn].extend(i.to_json()["dynamodb"]["SequenceNumber"] for i in items)
        return "{}"

    monkeypatch.setattr(LambdaBackend, "send_dynamodb_items", consume)
    # The table alone, outside any backend: mock_aws here would reset the running stack's backends.
    table = Table(
        "orders",
        account_id="123456789012",
        region="us-east-1",
        schema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        attr=[{"AttributeName": "pk", "AttributeType": "S"}],
        streams={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    for consumer in consumers:
        table.lambda_event_source_mappings[consumer] = type("Mapping", (), {"event_source_arn": "s"})

    def write(writer: int) -> None:
        for n in range(25):
            table.put_item({"pk": {"S": f"{writer}-{n}"}})

    writers = [threading.Thread(target=write, args=(w,)) for w in range(8)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()

    for numbers in delivered.values():
        assert len(numbers) == 200 and len(set(numbers)) == 200


def test_a_failed_transaction_undoes_its_own_writes_and_nobody_elses():
    """A transaction copies its tables to put them back if it fails: writes in other threads at
    that moment made the copy fail with a 500, or were undone with it."""
    from moto.dynamodb.exceptions import TransactionCanceledException
    from moto.dynamodb.models import DynamoDBBackend

    from infra.local import moto_patches

    moto_patches.install()
    # The backend alone, outside any mock: mock_aws here would reset the running stack's backends.
    backend = DynamoDBBackend("us-east-1", "123456789012")
    backend.create_table(
        "orders",
        schema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        throughput=None,
        attr=[{"AttributeName": "pk", "AttributeType": "S"}],
        global_indexes=None,
        indexes=None,
        streams=None,
        billing_mode="PAY_PER_REQUEST",
        sse_specification=None,
        tags=[],
        deletion_protection_enabled=False,
        warm_throughput=None,
    )
    for n in range(2000):  # a table big enough that copying it takes a while
        backend.put_item("orders", {"pk": {"S": f"old-{n}"}, "text": {"S": "x" * 200}})
    failures: list[BaseException] = []

    def transact() -> None:
        for n in range(10):
            conflicting = {"TableName": "orders", "Item": {"pk": {"S": f"tx-{n}"}}}
            impossible = {
                **conflicting,
                "Item": {"pk": {"S": "old-0"}},
                "ConditionExpression": "attribute_not_exists(pk)",
            }
            try:
                backend.transact_write_items([{"Put": conflicting}, {"Put": impossible}])
            except TransactionCanceledException:
                pass
            except BaseException as error:
                failures.append(error)

    def write(writer: int) -> None:
        for n in range(100):
            backend.put_item("orders", {"pk": {"S": f"new-{writer}-{n}"}})

    writers = [threading.Thread(target=write, args=(w,)) for w in range(3)]
    threads = [threading.Thread(target=transact), *writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    stored = {item.hash_key.value for item in backend.get_table("orders").all_items()}
    assert failures == []
    assert {f"new-{w}-{n}" for w in range(3) for n in range(100)} <= stored
    assert not any(key.startswith("tx-") for key in stored)


# --- /dev/notifications --------------------------------------------------------------------------


def test_dev_notifications_mask_phone_numbers(citizen, local_stack):
    receipt = citizen.submit(requester={"phone": "13812345678"})

    listed = wait_until(
        lambda: [
            i
            for i in requests.get(f"{local_stack.url}/dev/notifications.json", timeout=5).json()["items"]
            if i["kind"] == "sms" and receipt["id"] in i["message"]
        ]
    )
    page = requests.get(f"{local_stack.url}/dev/notifications", timeout=5).text

    assert [i["to"] for i in listed] == ["+86138****5678"] * len(listed)
    everything = json.dumps(requests.get(f"{local_stack.url}/dev/notifications.json", timeout=5).json())
    assert "13812345678" not in everything and "13812345678" not in page


def test_dev_notifications_are_for_this_machine_only(local_stack):
    address = f"{local_stack.url}/dev/notifications.json"
    other_host = requests.get(address, headers={"Host": "evil.example"}, timeout=5)
    other_site = requests.get(address, headers={"Sec-Fetch-Site": "cross-site"}, timeout=5)
    here = requests.get(address, timeout=5)

    assert other_host.status_code == 404 and "items" not in other_host.text
    assert other_site.status_code == 403 and "items" not in other_site.text
    assert here.status_code == 200


# --- the local server ----------------------------------------------------------------------------


def _raw(local_stack, request: bytes) -> bytes:
    where = urlsplit(local_stack.url)
    with socket.create_connection((where.hostname, where.port), timeout=10) as conn:
        conn.sendall(request)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
        return answer


def test_a_malformed_content_length_is_a_400_naming_it(local_stack):
    answer = _raw(
        local_stack,
        b"POST /api/v1/public/requests HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Content-Length: abc\r\nConnection: close\r\n\r\n{}",
    )

    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), head
    error = json.loads(body)["error"]
    assert error["code"] == "invalid_input"
    assert error["details"][0]["field"] == "Content-Length"


def test_a_burst_of_twenty_connections_is_answered_in_full(local_stack):
    """Twenty clients connect at the same moment: every one is let in at once (a full listen queue
    drops the handshake, which a client sees as a second's wait or a reset) and gets its answer."""
    where = urlsplit(local_stack.url)
    ready = threading.Barrier(20)
    answers: list[bytes] = []
    failures: list[BaseException] = []

    def client() -> None:
        try:
            ready.wait(timeout=10)
            with socket.create_connection((where.hostname, where.port), timeout=0.9) as conn:
                conn.settimeout(10)
                conn.sendall(b"GET /config.json HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                answer = b""
                while chunk := conn.recv(65536):
                    answer += chunk
                answers.append(answer)
        except OSError as error:  # a reset or a timed-out handshake is what this test is about
            failures.append(error)

    threads = [threading.Thread(target=client) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    assert len(answers) == 20
    assert all(a.startswith(b"HTTP/1.1 200") for a in answers)
