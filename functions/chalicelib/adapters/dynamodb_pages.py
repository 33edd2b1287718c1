"""What every DynamoDB adapter shares: the opaque cursors of a paged list, one query whose start
key may be refused, and telling a failed condition from other errors."""

from __future__ import annotations

import base64
import json
from typing import Any

from botocore.exceptions import ClientError

from ..domain.errors import FieldProblem, InvalidInput


def conditional_failed(error: ClientError) -> bool:
    return bool(error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException")


def transaction_cancelled(error: ClientError) -> bool:
    return bool(error.response.get("Error", {}).get("Code") == "TransactionCanceledException")


def encode_cursor(position: int, key: dict[str, Any] | None) -> str:
    raw = json.dumps({"p": position, "k": key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def bad_cursor() -> InvalidInput:
    return InvalidInput("The cursor is not valid.", [FieldProblem("cursor", "not a cursor of this list")])


def _is_key(key: Any) -> bool:
    """A DynamoDB key as a cursor carries it: a table's and an index's key attributes (at most four),
    each a string or a number."""
    return isinstance(key, dict) and 0 < len(key) <= 4 and all(_is_key_value(v) for v in key.values())


def _is_key_value(value: Any) -> bool:
    if not isinstance(value, dict) or len(value) != 1:
        return False
    text = value.get("S", value.get("N"))
    if not isinstance(text, str) or not 0 < len(text) <= 1024:
        return False
    if "S" in value:
        return True
    try:
        return len(text) <= 40 and abs(float(text)) < 1e38
    except ValueError:
        return False


def decode_cursor(cursor: str | None, partitions: int) -> tuple[int, dict[str, Any] | None]:
    if not cursor:
        return 0, None
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        position, key = int(raw["p"]), raw["k"]
        if not 0 <= position < partitions or not (key is None or _is_key(key)):
            raise ValueError("out of range")
    except (ValueError, KeyError, TypeError, OverflowError, RecursionError) as error:
        raise bad_cursor() from error
    return position, key


def query_page(client: Any, **kwargs: Any) -> dict[str, Any]:
    """One query; a start key DynamoDB refuses (a cursor of another list, or made up) is a 400."""
    try:
        return dict(client.query(**kwargs))
    except ClientError as error:
        if (
            "ExclusiveStartKey" in kwargs
            and error.response.get("Error", {}).get("Code") == "ValidationException"
        ):
            raise bad_cursor() from error
        raise
