"""Where the CDK app finds the project, and the shared names it builds from."""

from __future__ import annotations

import hashlib
from pathlib import Path

from chalicelib import names
from chalicelib.domain import facts  # the analytics tables' columns

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "functions"
STATEMACHINES = ROOT / "statemachines"
QUERIES = STATEMACHINES / "queries"  # the analytics machines' Athena SQL
REFERENCE_DATA = FUNCTIONS / "chalicelib" / "data"
LAYER_DIR = ROOT / "build" / "layer"
FRONTEND_DIST = ROOT / "frontend" / "dist"  # built by `make frontend`

# Used when neither the CDK CLI nor the environment names a region (offline synth, tests).
DEFAULT_REGION = "us-east-1"


def files_hash(files: list[Path]) -> str:
    """A digest of the files' paths (relative to the project) and bytes, in a stable order."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


__all__ = [
    "DEFAULT_REGION",
    "FRONTEND_DIST",
    "FUNCTIONS",
    "LAYER_DIR",
    "QUERIES",
    "REFERENCE_DATA",
    "ROOT",
    "STATEMACHINES",
    "facts",
    "files_hash",
    "names",
]
