"""The staff message centre's table and who may touch it; the sender of staff e-mail notices."""

from __future__ import annotations

import json

from aws_cdk import App, Stack
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template
from chalicelib import names
from constructs import Construct

from infra.aws.api import Api, function_id

from .conftest import ACCOUNT, REGION, Synth
from .test_audiences import audience_id, role_of
from .test_stack import as_list, functions, statements_of_role, table_id


def _on_table(synth: Synth, role: str, table: str) -> set[str]:
    return {
        action
        for st in statements_of_role(synth, role)
        if f'"{table}"' in json.dumps(st["Resource"])
        for action in as_list(st["Action"])
    }


def test_the_staff_function_and_the_notifier_use_the_messages_table_and_the_public_does_not(
    synth: Synth,
) -> None:
    messages = table_id(synth, names.MESSAGES_TABLE)
    staff = role_of(synth, audience_id(synth, "Staff"))
    public = role_of(synth, audience_id(synth, "Public"))
    # The stream consumer, which sends the notices, runs with the Chalice app's role.
    notifier = role_of(synth, function_id(names.FN_ON_WORK_ORDER_CHANGE))

    for role in (staff, notifier):
        assert {"dynamodb:PutItem", "dynamodb:Query", "dynamodb:GetItem"} <= _on_table(synth, role, messages)
    assert _on_table(synth, public, messages) == set()
    for fid, fn in functions(synth).items():
        env = fn["Properties"]["Environment"]["Variables"]
        assert env[names.ENV_MESSAGES_TABLE] == {"Ref": messages}, fid


def test_without_a_sender_no_function_may_send_e_mail(synth: Synth) -> None:
    assert synth.of_type("AWS::SES::EmailIdentity") == {}
    assert not any(
        action.startswith("ses:")
        for res in synth.of_type("AWS::IAM::Policy").values()
        for st in res["Properties"]["PolicyDocument"]["Statement"]
        for action in as_list(st["Action"])
    )


def test_a_sender_is_an_ses_identity_the_functions_may_send_from_and_nothing_else() -> None:
    class Holder(Construct):
        def __init__(self, scope: Construct) -> None:
            super().__init__(scope, "Api")
            self.role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
            self.notice_sender = "notices@hotline.example.gov.cn"

    stack = Stack(App(), "Mail", env={"account": ACCOUNT, "region": REGION})
    holder = Holder(stack)
    Api._grant_mail(holder, stack)  # type: ignore[arg-type]
    template = Template.from_stack(stack).to_json()

    ((identity_id, identity),) = [
        (rid, r) for rid, r in template["Resources"].items() if r["Type"] == "AWS::SES::EmailIdentity"
    ]
    assert identity["Properties"]["EmailIdentity"] == "notices@hotline.example.gov.cn"
    (policy,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Policy"]
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Action"] == "ses:SendEmail"
    # The identity's own ARN: the functions send as the sender and as nobody else.
    assert statement["Resource"]["Fn::Join"][1][-2:] == [
        f":ses:{REGION}:{ACCOUNT}:identity/",
        {"Ref": identity_id},
    ]
