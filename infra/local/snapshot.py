"""What `make run` keeps between runs: the tables, the buckets' objects, the staff accounts and the
demo clock, written to a directory when the stack stops and put back when it starts.

    <data dir>/snapshot/
        meta.json         format, when it was written, the demo clock's time then
        tables.json       every item of every table (DynamoDB's own JSON; binary values base64)
        users.json        the staff accounts: attributes, groups, enabled, status, password
        objects.json      every object's bucket, key, content type and metadata, and its file
        objects/<sha256>  the objects' bytes, named by the hash of bucket and key

`make run` keeps it in `.local-data/` in the repository (git-ignored) unless JIESU_LOCAL_DATA
names another directory; `make reset` deletes it. `python -m infra.local` without `--data-dir` or
JIESU_LOCAL_DATA keeps nothing (the browser tests start a new stack per module). A snapshot is
written to a new directory and swapped in whole, so a stop that fails half-way leaves the previous
one.

What is not kept: the SMS and notices of /dev/notifications, moto's workflow histories (each open
order's workflow is started again, see `restart_workflows`), and sessions: the user pool is new
and tokens are signed with a new key, so staff sign in again.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from chalicelib import names


class Stack(Protocol):
    """What a snapshot needs of the local stack (infra/local/stack.py): its clients, its region and
    the outputs naming the user pool."""

    region: str
    outputs: dict[str, str]

    def client(self, service: str) -> Any: ...


FORMAT = 1
DATA_ENV = "JIESU_LOCAL_DATA"
SNAPSHOT = "snapshot"
# Attributes Cognito sets itself: a restored account gets new ones.
COGNITO_OWN_ATTRIBUTES = frozenset({"sub"})


def data_dir() -> Path | None:
    """Where `python -m infra.local` keeps its data: $JIESU_LOCAL_DATA, or nowhere (a new stack
    each start, as the tests want); `make run` passes .local-data/."""
    found = os.environ.get(DATA_ENV)
    return Path(found) if found else None


@dataclass(frozen=True)
class Snapshot:
    tables: dict[str, list[dict[str, Any]]]
    users: list[dict[str, Any]]
    objects: list[dict[str, Any]]
    demo_now: datetime | None
    root: Path

    def body(self, entry: dict[str, Any]) -> bytes:
        return (self.root / "objects" / entry["file"]).read_bytes()


# --- DynamoDB JSON with bytes ----------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """An attribute value as JSON can hold it (B and BS base64)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return {"__base64__": base64.b64encode(value).decode()}
    return value


