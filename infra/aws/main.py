"""Entry point of the CDK app: `cdk synth` / `cdk deploy` run `python -m infra.aws.main` (cdk.json)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import aws_cdk as cdk

from . import nag
from .frontend import CustomDomain
from .project import DEFAULT_REGION, FRONTEND_DIST, LAYER_DIR
from .stack import JiesuStack

DEFAULT_STACK_NAME = "Jiesu"
DEFAULT_STAGE = "prod"


def environment() -> cdk.Environment:
    """The account and region the CLI resolved, else the shell's region, else a default (offline)."""
    region = (
        os.environ.get("CDK_DEFAULT_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
        or os.environ.get("AWS_REGION")
        or DEFAULT_REGION
    )
    return cdk.Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=region)


def build(
    app: cdk.App,
    *,
    env: cdk.Environment | None = None,
    layer_dir: Path = LAYER_DIR,
    frontend_dir: Path = FRONTEND_DIST,
) -> JiesuStack:
    """The Jiesu stack in `app`, checked by cdk-nag (a finding nobody acknowledged fails synth)."""
    env = env or environment()
    # Chalice packages the app inside this process and needs a region for that, even offline.
    os.environ.setdefault("AWS_DEFAULT_REGION", env.region or DEFAULT_REGION)
    stack_name = (
        app.node.try_get_context("stackName") or os.environ.get("JIESU_STACK_NAME") or DEFAULT_STACK_NAME
    )
    stage = app.node.try_get_context("stage") or DEFAULT_STAGE
    # The pages' own name, e.g. -c frontendDomain=12345.example.gov.cn -c frontendCertificateArn=…
    domain_name = app.node.try_get_context("frontendDomain")
    certificate_arn = app.node.try_get_context("frontendCertificateArn")
    if bool(domain_name) != bool(certificate_arn):
        raise ValueError("frontendDomain and frontendCertificateArn go together (docs/deploy.md)")
    stack = JiesuStack(
        app,
        stack_name,
        stack_name=stack_name,
        env=env,
        layer_dir=layer_dir,
        frontend_dir=frontend_dir,
        domain=CustomDomain(domain_name, certificate_arn) if domain_name else None,
        stage=stage,
        description="Jiesu: the 12345 citizen-hotline platform (接诉即办)",
    )
    nag.check(app)
    return stack


def main() -> None:
    chalice_out = Path.cwd() / "chalice.out"
    existed = chalice_out.exists()
    before = set(chalice_out.iterdir()) if existed else set()
    try:
        app = cdk.App()
        build(app)
        app.synth()
    finally:
        # Chalice leaves its packaging output behind on every synth; the assets are staged by now.
        for leftover in (set(chalice_out.iterdir()) if chalice_out.exists() else set()) - before:
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
        if not existed and chalice_out.exists() and not any(chalice_out.iterdir()):
            chalice_out.rmdir()


if __name__ == "__main__":
    main()
