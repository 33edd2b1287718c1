"""The analytics adapters: facts to S3, query results from Athena, insights in DynamoDB."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ..domain.errors import StaleVersion
from ..domain.facts import FactsSink
from ..domain.insights_store import Insights, QueryResults

if TYPE_CHECKING:
    from ..domain.assessment import Assessment
    from ..domain.insights import Candidate, CategoryMonth, Hotspot, MonthRun, Recurrence, StreetVolume, Topic
    from ..domain.model import UnitKind


class AnalyticsRuns:
    """Starts the analytics machines on request: the portal's "run now", `make topics`."""

    def __init__(self, client: Any, monthly_arn: str, daily_arn: str) -> None:
        self._client = client
        self._monthly = monthly_arn
        self._daily = daily_arn

    def start_month(self, month: str, requested_by: str, at: str, retrain: bool = False) -> str:
        name = f"month-{month}-{requested_by}-{at}"[:80]
        started = self._client.start_execution(
            stateMachineArn=self._monthly, name=name, input=json.dumps({"month": month, "retrain": retrain})
        )
        return str(started["executionArn"])

    def start_days(self, first: str, last: str, name: str) -> str:
        started = self._client.start_execution(
            stateMachineArn=self._daily, name=name[:80], input=json.dumps({"from": first, "to": last})
        )
        return str(started["executionArn"])


