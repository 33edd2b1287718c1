"""What each API function's entry module loads of the domain at import (issue 20, item 4): the
routes import the features they call in their bodies, so a new blueprint that imports a feature at
the top of its module fails here before it shows in the import ratios (docs/benchmarks.md)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
# domain.model and the records it is made of: the authorizer builds the caller's Staff.
MODEL = {
    "model",
    "errors",
    "appeal_records",
    "catalogue_entries",
    "extension_request",
    "reply_quality",
    "revisit_record",
    "text",
}
ALLOWED = {
    "chalicelib.audiences.public": {"errors"},
    "chalicelib.audiences.clients": {"errors"},
    "chalicelib.entrypoints.auth": MODEL,
    # Who may do what, and the forms of the accounts, the audit trail and the catalogue routes.
    "chalicelib.audiences.staff": MODEL | {"access", "accounts", "audit", "catalogue"},
}
HEAVY = ("reportlab", "openpyxl")  # the printed sheet's and the exports' libraries: first use only


def loaded(module: str) -> set[str]:
    probe = f"import sys, {module}; print('\\n'.join(sys.modules))"
    env = os.environ | {"PYDANTIC_DISABLE_PLUGINS": "__all__"}
    found = subprocess.run(
        [sys.executable, "-c", probe], cwd=FUNCTIONS, env=env, capture_output=True, text=True, check=True
    )
    return set(found.stdout.split())


@pytest.mark.parametrize("module", sorted(ALLOWED))
def test_an_api_function_loads_no_feature_at_import(module):
    names = loaded(module)
    domain = {n.removeprefix("chalicelib.domain.") for n in names if n.startswith("chalicelib.domain.")}
    assert domain - ALLOWED[module] == set()
    assert not {n for n in names if n.split(".")[0] in HEAVY}
