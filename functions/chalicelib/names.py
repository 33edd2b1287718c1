"""One name, one place: what the Lambdas, the CDK app, the local stack and the tests share.

Environment-variable names, table key schemas, Lambda function names, the state-machine name and
its ASL placeholders live here so the deployed stack, the local stack and the tests cannot drift.
This module ships with the Lambdas and imports nothing but the standard library.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

APP_NAME = "jiesu"

# --- environment variables read by the Lambdas -------------------------------------------------
ENV_STAGE = "JIESU_STAGE"
ENV_WORK_ORDERS_TABLE = "WORK_ORDERS_TABLE"
ENV_WORK_ORDERS_STREAM_ARN = "WORK_ORDERS_STREAM_ARN"
ENV_REFERENCE_TABLE = "REFERENCE_TABLE"
ENV_WORK_ORDER_STATE_MACHINE_ARN = "WORK_ORDER_STATE_MACHINE_ARN"
ENV_WHISTLE_STATE_MACHINE_ARN = "WHISTLE_STATE_MACHINE_ARN"
ENV_REQUESTER_SMS = "REQUESTER_SMS_ENABLED"
ENV_UNIT_TOPIC_ARN = "UNIT_NOTIFICATIONS_TOPIC_ARN"
ENV_USER_POOL_ID = "USER_POOL_ID"
ENV_USER_POOL_CLIENT_ID = "USER_POOL_CLIENT_ID"
ENV_JWKS_URL = "COGNITO_JWKS_URL"
ENV_COGNITO_ISSUER = "COGNITO_ISSUER"
ENV_COGNITO_ENDPOINT = "COGNITO_ENDPOINT"
ENV_ATTACHMENTS_BUCKET = "ATTACHMENTS_BUCKET"
ENV_ANALYTICS_BUCKET = "ANALYTICS_BUCKET"
ENV_EXPORTS_BUCKET = "EXPORTS_BUCKET"
ENV_ANALYTICS_KEY_SECRET_ARN = "ANALYTICS_KEY_SECRET_ARN"  # the key of the requester/place hashes
ENV_INSIGHTS_TABLE = "INSIGHTS_TABLE"
# The staff message centre (adapters/dynamodb_inbox.py) and the sender of staff e-mail notices
# (an SES identity; unset: no e-mail is sent).
ENV_MESSAGES_TABLE = "MESSAGES_TABLE"
ENV_NOTICE_SENDER = "NOTICE_SENDER"
ENV_ANALYTICS_MONTHLY_MACHINE_ARN = "ANALYTICS_MONTHLY_STATE_MACHINE_ARN"
ENV_ANALYTICS_DAILY_MACHINE_ARN = "ANALYTICS_DAILY_STATE_MACHINE_ARN"
# The demo clock: workflow time runs TIME_SCALE times faster than wall time from CLOCK_EPOCH on.
# Both are unset in AWS (scale 1). The local stack sets them and moto divides its timers by the
# same scale (infra/local/moto_patches.py), so deadlines fall due when the demo clock says so.
ENV_TIME_SCALE = "JIESU_TIME_SCALE"
ENV_CLOCK_EPOCH = "JIESU_CLOCK_EPOCH"
ENV_MOTO_TIME_SCALE = "MOTO_SFN_TIME_SCALE"
# Staff token revocation: how long the authorizer trusts what it read of an account's revocation
# record (a disabled account's tokens stop working within this many seconds; at most 60).
ENV_REVOCATION_CACHE_SECONDS = "STAFF_REVOCATION_CACHE_SECONDS"
REVOCATION_CACHE_SECONDS = 30.0
# Its records' partition in the reference table (the authorizer may read this partition only).
REVOCATION_PARTITION = "REVOKED"
# Pydantic looks for plugins in every installed package's metadata when it builds its first model;
# the functions use none, so their environment turns the search off (a shorter cold start).
ENV_PYDANTIC_PLUGINS = "PYDANTIC_DISABLE_PLUGINS"
NO_PYDANTIC_PLUGINS = "__all__"
# The publication policy of a stage, as JSON (domain/publication.py); unset: data/publication.json.
ENV_PUBLICATION = "JIESU_PUBLICATION"
# The pages' origin (the CloudFront distribution, or the local server): the only origin whose
# scripts may read the portal's API answers (CORS). Unset: any origin (`*`). Open311 stays open to
# every origin, as the standard's clients are.
ENV_ALLOWED_ORIGIN = "JIESU_ALLOWED_ORIGIN"
# The monthly retraining fits its model's confidence on this many folds (domain/classifier.py; 3
# unset, as in AWS and `make bench`). The tests' local stacks set 0: a smaller retraining, one fit
# per model instead of four, its confidence left as the scores give it.
ENV_RETRAIN_FOLDS = "JIESU_RETRAIN_FOLDS"
RETRAIN_FOLDS = 3

# --- DynamoDB ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexSpec:
    name: str
    partition_key: str
    sort_key: str


@dataclass(frozen=True)
class TableSpec:
    """Key schema of a table: the CDK app and the local stack both build the table from this."""

    construct_id: str
    local_name: str
    partition_key: str = "pk"
    sort_key: str = "sk"
    indexes: tuple[IndexSpec, ...] = field(default_factory=tuple)
    stream: bool = False
    ttl_attribute: str | None = None


# Work orders, their timeline events and idempotency records share one table.
#   order        pk=ORDER#<id>        sk=ORDER
#   event        pk=ORDER#<id>        sk=EVENT#<at>#<seq>
#   idempotency  pk=IDEMPOTENCY#<key> sk=IDEMPOTENCY
# Access patterns: order by number (GetItem), timeline by order (Query pk, begins_with EVENT#),
# unit inbox by deadline (GSI1: gsi1pk=UNIT#<unit>, gsi1sk=<deadline>#<id>), all orders by
# status for the hotline centre (GSI2: gsi2pk=STATUS#<status>, gsi2sk=<created_at>#<id>),
# requester lookup for duplicates (GSI3: gsi3pk=REQUESTER#<sha256 of the phone>,
# gsi3sk=<created_at>#<id>; the phone itself is never a key), orders whose workflow run has not
# shown life yet for the reconciler (GSI4, sparse: gsi4pk=WORKFLOW_PENDING#<last digit of the id>,
# gsi4sk=<written at>#<id>; the attributes go when the run parks its first task token), and the
# overdue board, most overdue first (GSI5, sparse: gsi5pk=OVERDUE, gsi5sk=<deadline>#<id>, only
# on open overdue orders).
WORK_ORDERS_INBOX_INDEX = IndexSpec("inbox", "gsi1pk", "gsi1sk")
WORK_ORDERS_STATUS_INDEX = IndexSpec("by_status", "gsi2pk", "gsi2sk")
WORK_ORDERS_REQUESTER_INDEX = IndexSpec("by_requester", "gsi3pk", "gsi3sk")
WORK_ORDERS_PENDING_INDEX = IndexSpec("workflow_pending", "gsi4pk", "gsi4sk")
WORK_ORDERS_OVERDUE_INDEX = IndexSpec("overdue", "gsi5pk", "gsi5sk")
WORK_ORDERS_TABLE = TableSpec(
    construct_id="WorkOrders",
    local_name="jiesu-work-orders",
    indexes=(
        WORK_ORDERS_INBOX_INDEX,
        WORK_ORDERS_STATUS_INDEX,
        WORK_ORDERS_REQUESTER_INDEX,
        WORK_ORDERS_PENDING_INDEX,
        WORK_ORDERS_OVERDUE_INDEX,
    ),
    stream=True,
    ttl_attribute="expires_at",
)
# Reference data: handling units (pk=UNIT#<id>) and catalogue categories (pk=CATEGORY#<code>), sk=DOC.
REFERENCE_TABLE = TableSpec(construct_id="Reference", local_name="jiesu-reference")

# What the analytics runs found (DESIGN.md section 8), by month or day:
#   a run            pk=MONTH#<yyyy-mm>  sk=RUN               (when, how many orders, what it found)
#   a unit's rates   pk=MONTH#<yyyy-mm>  sk=RATES#<kind>#<unit>
#   a candidate      pk=MONTH#<yyyy-mm>  sk=CANDIDATE#<rank:03>
#   a category trend pk=MONTH#<yyyy-mm>  sk=TREND
#   a recurrence     pk=MONTH#<yyyy-mm>  sk=RECUR#<rank:04>
#   a daily warning  pk=DAY#<yyyy-mm-dd> sk=HOTSPOT#<street>#<category>
#   an adopted topic pk=TOPIC            sk=<topic id>
INSIGHTS_TABLE = TableSpec(construct_id="Insights", local_name="jiesu-insights")

# The staff message centre: notices kept per audience, read marks and channel preferences per
# member (the key design is in adapters/dynamodb_inbox.py); notices expire (TTL).
MESSAGES_TABLE = TableSpec(construct_id="Messages", local_name="jiesu-messages", ttl_attribute="expires_at")

TABLES = (WORK_ORDERS_TABLE, REFERENCE_TABLE, INSIGHTS_TABLE, MESSAGES_TABLE)

# --- Attachments: uploaded by the browser to incoming/<upload>, copied to attachments/<upload> once an
# order refers to them; what stays in incoming/ is removed after a day.
ATTACHMENTS_BUCKET_LOCAL = "jiesu-local-attachments"
UPLOAD_PREFIX = "incoming/"
KEPT_PREFIX = "attachments/"
UNATTACHED_UPLOAD_DAYS = 1
# Staff exports (Excel): a bucket of their own, exports/<user>/<id>.xlsx, removed after a day.
EXPORTS_BUCKET_LOCAL = "jiesu-local-exports"
EXPORT_PREFIX = "exports/"
EXPORT_DAYS = 1


# --- Analytics: de-identified facts in S3 (functions/chalicelib/domain/facts.py has the columns),
# catalogued in Glue, queried by Athena (statemachines/queries/*.sql) or locally by DuckDB.


@dataclass(frozen=True)
class AnalyticsTable:
    name: str
    prefix: str  # under the analytics bucket; partitions are prefix/<partition>=<value>/
    # json (newline-delimited, partitions projected) | iceberg (Parquet data files; the daily
    # compaction adds each order's latest change and prunes the versions it superseded)
    format: str
    partition: str  # the one partition column: day (yyyy-MM-dd) or month (yyyy-MM)


ANALYTICS_BUCKET_LOCAL = "jiesu-local-analytics"
ANALYTICS_DATABASE = "jiesu_analytics"
ORDER_CHANGES = AnalyticsTable("order_changes", "facts/order_changes/", "json", "day")
ORDER_FACTS = AnalyticsTable("order_facts", "facts/order_facts/", "iceberg", "month")
SUMMONS_CHANGES = AnalyticsTable("summons_changes", "facts/summons_changes/", "json", "day")
ANALYTICS_TABLES = (ORDER_CHANGES, ORDER_FACTS, SUMMONS_CHANGES)
QUERY_RESULTS_PREFIX = "athena-results/"
ANALYTICS_KEY_LOCAL = "local-analytics-key-not-a-secret"


# --- Throttling of the public and machine routes: API Gateway in AWS (the stage's method settings),
# the local server in the app. Requests per second and burst, per client.
@dataclass(frozen=True)
class Throttle:
    rate: int
    burst: int


THROTTLE_DEFAULT = Throttle(rate=20, burst=40)
# Writes a person makes a few times per visit; per client (source address) and route.
THROTTLED_ROUTES: dict[tuple[str, str], Throttle] = {
    ("POST", "/api/v1/public/requests"): Throttle(rate=1, burst=5),
    ("POST", "/api/v1/public/uploads"): Throttle(rate=2, burst=20),
    ("POST", "/api/v1/public/suggestions"): Throttle(rate=5, burst=20),
    ("POST", "/api/v1/public/requests/{order_id}/evaluation"): Throttle(rate=1, burst=5),
    ("POST", "/api/v1/public/requests/{order_id}/dispatch"): Throttle(rate=1, burst=5),
    ("GET", "/api/v1/public/requests/{order_id}"): Throttle(rate=2, burst=20),
    ("POST", "/open311/v2/requests.json"): Throttle(rate=1, burst=10),
    ("POST", "/open311/v2/requests.xml"): Throttle(rate=1, burst=10),
}


def route_pattern(path: str) -> str:
    """A regex matching request paths of a route template ({order_id} is one segment); anchored at
    the end only, since a stage name may precede the path."""
    return re.sub(r"\\\{[a-z_]+\\\}", "[^/]+", re.escape(path)) + "$"


# --- Lambda functions (Chalice @app.lambda_function names) --------------------------------------
FN_ROUTE_ORDER = "route_order"
FN_AWAIT_UNIT = "await_unit"
FN_ADVANCE_ORDER = "advance_order"
FN_SEED_REFERENCE = "seed_reference_data"
FN_ON_WORK_ORDER_CHANGE = "on_work_order_change"  # the notices of each change, at once
FN_EXPORT_FACTS = "export_work_order_facts"  # the de-identified facts, in batches of a minute
STREAM_CONSUMERS = (FN_ON_WORK_ORDER_CHANGE, FN_EXPORT_FACTS)
# The facts consumer waits this long for a batch: one S3 object per minute and shard instead of
# one per change (docs/benchmarks.md, cost of a million orders); notices never wait.
FACTS_BATCH_WINDOW_SECONDS = 60
FACTS_BATCH_SIZE = 1000
FN_CHECK_WHISTLE = "check_whistle"
FN_PLAN_ANALYTICS = "plan_analytics"
FN_STORE_MONTH = "store_month"
FN_STORE_DAY = "store_day"
FN_RETRAIN_DISPATCH = "retrain_dispatch"
# Starts the workflow of every open order that has none running (a start that failed after the
# order was stored), and redrives failed runs of open orders: every few minutes in AWS (its own
# schedule), at start-up and then periodically on the local stack.
FN_RECONCILE_WORKFLOWS = "reconcile_workflows"
RECONCILE_SCHEDULE = "rate(5 minutes)"
RECONCILE_LOCAL_SECONDS = 30.0
# The stream consumer's event source mapping: a batch that keeps failing is retried this often
# (split in halves to isolate the record), then its records go to the dead-letter queue.
STREAM_RETRY_ATTEMPTS = 5
API_HANDLER = "api_handler"
STAFF_AUTHORIZER = "staff_auth"
# The API's functions by audience, behind the one REST API: each imports only its entry module
# (chalicelib/audiences/<module>.py) and serves its routes; the Chalice app's own handler
# (API_HANDLER, app.py) serves the rest: the OpenAPI document.
API_AUDIENCES = {"PublicApi": "public", "StaffApi": "staff", "ClientsApi": "clients"}
TASK_FUNCTIONS = (FN_ROUTE_ORDER, FN_AWAIT_UNIT, FN_ADVANCE_ORDER, FN_CHECK_WHISTLE)
ANALYTICS_FUNCTIONS = (FN_PLAN_ANALYTICS, FN_STORE_MONTH, FN_STORE_DAY, FN_RETRAIN_DISPATCH)

# --- Step Functions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MachineSpec:
    """A state machine: deployed as <stack>-<name>, locally jiesu-local-<name>; its ASL file, each
    ASL placeholder with the Lambda function it stands for, and the variable that tells the
    functions its ARN."""

    construct_id: str
    name: str
    asl: str
    placeholders: dict[str, str]
    arn_env: str
    # An analytics machine's Athena queries: placeholder → statemachines/queries/<name>.sql, the
    # text substituted as a JSON string (asl_string); and the stack's own resources it names.
    queries: dict[str, str] = field(default_factory=dict)
    resources: tuple[str, ...] = ()

    @property
    def all_placeholders(self) -> set[str]:
        return {*self.placeholders, *self.queries, *self.resources}


WORK_ORDER_MACHINE_SPEC = MachineSpec(
    construct_id="WorkOrder",
    name="work-order",
    asl="work_order.asl.json",
    placeholders={
        "RouteOrderFunctionArn": FN_ROUTE_ORDER,
        "AwaitUnitFunctionArn": FN_AWAIT_UNIT,
        "AdvanceOrderFunctionArn": FN_ADVANCE_ORDER,
    },
    arn_env=ENV_WORK_ORDER_STATE_MACHINE_ARN,
)
WHISTLE_MACHINE_SPEC = MachineSpec(
    construct_id="Whistle",
    name="whistle",
    asl="whistle.asl.json",
    placeholders={"CheckWhistleFunctionArn": FN_CHECK_WHISTLE},
    arn_env=ENV_WHISTLE_STATE_MACHINE_ARN,
)
# The analytics machines' own placeholders: the stack names these resources.
PH_WORKGROUP = "AnalyticsWorkGroup"
PH_DATABASE = "AnalyticsDatabase"
PH_NOTIFICATION_TOPIC = "NotificationTopicArn"
ANALYTICS_MONTHLY_MACHINE_SPEC = MachineSpec(
    construct_id="AnalyticsMonthly",
    name="analytics-monthly",
    asl="analytics_monthly.asl.json",
    placeholders={
        "PlanAnalyticsFunctionArn": FN_PLAN_ANALYTICS,
        "StoreMonthFunctionArn": FN_STORE_MONTH,
        "RetrainDispatchFunctionArn": FN_RETRAIN_DISPATCH,
    },
    arn_env=ENV_ANALYTICS_MONTHLY_MACHINE_ARN,
    queries={
        "RatesQuery": "rates",
        "SummonsQuery": "summons",
        "TopicsQuery": "topics",
        "StreetsQuery": "streets",
        "ExamplesQuery": "examples",
        "TrendQuery": "trend",
        "RecurrenceQuery": "recurrence",
        "TrainingQuery": "training",
    },
    resources=(PH_WORKGROUP, PH_DATABASE, PH_NOTIFICATION_TOPIC),
)
ANALYTICS_DAILY_MACHINE_SPEC = MachineSpec(
    construct_id="AnalyticsDaily",
    name="analytics-daily",
    asl="analytics_daily.asl.json",
    placeholders={"PlanAnalyticsFunctionArn": FN_PLAN_ANALYTICS, "StoreDayFunctionArn": FN_STORE_DAY},
    arn_env=ENV_ANALYTICS_DAILY_MACHINE_ARN,
    queries={"CompactQuery": "compact", "PruneQuery": "prune", "HotspotsQuery": "hotspots"},
    resources=(PH_WORKGROUP, PH_DATABASE),
)
# When EventBridge Scheduler starts them (Beijing time): the 1st of the month at 02:00, daily at 01:00.
SCHEDULE_TIMEZONE = "Asia/Shanghai"
ANALYTICS_SCHEDULES = {
    ANALYTICS_MONTHLY_MACHINE_SPEC.name: "cron(0 2 1 * ? *)",
    ANALYTICS_DAILY_MACHINE_SPEC.name: "cron(0 1 * * ? *)",
}
# The work-order machines: the API starts them and the workflow Lambdas call back into them.
MACHINES = (WORK_ORDER_MACHINE_SPEC, WHISTLE_MACHINE_SPEC)
ANALYTICS_MACHINES = (ANALYTICS_MONTHLY_MACHINE_SPEC, ANALYTICS_DAILY_MACHINE_SPEC)


def asl_string(text: str) -> str:
    """`text` as it goes inside a JSON string of an ASL definition (a substituted SQL file)."""
    import json

    return json.dumps(text, ensure_ascii=False)[1:-1]


WORK_ORDER_MACHINE = WORK_ORDER_MACHINE_SPEC.name
WORK_ORDER_ASL = WORK_ORDER_MACHINE_SPEC.asl
WORK_ORDER_PLACEHOLDERS = WORK_ORDER_MACHINE_SPEC.placeholders

# --- Cognito -----------------------------------------------------------------------------------
STAFF_ROLES = (
    "operator",
    "dispatcher",
    "handler",
    "unit_leader",
    "supervisor",
    "analyst",
    "admin",
    "assessor",
    "reviewer",  # 办结审核 (domain/review.py)
)
UNIT_ATTRIBUTE = "unit"  # custom:unit on the user

# --- Local stack -------------------------------------------------------------------------------
LOCAL_STAGE = "local"
LOCAL_REGION = "us-east-1"
LOCAL_ACCOUNT = "123456789012"


def local_function_name(function: str) -> str:
    return f"{APP_NAME}-{LOCAL_STAGE}-{function}"


# --- HTTP headers: the API (entrypoints/http.py), API Gateway's own answers and the local server ---
# Caching, said by each route on purpose. Answers about an order, a person, a key or a staff
# member are never stored anywhere (a shared cache must not hand one caller's answer to another);
# public reference data (divisions, the catalogue, the API's own description) may be kept briefly.
NO_STORE = "no-store"
SHARED_BRIEFLY = "public, max-age=300"

# Sent with every API answer: nothing there is a page, so nothing may run, frame or sniff it.
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
    ("X-Frame-Options", "DENY"),
)

# --- the dispatch model's registry: model files and the index of which one serves ----------------
DISPATCH_MODELS_PREFIX = "models/dispatch/"
