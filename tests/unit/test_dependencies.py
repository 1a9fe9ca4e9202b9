"""The dependency list says what the code needs: every package imported is declared, and every
package declared is imported or says on the line above why it is there."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(group: list[str]) -> set[str]:
    return {_normal(re.split(r"[=<>!~\[; ]", spec, maxsplit=1)[0]) for spec in group}


def _imported_top_names(folder: Path) -> set[str]:
    names: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"__future__", "penguin_tui", "tests"}


def _distributions(import_names: set[str]) -> dict[str, set[str]]:
    owners = packages_distributions()
    return {name: {_normal(d) for d in owners.get(name, [name])} for name in import_names}


def _project() -> dict[str, list[str]]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    return {"main": project["dependencies"], "dev": project["optional-dependencies"]["dev"]}


def test_every_package_the_code_imports_is_a_declared_dependency() -> None:
    declared = _declared(_project()["main"])
    undeclared = {
        name: dists
        for name, dists in _distributions(_imported_top_names(ROOT / "penguin_tui")).items()
        if not dists & declared
    }
    assert undeclared == {}


def test_every_package_the_tests_import_is_declared_for_development() -> None:
    groups = _project()
    declared = _declared(groups["main"]) | _declared(groups["dev"])
    undeclared = {
        name: dists
        for name, dists in _distributions(_imported_top_names(ROOT / "tests")).items()
        if not dists & declared
    }
    assert undeclared == {}


def test_every_declared_dependency_is_imported_or_says_why() -> None:
    imported = set().union(*_distributions(_imported_top_names(ROOT / "penguin_tui")).values())
    lines = PYPROJECT.read_text(encoding="utf-8").splitlines()
    start = lines.index("dependencies = [")
    end = lines.index("]", start)
    unexplained = [
        line.strip()
        for above, line in zip(lines[start : end - 1], lines[start + 1 : end], strict=True)
        if line.strip().startswith('"')
        and _declared([line.strip().strip('",')]) - imported
        and not above.strip().startswith("#")
    ]
    assert unexplained == []
