"""The Lambda layer with the functions' runtime dependencies, built by `make layer` into build/layer."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import aws_lambda as lambda_
from constructs import Construct


class DependenciesLayer(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, directory: Path) -> None:
        super().__init__(scope, construct_id)
        if not (directory / "python").is_dir():
            raise FileNotFoundError(f"{directory}/python does not exist: run `make layer` first")
        self.layer = lambda_.LayerVersion(
            self,
            "Layer",
            code=lambda_.Code.from_asset(str(directory)),
            compatible_runtimes=[lambda_.Runtime.PYTHON_3_11],
            compatible_architectures=[lambda_.Architecture.X86_64],
            description="Jiesu runtime dependencies ([project].dependencies pinned by uv.lock)",
        )