def _wire(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__base64__"}:
            return base64.b64decode(value["__base64__"])
        return {k: _wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wire(v) for v in value]
    return value


# --- writing -------------------------------------------------------------------------------------


def _items(stack: Stack, table: str) -> Iterator[dict[str, Any]]:
    ddb = stack.client("dynamodb")
    kwargs: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
    while True:
        page = ddb.scan(**kwargs)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _buckets() -> tuple[str, ...]:
    return (names.ATTACHMENTS_BUCKET_LOCAL, names.ANALYTICS_BUCKET_LOCAL)


def _users(stack: Stack) -> list[dict[str, Any]]:
    """The pool's accounts, with what the API does not show (the password) from moto's own model."""
    from moto.cognitoidp.models import cognitoidp_backends

    pool_id = stack.outputs[names.ENV_USER_POOL_ID]
    pool = cognitoidp_backends[names.LOCAL_ACCOUNT][stack.region].user_pools[pool_id]
    idp = stack.client("cognito-idp")
    found = []
    for username, user in list(pool.users.items()):
        groups = idp.admin_list_groups_for_user(UserPoolId=pool_id, Username=username, Limit=60)["Groups"]
        found.append(
            {
                "username": username,
                "attributes": [a for a in user.attributes if a["Name"] not in COGNITO_OWN_ATTRIBUTES],
                "groups": sorted(g["GroupName"] for g in groups),
                "enabled": bool(user.enabled),
                "status": str(getattr(user.status, "value", user.status)),
                "password": user.password,
            }
        )
    return found


def save(stack: Stack, directory: Path, demo_now: datetime | None) -> Path:
    """Write the stack's data under `directory`/snapshot, replacing the previous snapshot whole."""
    directory.mkdir(parents=True, exist_ok=True)
    fresh = directory / f"{SNAPSHOT}.writing"
    shutil.rmtree(fresh, ignore_errors=True)
    (fresh / "objects").mkdir(parents=True)
    tables = {
        spec.local_name: [_plain(item) for item in _items(stack, spec.local_name)] for spec in names.TABLES
    }
    s3 = stack.client("s3")
    objects = []
    for bucket in _buckets():
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for listed in page.get("Contents", []):
                key = listed["Key"]
                got = s3.get_object(Bucket=bucket, Key=key)
                file = hashlib.sha256(f"{bucket}/{key}".encode()).hexdigest()
                (fresh / "objects" / file).write_bytes(got["Body"].read())
                objects.append(
                    {
                        "bucket": bucket,
                        "key": key,
                        "file": file,
                        "content_type": got.get("ContentType") or "binary/octet-stream",
                        "metadata": got.get("Metadata") or {},
                    }
                )
    meta = {
        "format": FORMAT,
        "written_at": datetime.now(UTC).isoformat(),
        "demo_now": demo_now.isoformat() if demo_now else None,
    }
    for name, content in (
        ("meta.json", meta),
        ("tables.json", tables),
        ("users.json", _users(stack)),
        ("objects.json", objects),
    ):
        (fresh / name).write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    target = directory / SNAPSHOT
    previous = directory / f"{SNAPSHOT}.previous"
    shutil.rmtree(previous, ignore_errors=True)
    if target.exists():
        target.rename(previous)
    fresh.rename(target)
    shutil.rmtree(previous, ignore_errors=True)
    return target


# --- reading -------------------------------------------------------------------------------------


def load(directory: Path) -> Snapshot | None:
    root = directory / SNAPSHOT
    if not (root / "meta.json").exists():
        return None
    meta = json.loads((root / "meta.json").read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT:
        raise RuntimeError(f"{root} was written by another version of the local stack: `make reset`.")

    def read(name: str) -> Any:
        return json.loads((root / name).read_text(encoding="utf-8"))

    return Snapshot(
        tables={name: [_wire(item) for item in items] for name, items in read("tables.json").items()},
        users=read("users.json"),
        objects=read("objects.json"),
        demo_now=datetime.fromisoformat(meta["demo_now"]) if meta.get("demo_now") else None,
        root=root,
    )


def restore_tables(stack: Stack, snapshot: Snapshot) -> int:
    """Put every item back (before the stream consumer is wired: a restore is not news)."""
    ddb = stack.client("dynamodb")
    count = 0
    for table, items in snapshot.tables.items():
        for start in range(0, len(items), 25):
            pending: dict[str, Any] = {
                table: [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
            }
            while pending:
                pending = ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
        count += len(items)
    return count


def restore_objects(stack: Stack, snapshot: Snapshot) -> int:
    s3 = stack.client("s3")
    for entry in snapshot.objects:
        s3.put_object(
            Bucket=entry["bucket"],
            Key=entry["key"],
            Body=snapshot.body(entry),
            ContentType=entry["content_type"],
            Metadata=entry["metadata"],
        )
    return len(snapshot.objects)


def restore_users(stack: Stack, snapshot: Snapshot) -> int:
    """The accounts as they were: a temporary password is still to be changed, a disabled account
    stays disabled."""
    idp = stack.client("cognito-idp")
    pool_id = stack.outputs[names.ENV_USER_POOL_ID]
    for user in snapshot.users:
        confirmed = user["status"] == "CONFIRMED"
        idp.admin_create_user(
            UserPoolId=pool_id,
            Username=user["username"],
            UserAttributes=user["attributes"],
            MessageAction="SUPPRESS",
            **({} if confirmed or not user["password"] else {"TemporaryPassword": user["password"]}),
        )
        if confirmed and user["password"]:
            idp.admin_set_user_password(
                UserPoolId=pool_id, Username=user["username"], Password=user["password"], Permanent=True
            )
        for group in user["groups"]:
            idp.admin_add_user_to_group(UserPoolId=pool_id, Username=user["username"], GroupName=group)
        if not user["enabled"]:
            idp.admin_disable_user(UserPoolId=pool_id, Username=user["username"])
    return len(snapshot.users)


def restart_workflows(snapshot: Snapshot) -> int:
    """Start the workflow of every open order again, through the start the intake uses (the
    execution's name makes it idempotent); then the reconciler's pass (domain/reconcile.py).

    moto's executions did not survive the restart: a parked order waits on a token nobody holds.
    A new run dispatches what is still to dispatch, parks again and watches the deadlines."""
    from chalicelib.domain.model import Status, WorkOrder
    from chalicelib.domain.reconcile import reconcile
    from chalicelib.wiring import deps

    d = deps()
    started = 0
    for item in snapshot.tables.get(names.WORK_ORDERS_TABLE.local_name, []):
        if item.get("sk", {}).get("S") != "ORDER":
            continue
        order = WorkOrder.model_validate_json(item["doc"]["S"])
        if order.status in (Status.CLOSED, Status.MERGED):
            continue
        d.workflows.start(order.id, order.reinstated)
        started += 1
    reconcile(orders=d.orders, workflows=d.workflows, clock=d.clock)
    return started


def resumed_epoch(demo_now: datetime, time_scale: float, wall: datetime) -> datetime:
    """The demo clock's epoch that makes it read `demo_now` (or wall time, if later) at `wall` and
    run on at `time_scale`: demo = epoch + (wall - epoch) x scale, solved for epoch."""
    target = max(demo_now, wall)
    return wall - (target - wall) / (time_scale - 1)
