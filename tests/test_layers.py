"""Data flows one way: contests -> judge -> solver -> simulator. A lower layer never imports a higher one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = {
    "contests": set(),
    "judge": {"contests"},
    "solver": {"contests", "judge"},
    "simulator": {"contests", "judge", "solver"},
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & set(ALLOWED)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_lower_layers(package):
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"package {package} has no modules"
    offenders = {}
    for f in files:
        bad = imported_packages(f) - ALLOWED[package] - {package}
        if bad:
            offenders[str(f.relative_to(ROOT))] = sorted(bad)
    assert not offenders, f"{package} imports a higher layer: {offenders}"


def test_checker_sees_a_violation(tmp_path):
    f = tmp_path / "m.py"
    f.write_text("import os\nfrom simulator.store import x\nfrom . import y\n")
    assert imported_packages(f) == {"simulator"}
