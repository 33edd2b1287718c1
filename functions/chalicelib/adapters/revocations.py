"""Staff token revocation records in the reference table, read by the authorizer through a short
per-container cache.

    revocation      pk=REVOKED                  sk=<username>, at=<epoch seconds, wall clock>

The moment is wall-clock time, never the demo clock: it is compared with the tokens' `iat`, which
Cognito writes in wall-clock seconds.

Why a cache, and why it is safe to keep between requests: the authorizer runs before every staff
request, and reading the table each time would add a DynamoDB round trip to all of them. What it
caches is only what the table said about one account, for at most `cache_seconds` (≤ 60): it never
holds anything a request wrote, nothing of one caller is shown to another, and a stale entry can
only let a token that was revoked less than `cache_seconds` ago through once more. The writer's own
container forgets its entry at once; the others read the new record when theirs expires. The cache
is bounded (`MAX_ENTRIES` accounts) and owned by this object, which the container builds once.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from ..domain.accounts import Revocations
from ..names import REVOCATION_PARTITION as PARTITION

MAX_ENTRIES = 2000


class DynamoRevocations(Revocations):
    def __init__(
        self,
        client: Any,
        table: str,
        cache_seconds: float,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._table = table
        self._cache_seconds = cache_seconds
        self._wall = wall
        self._monotonic = monotonic
        self._cache: OrderedDict[str, tuple[float, float | None]] = OrderedDict()

    def _key(self, username: str) -> dict[str, Any]:
        return {"pk": {"S": PARTITION}, "sk": {"S": username}}

    def revoke(self, username: str) -> datetime:
        at = self._wall()
        try:
            # Only ever moves forward: of two revocations racing, the later one stays.
            self._client.update_item(
                TableName=self._table,
                Key=self._key(username),
                UpdateExpression="SET #at = :at",
                ConditionExpression="attribute_not_exists(#at) OR #at < :at",
                ExpressionAttributeNames={"#at": "at"},
                ExpressionAttributeValues={":at": {"N": repr(at)}},
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
        self._cache.pop(username, None)
        return datetime.fromtimestamp(at, UTC)

    def revoked_at(self, username: str) -> datetime | None:
        seconds = self._seconds(username)
        return None if seconds is None else datetime.fromtimestamp(seconds, UTC)

    def _seconds(self, username: str) -> float | None:
        now = self._monotonic()
        cached = self._cache.get(username)
        if cached is not None and now - cached[0] < self._cache_seconds:
            return cached[1]
        item = self._client.get_item(TableName=self._table, Key=self._key(username)).get("Item")
        seconds = float(item["at"]["N"]) if item and "at" in item else None
        self._cache[username] = (now, seconds)
        self._cache.move_to_end(username)
        while len(self._cache) > MAX_ENTRIES:
            self._cache.popitem(last=False)
        return seconds