class S3Facts(FactsSink):
    """One object per stream batch and day: appends never overwrite, duplicates are harmless (the
    daily compaction merges only each order's latest version into the facts)."""

    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def append(self, prefix: str, day: str, batch: str, rows: list[dict[str, Any]]) -> None:
        body = "".join(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n" for row in rows)
        self._client.put_object(
            Bucket=self._bucket,
            Key=f"{prefix}day={day}/{batch}.json",
            Body=body.encode("utf-8"),
            ContentType="application/x-ndjson",
        )


def _value(kind: str, cell: dict[str, str]) -> Any:
    if "VarCharValue" not in cell:
        return None
    text = cell["VarCharValue"]
    if kind in ("bigint", "integer", "smallint", "tinyint"):
        return int(text)
    if kind in ("double", "float", "real", "decimal"):
        return float(text)
    if kind == "boolean":
        return text == "true"
    return text


class AthenaResults(QueryResults):
    def __init__(self, client: Any) -> None:
        self._client = client

    def rows(self, execution_id: str) -> list[dict[str, Any]]:
        """Every row, typed; Athena's first row of a SELECT repeats the column names."""
        found: list[dict[str, Any]] = []
        columns: list[tuple[str, str]] = []
        for page in self._client.get_paginator("get_query_results").paginate(QueryExecutionId=execution_id):
            result = page["ResultSet"]
            rows = result["Rows"]
            if not columns:
                columns = [(c["Name"], c["Type"].lower()) for c in result["ResultSetMetadata"]["ColumnInfo"]]
                if rows and [cell.get("VarCharValue") for cell in rows[0]["Data"]] == [n for n, _ in columns]:
                    rows = rows[1:]
            for row in rows:
                found.append(
                    {
                        name: _value(kind, cell)
                        for (name, kind), cell in zip(columns, row["Data"], strict=True)
                    }
                )
        return found


class DynamoInsights(Insights):
    """pk=MONTH#<month> (sk RUN, RATES#<kind>, CANDIDATES, TREND, STREETS, RECURRENCES),
    pk=DAY#<day> sk=HOTSPOTS, pk=HOTSPOT_DAYS sk=<day>, pk=TOPIC sk=<id> (names.INSIGHTS_TABLE)."""

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def _put(self, pk: str, sk: str, doc: Any, **condition: Any) -> None:
        self._client.put_item(
            TableName=self._table, Item={"pk": {"S": pk}, "sk": {"S": sk}, "doc": {"S": doc}}, **condition
        )

    def _get(self, pk: str, sk: str) -> str | None:
        item = self._client.get_item(
            TableName=self._table, Key={"pk": {"S": pk}, "sk": {"S": sk}}, ConsistentRead=True
        ).get("Item")
        return item["doc"]["S"] if item else None

    def _query(self, pk: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for page in self._client.get_paginator("query").paginate(
            TableName=self._table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": pk}},
            ScanIndexForward=False,
        ):
            items += page.get("Items", [])
        return items

    @staticmethod
    def _list(models: list[Any]) -> str:
        return "[" + ",".join(m.model_dump_json() for m in models) + "]"

    def store_month(
        self,
        run: MonthRun,
        assessments: dict[UnitKind, list[Assessment]],
        candidates: list[Candidate],
        trend: list[CategoryMonth],
        streets: list[StreetVolume],
        recurrences: list[Recurrence],
    ) -> None:
        pk = f"MONTH#{run.month}"
        for kind, rows in assessments.items():
            self._put(pk, f"RATES#{kind.value}", self._list(rows))
        self._put(pk, "CANDIDATES", self._list(candidates))
        self._put(pk, "TREND", self._list(trend))
        self._put(pk, "STREETS", self._list(streets))
        self._put(pk, "RECURRENCES", self._list(recurrences))
        self._put("MONTHS", run.month, run.model_dump_json())

    def month_run(self, month: str) -> MonthRun | None:
        from ..domain.insights import MonthRun

        found = self._get("MONTHS", month)
        return MonthRun.model_validate_json(found) if found else None

    def months(self) -> list[MonthRun]:
        from ..domain.insights import MonthRun

        return [MonthRun.model_validate_json(i["doc"]["S"]) for i in self._query("MONTHS")]

    def assessments(self, month: str, kind: UnitKind) -> list[Assessment] | None:
        from ..domain.assessment import Assessment

        found = self._get(f"MONTH#{month}", f"RATES#{kind.value}")
        if found is None:
            return [] if self._get("MONTHS", month) else None
        return [Assessment.model_validate(row) for row in json.loads(found)]

    def _month_list(self, month: str, sk: str, model: Any) -> list[Any]:
        found = self._get(f"MONTH#{month}", sk)
        return [model.model_validate(row) for row in json.loads(found)] if found else []

    def candidates(self, month: str) -> list[Candidate]:
        from ..domain.insights import Candidate

        return self._month_list(month, "CANDIDATES", Candidate)

    def trend(self, month: str) -> list[CategoryMonth]:
        from ..domain.insights import CategoryMonth

        return self._month_list(month, "TREND", CategoryMonth)

    def streets(self, month: str) -> list[StreetVolume]:
        from ..domain.insights import StreetVolume

        return self._month_list(month, "STREETS", StreetVolume)

    def recurrences(self, month: str) -> list[Recurrence]:
        from ..domain.insights import Recurrence

        return self._month_list(month, "RECURRENCES", Recurrence)

    def store_hotspots(self, day: str, spots: list[Hotspot]) -> None:
        self._put(f"DAY#{day}", "HOTSPOTS", self._list(spots))
        self._put("HOTSPOT_DAYS", day, json.dumps({"day": day, "count": len(spots)}))

    def hotspots(self, day: str | None) -> tuple[str | None, list[Hotspot]]:
        from ..domain.insights import Hotspot

        if day is None:
            latest = self._client.query(
                TableName=self._table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": "HOTSPOT_DAYS"}},
                ScanIndexForward=False,
                Limit=1,
            ).get("Items", [])
            if not latest:
                return None, []
            day = latest[0]["sk"]["S"]
        found = self._get(f"DAY#{day}", "HOTSPOTS")
        return day, [Hotspot.model_validate(row) for row in json.loads(found)] if found else []

    def topics(self) -> list[Topic]:
        from ..domain.insights import Topic

        return [Topic.model_validate_json(i["doc"]["S"]) for i in self._query("TOPIC")]

    def put_topic(self, topic: Topic, expected_version: int | None) -> None:
        if expected_version is None:
            condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(pk)"}
        else:
            condition = {
                "ConditionExpression": "version = :v",
                "ExpressionAttributeValues": {":v": {"N": str(expected_version)}},
            }
        try:
            self._client.put_item(
                TableName=self._table,
                Item={
                    "pk": {"S": "TOPIC"},
                    "sk": {"S": topic.id},
                    "version": {"N": str(topic.version)},
                    "doc": {"S": topic.model_dump_json()},
                },
                **condition,
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise StaleVersion("The topic") from error
            raise
