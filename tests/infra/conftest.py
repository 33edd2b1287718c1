"""One synth of the CDK app for the whole infra suite.

Chalice imports functions/app.py inside this process and first copies the stage's environment
(CDK tokens) into os.environ. The fixture therefore builds with fresh `app`/`chalicelib` modules
and puts both the modules and the environment back afterwards, so that the suites that import
app.py themselves (integration, local stack) in the same session see what they expect
(research: combined-synth.md, item 5).

The layer is a one-file directory made here: the template only needs the asset to exist, and
these tests must not depend on `make layer` (pip and the network); the same goes for the built
frontend and `make frontend`.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import infra.aws  # noqa: F401  (first: it points jsii at the venv's Node before aws_cdk starts it)

ROOT = Path(__file__).resolve().parents[2]
# A known account, as on every real deploy: some grants only go wrong once it is concrete.
ACCOUNT = "123456789012"
REGION = "ap-southeast-1"


@dataclass(frozen=True)
class Synth:
    stack: Any  # infra.aws.stack.JiesuStack
    template: Any  # aws_cdk.assertions.Template

    @property
    def json(self) -> dict[str, Any]:
        return self.template.to_json()

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.json["Resources"]

    def of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        return {rid: res for rid, res in self.resources.items() if res["Type"] == kind}

    def resolve(self, value: Any) -> Any:
        return self.stack.resolve(value)


def _chalice_modules() -> dict[str, Any]:
    return {
        name: module
        for name, module in sys.modules.items()
        if name == "app" or name == "chalicelib" or name.startswith("chalicelib.")
    }


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synth]:
    layer = tmp_path_factory.mktemp("layer")
    (layer / "python").mkdir()
    (layer / "python" / "README.txt").write_text("stand-in for build/layer in the infra tests\n")
    # Likewise the built frontend (`make frontend`): an entry page and one hashed asset.
    frontend = tmp_path_factory.mktemp("frontend")
    (frontend / "index.html").write_text("<!doctype html><title>stand-in</title>\n")
    (frontend / "assets").mkdir()
    (frontend / "assets" / "index-stand-in.js").write_text("// stand-in\n")

    saved_modules = _chalice_modules()
    saved_environ = dict(os.environ)
    saved_cwd = Path.cwd()
    for name in saved_modules:
        del sys.modules[name]
    # Chalice writes its packaging output (chalice.out/) into the working directory.
    os.chdir(tmp_path_factory.mktemp("chalice"))
    try:
        import aws_cdk as cdk
        from aws_cdk.assertions import Template

        from infra.aws import main

        context = json.loads((ROOT / "cdk.json").read_text())["context"]
        app = cdk.App(context=context)
        stack = main.build(
            app, env=cdk.Environment(account=ACCOUNT, region=REGION), layer_dir=layer, frontend_dir=frontend
        )
        # Synthesizes once: runs cdk-nag (an unacknowledged finding raises) and the cycle check.
        template = Template.from_stack(stack)
    finally:
        os.chdir(saved_cwd)
        for name in _chalice_modules():
            del sys.modules[name]
        sys.modules.update(saved_modules)
        os.environ.clear()
        os.environ.update(saved_environ)
    yield Synth(stack, template)
