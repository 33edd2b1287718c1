"""The machine keys of partners and Open311 clients, in the reference table by the key's hash."""

from __future__ import annotations

from datetime import datetime

from botocore.exceptions import ClientError

from ..domain.errors import Conflict
from ..domain.partners import ApiClient, ApiClients
from .dynamodb_documents import ReferenceTable
from .dynamodb_pages import conditional_failed


class DynamoApiClients(ReferenceTable, ApiClients):
    def api_client(self, key_hash: str) -> ApiClient | None:
        doc = self._doc("API_KEY", key_hash)
        return ApiClient.model_validate(doc) if doc else None

    def put_api_client(self, client: ApiClient) -> None:
        self._client.put_item(
            TableName=self._table,
            Item={
                "pk": {"S": "API_KEY"},
                "sk": {"S": client.key_hash},
                "doc": {"S": client.model_dump_json()},
            },
            ConditionExpression="attribute_not_exists(pk)",
        )
        self._cache.pop(("API_KEY", client.key_hash), None)

    def api_clients(self, limit: int, cursor: str | None) -> tuple[list[ApiClient], str | None]:
        docs, after = self._page("API_KEY", limit, cursor)
        return [ApiClient.model_validate(d) for d in docs], after

    def revoke_api_client(self, key_id: str, at: datetime, by: str) -> ApiClient | None:
        found = self._client.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :id)",
            ExpressionAttributeValues={":pk": {"S": "API_KEY"}, ":id": {"S": key_id}},
            ConsistentRead=True,
        ).get("Items", [])
        if len(found) != 1:
            return None
        client = ApiClient.model_validate_json(found[0]["doc"]["S"])
        if client.revoked_at is not None:
            raise Conflict("The key is revoked already.", "revoked")
        revoked = client.model_copy(update={"revoked_at": at, "revoked_by": by})
        try:
            self._client.put_item(
                TableName=self._table,
                Item={
                    **found[0],
                    "doc": {"S": revoked.model_dump_json()},
                    "revoked_at": {"S": at.isoformat()},
                },
                ConditionExpression="attribute_exists(pk) AND attribute_not_exists(revoked_at)",
            )
        except ClientError as error:
            if conditional_failed(error):
                raise Conflict("The key is revoked already.", "revoked") from error
            raise
        self._cache.pop(("API_KEY", client.key_hash), None)
        return revoked
