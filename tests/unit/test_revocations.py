"""The authorizer's view of revocation records: read at most once per cache period per account, the
writer's own container sees its revocation at once, the cache stays bounded."""

from typing import Any

from chalicelib.adapters import revocations
from chalicelib.adapters.revocations import DynamoRevocations


class Table:
    """The reference table's REVOKED partition, counting reads."""

    def __init__(self) -> None:
        self.items: dict[str, float] = {}
        self.reads = 0

    def get_item(self, TableName: str, Key: dict[str, Any]) -> dict[str, Any]:
        self.reads += 1
        username = Key["sk"]["S"]
        return {"Item": {"at": {"N": repr(self.items[username])}}} if username in self.items else {}

    def update_item(self, **kwargs: Any) -> None:
        self.items[kwargs["Key"]["sk"]["S"]] = float(kwargs["ExpressionAttributeValues"][":at"]["N"])


class Clocks:
    def __init__(self) -> None:
        self.wall = 1_800_000_000.0
        self.mono = 100.0


def reader(table: Table, clocks: Clocks, seconds: float = 30) -> DynamoRevocations:
    return DynamoRevocations(
        table, "reference", seconds, wall=lambda: clocks.wall, monotonic=lambda: clocks.mono
    )


def test_another_containers_revocation_is_seen_once_the_cache_period_ends() -> None:
    table, clocks = Table(), Clocks()
    authorizer, admin = reader(table, clocks), reader(table, clocks)

    assert authorizer.revoked_at("ops.li") is None
    admin.revoke("ops.li")
    clocks.mono += 29
    still_cached = authorizer.revoked_at("ops.li")
    clocks.mono += 1
    seen = authorizer.revoked_at("ops.li")

    assert still_cached is None
    assert seen is not None and seen.timestamp() == clocks.wall
    assert table.reads == 2


def test_the_writers_own_container_sees_its_revocation_at_once() -> None:
    table, clocks = Table(), Clocks()
    same = reader(table, clocks)

    assert same.revoked_at("ops.li") is None
    same.revoke("ops.li")

    assert same.revoked_at("ops.li") is not None


def test_the_cache_holds_a_bounded_number_of_accounts(monkeypatch) -> None:
    monkeypatch.setattr(revocations, "MAX_ENTRIES", 3)
    table, clocks = Table(), Clocks()
    cached = reader(table, clocks)

    for name in ("a.one", "b.two", "c.three", "d.four"):
        cached.revoked_at(name)
    cached.revoked_at("a.one")  # forgotten: the oldest went when the fourth came

    assert table.reads == 5
