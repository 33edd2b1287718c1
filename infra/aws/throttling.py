"""Throttling of the public and machine routes (names.THROTTLED_ROUTES), two ways:

- the stage's method settings cap each route as a whole, so a flood cannot reach the functions;
- a WAF web ACL counts requests per client address and blocks a client that goes over its limit
  on a route (what a usage plan would do for clients with API keys; the public form has none).

The local server enforces the same figures per client in the app (infra/local/throttle.py)."""

from __future__ import annotations

import re

from aws_cdk import Acknowledgment, CfnResource, Fn, Stack, Validations
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from .project import names

# The gateway as a whole: every client together, per route, at most this many times one client's rate.
CLIENTS_AT_ONCE = 200
WAF_WINDOW_SECONDS = 60
WAF_MINIMUM_LIMIT = 10  # WAF refuses lower limits


def resource_path(path: str) -> str:
    """API Gateway's method-setting path: "/" becomes "~1" (CloudFormation, AWS::ApiGateway::Stage)."""
    return "/" + path.replace("/", "~1")


def client_limit(throttle: names.Throttle) -> int:
    """A client's requests per WAF window: its rate over the window plus its burst."""
    return max(WAF_MINIMUM_LIMIT, int(throttle.rate * WAF_WINDOW_SECONDS) + throttle.burst)


def method_settings() -> list[dict[str, object]]:
    default = names.THROTTLE_DEFAULT
    settings: list[dict[str, object]] = [
        {
            "HttpMethod": "*",
            "ResourcePath": "/*",
            "ThrottlingRateLimit": default.rate * CLIENTS_AT_ONCE,
            "ThrottlingBurstLimit": default.burst * CLIENTS_AT_ONCE,
        }
    ]
    for (method, path), throttle in names.THROTTLED_ROUTES.items():
        settings.append(
            {
                "HttpMethod": method,
                "ResourcePath": resource_path(path),
                "ThrottlingRateLimit": throttle.rate * CLIENTS_AT_ONCE,
                "ThrottlingBurstLimit": throttle.burst * CLIENTS_AT_ONCE,
            }
        )
    return settings


class Throttling(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, rest_api: CfnResource) -> None:
        super().__init__(scope, construct_id)
        rest_api.add_property_override("MethodSettings", method_settings())
        rules = [
            self._rule(priority, throttle, self._route(priority, method, path), _rule_name(method, path))
            for priority, ((method, path), throttle) in enumerate(names.THROTTLED_ROUTES.items())
        ]
        rules.append(self._rule(len(rules), names.THROTTLE_DEFAULT, None, "any-route-per-client"))
        self.web_acl = wafv2.CfnWebACL(
            self,
            "PerClient",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            rules=rules,
            visibility_config=self._visibility("jiesu-api-per-client"),
            custom_response_bodies={
                "throttled": wafv2.CfnWebACL.CustomResponseBodyProperty(
                    content_type="APPLICATION_JSON",
                    content='{"error": {"code": "throttled", "message": "Too many requests: wait a '
                    'moment and try again.", "details": []}}',
                )
            },
        )
        stack = Stack.of(self)
        # The stage is made by the SAM transform; SAM's `<api>.Stage` reference names it and makes
        # the association wait for it.
        association = wafv2.CfnWebACLAssociation(
            self,
            "OnStage",
            resource_arn=Fn.join(
                "",
                [
                    f"arn:{stack.partition}:apigateway:{stack.region}::/restapis/",
                    rest_api.ref,
                    "/stages/",
                    Fn.ref(f"{rest_api.logical_id}.Stage"),
                ],
            ),
            web_acl_arn=self.web_acl.attr_arn,
        )
        # CDK's own template check knows no SAM references; cfn-lint, which runs the transform, does.
        Validations.of(association).acknowledge(
            Acknowledgment(
                id="CloudFormation-Validate::F1020",
                reason="RestAPI.Stage is the stage the SAM transform creates for the Chalice API.",
            )
        )

    @staticmethod
    def _too_many() -> wafv2.CfnWebACL.BlockActionProperty:
        return wafv2.CfnWebACL.BlockActionProperty(
            custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                response_code=429,
                custom_response_body_key="throttled",
                response_headers=[wafv2.CfnWebACL.CustomHTTPHeaderProperty(name="Retry-After", value="60")],
            )
        )

    @staticmethod
    def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
        return wafv2.CfnWebACL.VisibilityConfigProperty(
            cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
        )

    @classmethod
    def _rule(
        cls,
        priority: int,
        throttle: names.Throttle,
        scope: wafv2.CfnWebACL.StatementProperty | None,
        name: str,
    ) -> wafv2.CfnWebACL.RuleProperty:
        """Block a client address that sends more than its limit (within `scope`, if any)."""
        return wafv2.CfnWebACL.RuleProperty(
            name=name,
            priority=priority,
            action=wafv2.CfnWebACL.RuleActionProperty(block=cls._too_many()),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    aggregate_key_type="IP",
                    evaluation_window_sec=WAF_WINDOW_SECONDS,
                    limit=client_limit(throttle),
                    scope_down_statement=scope,
                )
            ),
            visibility_config=cls._visibility(name),
        )

    def _route(self, priority: int, method: str, path: str) -> wafv2.CfnWebACL.StatementProperty:
        """Requests with this method whose path matches the route's template."""
        pattern_set = wafv2.CfnRegexPatternSet(
            self,
            f"Route{priority}",
            scope="REGIONAL",
            regular_expression_list=[names.route_pattern(path)],
        )
        as_sent = [wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")]
        return wafv2.CfnWebACL.StatementProperty(
            and_statement=wafv2.CfnWebACL.AndStatementProperty(
                statements=[
                    wafv2.CfnWebACL.StatementProperty(
                        byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(method={}),
                            positional_constraint="EXACTLY",
                            search_string=method,
                            text_transformations=as_sent,
                        )
                    ),
                    wafv2.CfnWebACL.StatementProperty(
                        regex_pattern_set_reference_statement=wafv2.CfnWebACL.RegexPatternSetReferenceStatementProperty(
                            arn=pattern_set.attr_arn,
                            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
                            text_transformations=as_sent,
                        )
                    ),
                ]
            )
        )


def _rule_name(method: str, path: str) -> str:
    return f"{method.lower()}-{re.sub(r'[^a-z0-9]+', '-', path.lower()).strip('-')}"[:128]
