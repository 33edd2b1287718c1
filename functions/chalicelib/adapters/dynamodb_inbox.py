"""The staff message centre in DynamoDB, a table of its own (names.MESSAGES_TABLE):

    message     pk=AUDIENCE#<audience>   sk=<at, UTC>#<id>  the notice (TTL: domain.inbox.KEPT)
    seen        pk=SEEN#<audience>#<id>  sk=SEEN            one per notice: a retried one is kept once
    read marks  pk=USER#<username>       sk=READ            read_ids (a set), read_to (all read to then)
    preference  pk=USER#<username>       sk=PREFERENCE      the channels chosen, its version
    subscriber  pk=PREFER#<audience>     sk=<username>      a copy per audience, for the notifier

Access patterns: a member's messages, newest first (one Query per audience, merged; at most four
audiences), the unread count (the same Queries, ids only, after the read-to mark), the channels
of an audience's members (one Query). No Scan."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from ..domain.errors import StaleVersion
from ..domain.inbox import COUNTED, Message, Messages, MessageView, SavedPreference
from .dynamodb_pages import bad_cursor, conditional_failed, transaction_cancelled


def _at(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _preference_item(pk: str, sk: str, p: SavedPreference) -> dict[str, Any]:
    return {
        "pk": {"S": pk},
        "sk": {"S": sk},
        "doc": {"S": p.model_dump_json()},
        "version": {"N": str(p.version)},
    }


class DynamoMessages(Messages):
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def post(self, message: Message, expires: datetime) -> bool:
        ttl = {"N": str(int(expires.timestamp()))}
        item = {
            "pk": {"S": f"AUDIENCE#{message.audience}"},
            "sk": {"S": f"{_at(message.at)}#{message.id}"},
            "doc": {"S": message.model_dump_json()},
            "expires_at": ttl,
        }
        seen = {"pk": {"S": f"SEEN#{message.audience}#{message.id}"}, "sk": {"S": "SEEN"}, "expires_at": ttl}
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": seen,
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {"Put": {"TableName": self._table, "Item": item}},
                ]
            )
        except ClientError as error:
            if transaction_cancelled(error):
                return False
            raise
        return True

    def _marks(self, username: str) -> tuple[set[str], str]:
        got = self._client.get_item(
            TableName=self._table,
            Key={"pk": {"S": f"USER#{username}"}, "sk": {"S": "READ"}},
            ConsistentRead=True,
        ).get("Item")
        if not got:
            return set(), ""
        return set(got.get("read_ids", {}).get("SS", [])), got.get("read_to", {}).get("S", "")

    def _query(
        self, audience: str, after: str, before: str | None, limit: int, ids_only: bool
    ) -> list[dict[str, Any]]:
        if before is not None and before <= after:
            return []
        values: dict[str, Any] = {":pk": {"S": f"AUDIENCE#{audience}"}, ":after": {"S": after}}
        condition = "pk = :pk AND sk > :after"
        if before:
            condition = "pk = :pk AND sk BETWEEN :after AND :before"
            values[":before"] = {"S": before}
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if ids_only:
            kwargs["ProjectionExpression"] = "sk"
        items = self._client.query(**kwargs).get("Items", [])
        # BETWEEN includes its ends: the cursor's own message was on the page before.
        return [i for i in items if i["sk"]["S"] != before]

    def page(
        self, username: str, audiences: list[str], limit: int, cursor: str | None, since: datetime
    ) -> tuple[list[MessageView], str | None]:
        before = self._cursor(cursor)
        found = sorted(
            (i for a in audiences for i in self._query(a, _at(since), before, limit + 1, False)),
            key=lambda i: i["sk"]["S"],
            reverse=True,
        )
        read, read_to = self._marks(username)
        page = found[:limit]
        views = []
        for item in page:
            message = Message.model_validate_json(item["doc"]["S"])
            done = message.id in read or item["sk"]["S"] <= read_to
            views.append(MessageView(**message.model_dump(), read=done))
        more = len(found) > limit
        return views, (self._encode(page[-1]["sk"]["S"]) if more and page else None)

    def unread(self, username: str, audiences: list[str], since: datetime) -> int:
        read, read_to = self._marks(username)
        after = max(_at(since), read_to)
        count = 0
        for audience in audiences:
            items = self._query(audience, after, None, COUNTED + 1 + len(read), True)
            count += sum(1 for i in items if i["sk"]["S"].rpartition("#")[2] not in read)
        return min(count, COUNTED + 1)

    def mark_read(self, username: str, ids: list[str], up_to: datetime | None) -> None:
        key = {"pk": {"S": f"USER#{username}"}, "sk": {"S": "READ"}}
        if ids:
            # A set union: two tabs marking at once both count, in either order.
            self._client.update_item(
                TableName=self._table,
                Key=key,
                UpdateExpression="ADD read_ids :ids",
                ExpressionAttributeValues={":ids": {"SS": sorted(set(ids))}},
            )
        if up_to is not None:
            # Forward only: an older "all read" arriving late leaves a newer mark as it is. The ids
            # read before the mark are covered by it and dropped, so the set stays small.
            try:
                self._client.update_item(
                    TableName=self._table,
                    Key=key,
                    UpdateExpression="SET read_to = :to REMOVE read_ids",
                    ConditionExpression="attribute_not_exists(read_to) OR read_to < :to",
                    ExpressionAttributeValues={":to": {"S": f"{_at(up_to)}#~"}},
                )
            except ClientError as error:
                if not conditional_failed(error):
                    raise

    def preference(self, username: str) -> SavedPreference | None:
        got = self._client.get_item(
            TableName=self._table,
            Key={"pk": {"S": f"USER#{username}"}, "sk": {"S": "PREFERENCE"}},
            ConsistentRead=True,
        ).get("Item")
        return SavedPreference.model_validate_json(got["doc"]["S"]) if got else None

    def save_preference(self, preference: SavedPreference, previous: SavedPreference | None) -> None:
        user = preference.username
        own: dict[str, Any] = {
            "TableName": self._table,
            "Item": _preference_item(f"USER#{user}", "PREFERENCE", preference),
        }
        if previous is None:
            own["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            own["ConditionExpression"] = "version = :v"
            own["ExpressionAttributeValues"] = {":v": {"N": str(previous.version)}}
        writes: list[dict[str, Any]] = [{"Put": own}]
        writes += [
            {"Put": {"TableName": self._table, "Item": _preference_item(f"PREFER#{a}", user, preference)}}
            for a in preference.audiences
        ]
        gone = set(previous.audiences if previous else []) - set(preference.audiences)
        writes += [
            {"Delete": {"TableName": self._table, "Key": {"pk": {"S": f"PREFER#{a}"}, "sk": {"S": user}}}}
            for a in sorted(gone)
        ]
        try:
            self._client.transact_write_items(TransactItems=writes)
        except ClientError as error:
            if transaction_cancelled(error):
                raise StaleVersion("Your notice settings") from error
            raise

    def subscribers(self, audience: str) -> list[SavedPreference]:
        found: list[SavedPreference] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": f"PREFER#{audience}"}},
        }
        while True:
            got = self._client.query(**kwargs)
            found += [SavedPreference.model_validate_json(i["doc"]["S"]) for i in got.get("Items", [])]
            if not got.get("LastEvaluatedKey"):
                break
            kwargs["ExclusiveStartKey"] = got["LastEvaluatedKey"]
        return [p for p in found if p.sms or p.email]

    @staticmethod
    def _encode(sk: str) -> str:
        return base64.urlsafe_b64encode(json.dumps({"before": sk}).encode("utf-8")).decode("ascii")

    @staticmethod
    def _cursor(cursor: str | None) -> str | None:
        if not cursor:
            return None
        try:
            before = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))["before"]
        except (ValueError, KeyError, TypeError, UnicodeError) as error:
            raise bad_cursor() from error
        if not isinstance(before, str) or len(before) > 100:
            raise bad_cursor()
        return before
