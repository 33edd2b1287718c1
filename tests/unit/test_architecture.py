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


CHALICELIB = DOMAIN.parent


def module_name(path: Path) -> str:
    parts = path.relative_to(CHALICELIB).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def chalicelib_imports(path: Path, modules: set[str]) -> set[str]:
    """The modules of chalicelib that `path` imports, at any depth of its code (TYPE_CHECKING and
    function-level imports included: a circle is a circle however late it closes)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name.removeprefix("chalicelib.") for alias in node.names]
            found |= {target for target in targets if target in modules}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".") if package else []
                base = base[: len(base) - (node.level - 1)]
                stem = ".".join(base + ([node.module] if node.module else []))
            elif node.module and (node.module == "chalicelib" or node.module.startswith("chalicelib.")):
                stem = node.module.removeprefix("chalicelib").lstrip(".")
            else:
                continue
            for alias in node.names:  # `from ..domain import open311` names a module
                submodule = f"{stem}.{alias.name}" if stem else alias.name
                found.add(submodule if submodule in modules else stem)
    return {target for target in found if target in modules and target != name}


def import_graph() -> dict[str, set[str]]:
    paths = list(CHALICELIB.rglob("*.py"))
    modules = {module_name(path) for path in paths}
    return {module_name(path): chalicelib_imports(path, modules) for path in paths}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_walk_reads_imports_as_python_resolves_them():
    graph = import_graph()

    assert "domain.model" in graph["domain.workflow"]  # from .model import ...
    assert "domain.open311" in graph["entrypoints.open311_api"]  # from ..domain import open311
    assert "wiring" in graph["entrypoints.staff.orders"]  # from ..wiring import deps
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_chalicelib_has_no_import_circle():
    assert circles(import_graph()) == []


def test_the_domain_imports_nothing_above_it():
    """Adapters, entrypoints, wiring, settings, the clocks and the reference data are all built on
    the domain: it imports none of them (nor anything added beside them later)."""
    graph = import_graph()
    upward = {
        module: sorted(target for target in targets if not target.startswith("domain."))
        for module, targets in graph.items()
        if module.startswith("domain.")
    }

    assert {module: targets for module, targets in upward.items() if targets} == {}
    assert len(upward) > 5
    assert "domain.model" in graph["adapters.dynamodb"]  # an arrow into the domain is seen as such


def test_a_feature_asks_for_its_own_ports_only():
    """The reference data's ports are held together for wiring alone: a rule that imported the
    whole would depend on every feature's store again."""
    importers = sorted(module for module, targets in import_graph().items() if "domain.reference" in targets)

    assert [module for module in importers if module.startswith("domain.")] == []
