"""The domain stays pure: no AWS SDK, no framework (STYLE.md, habit 2)."""

import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "functions" / "chalicelib" / "domain"
FORBIDDEN = {"boto3", "botocore", "chalice", "aws_lambda_powertools", "moto"}


def imported_roots(source: Path) -> set[str]:
    tree = ast.parse(source.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_domain_imports_no_aws_or_framework_code():
    offenders = {
        path.name: sorted(imported_roots(path) & FORBIDDEN)
        for path in DOMAIN.glob("*.py")
        if imported_roots(path) & FORBIDDEN
    }

    assert offenders == {}
    assert len(list(DOMAIN.glob("*.py"))) > 5  # the walk really saw the domain
