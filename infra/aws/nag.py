"""cdk-nag (AwsSolutions) and the findings this app acknowledges, each with its reason."""

from __future__ import annotations

from aws_cdk import Acknowledgment, CfnElement, Stack, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import Construct, IConstruct

PLUGIN = "AwsSolutions"


def check(scope: IConstruct) -> None:
    """Run the AwsSolutions pack on everything under `scope` (an App or Stage); findings fail synth."""
    Validations.of(scope).add_plugins(AwsSolutionsChecks(scope))


def acknowledge(construct: IConstruct, *findings: tuple[str, str]) -> None:
    """Accept each (finding id, reason) on `construct` and everything beneath it. A finding id is
    the rule, plus the finding in brackets where a rule reports several (IAM4, IAM5)."""
    Validations.of(construct).acknowledge(
        *(Acknowledgment(id=f"{PLUGIN}::{finding}", reason=reason) for finding, reason in findings)
    )


def logical_id(construct: Construct) -> str:
    """The logical id of the CloudFormation resource behind an L2 construct, as a finding names it
    (`AwsSolutions-IAM5[Resource::<LogicalId.Arn>/prefix*]`)."""
    resource = construct.node.default_child
    assert isinstance(resource, CfnElement)
    return Stack.of(construct).get_logical_id(resource)
