"""Data flows one way: contests -> judge -> solver -> simulator. A lower layer never imports a higher one.

Inside solver/, the model and the selection never meet except in solver/solvers/: the model never
imports the judge or the selection, and the selection never imports JAX (nor Flax, Optax, Orbax)
or the model, so that selecting among an outside model's programs needs no accelerator stack."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = {
    "contests": set(),
    "judge": {"contests"},
    "solver": {"contests", "judge"},
    "simulator": {"contests", "judge", "solver"},
}

# Sub-package -> the modules it may never import (a name forbids the name and everything under it).
FORBIDDEN = {
    "solver.model": {"judge", "solver.selection", "solver.solvers"},
    "solver.selection": {"jax", "jaxlib", "flax", "optax", "orbax", "solver.model", "solver.solvers"},
}


def imported_modules(path: Path, package: str = "") -> set[str]:
    """Every module PATH imports, anywhere in it (lazy imports inside functions too), by absolute
    name; `from a import b` counts as a and a.b, since b may be a module. Relative imports are
    resolved against PACKAGE (the file's own package), and left out without one."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                base = node.module
            elif package:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                continue
            names.add(base)
            names.update(f"{base}.{a.name}" for a in node.names)
    return names


def package_of(path: Path) -> str:
    """The package whose names a file's relative imports start from (solver/selection/x.py and
    solver/selection/__init__.py -> solver.selection)."""
    return ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])


def imported_packages(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imported_modules(path)} & set(ALLOWED)


def forbidden_imports(path: Path, forbidden: set[str], package: str = "") -> set[str]:
    return {name for name in imported_modules(path, package)
            if any(name == f or name.startswith(f + ".") for f in forbidden)}


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


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_solver_parts_stay_apart(package):
    files = sorted((ROOT / package.replace(".", "/")).rglob("*.py"))
    assert files, f"package {package} has no modules"
    offenders = {str(f.relative_to(ROOT)): sorted(bad) for f in files if (bad := forbidden_imports(f, FORBIDDEN[package], package_of(f)))}
    assert not offenders, f"{package} imports what it must not: {offenders}"


def test_parts_checker_sees_violations(tmp_path):
    f = tmp_path / "m.py"
    f.write_text("def later():\n    import jax.numpy as jnp\nfrom solver import model\nfrom solver.model.sampler import S\n"
                 "import judge\nfrom jaxtyping import X\n")
    assert forbidden_imports(f, FORBIDDEN["solver.selection"]) == {"jax.numpy", "solver.model", "solver.model.sampler",
                                                                   "solver.model.sampler.S"}
    assert forbidden_imports(f, FORBIDDEN["solver.model"]) == {"judge"}


def test_parts_checker_resolves_relative_imports(tmp_path):
    f = tmp_path / "m.py"
    f.write_text("from ..model import sampler\nfrom . import clustering\n")
    assert forbidden_imports(f, FORBIDDEN["solver.selection"], "solver.selection") == {"solver.model",
                                                                                       "solver.model.sampler"}


def test_selection_runs_without_loading_jax():
    """What the static check cannot see: nothing the selection imports (contests, judge) pulls JAX in."""
    modules = sorted(".".join(f.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                     for f in (ROOT / "solver" / "selection").rglob("*.py"))
    code = (f"import importlib, sys\nfor m in {modules!r}: importlib.import_module(m)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jax', 'flax', 'optax', 'orbax')"
            " or m.startswith('solver.model')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# The command line is a thin layer over a library usable alone: only simulator/cli/ speaks click,
# and only it draws progress (library code reports through callbacks, simulator.cli.progress draws).
CLI_ONLY = {"click", "rich.progress", "simulator.cli"}


def test_only_the_command_line_uses_click_and_draws_progress():
    files = [f for package in ALLOWED for f in sorted((ROOT / package).rglob("*.py"))
             if not f.is_relative_to(ROOT / "simulator" / "cli")]
    offenders = {str(f.relative_to(ROOT)): sorted(bad) for f in files
                 if (bad := forbidden_imports(f, CLI_ONLY, package_of(f)))}
    assert not offenders, f"library code that belongs in simulator/cli: {offenders}"
