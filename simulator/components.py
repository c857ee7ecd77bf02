"""Build what a replay needs from what a user typed: contests, the judge, the solver, its identity."""

from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import datetime, timezone
from pathlib import Path

from contests.errors import DataError
from contests.model import Contest
from simulator.store import SolverIdentity
from solver.interface import Solver

DEMO_ALIASES = ("demo",)


# ------------------------------------------------------------------ contests

def load_contests(ids: list[str] | tuple[str, ...], library_root: Path, *, after: datetime | None = None,
                  before: datetime | None = None) -> tuple[list[Contest], list[str]]:
    """The contests to replay, in date order (the order the sequential rating takes them in), and
    the ids of the undated library contests that the date range left out (no date range can be
    shown to hold them; the caller names them).

    IDS name contests of the library at LIBRARY_ROOT, or the demo ("demo" or its id); AFTER and
    BEFORE add every library contest that started strictly between them (the held-out split)."""
    from contests.demo import DEMO_CONTEST_ID, demo_contest
    from contests.library import ContestLibrary

    library = ContestLibrary(library_root)
    chosen: dict[str, Contest] = {}
    for contest_id in ids:
        contest = demo_contest() if contest_id in (*DEMO_ALIASES, DEMO_CONTEST_ID) else library.get(contest_id)
        chosen[contest.id] = contest
    undated: list[str] = []
    if after is not None or before is not None:
        in_range, undated = library.between(after, before)
        for summary in in_range:
            if summary.id not in chosen:
                chosen[summary.id] = library.get(summary.id)
        undated = [i for i in undated if i not in chosen]
    if not chosen:
        skipped = f" (skipped {len(undated)} undated: {', '.join(undated)})" if undated else ""
        raise DataError("--contest", None, "no contests chosen: give --contest ID (or demo) or --after/--before "
                                           f"DATE{skipped}")
    never = datetime.max.replace(tzinfo=timezone.utc)
    return sorted(chosen.values(), key=lambda c: (_aware(c.start_time) or never, c.id)), undated


def undated_warning(undated: list[str]) -> str:
    """The line that names the undated contests a date range skipped, and how to date them."""
    return (f"--after/--before skipped {len(undated)} undated contest{'s' if len(undated) != 1 else ''}: "
            f"{', '.join(undated)} (date them with `csim contests import ... --date YYYY-MM-DD`)")


def _aware(when: datetime | None) -> datetime | None:
    if when is None:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


# ------------------------------------------------------------------ judge

def make_judge(sandbox: str, workers: int | None):
    """A judge.runner.Judge (use it as a context manager) and the fingerprint of its configuration,
    which keys stored judgings: a verdict from one sandbox is not reused under another. The judge
    keeps compiled programs in a private temporary cache, which its sandbox can always reach."""
    import judge as judge_package
    from judge.languages import language_ids, toolchain_version
    from judge.runner import Judge, JudgeConfig

    config = JudgeConfig(sandbox=sandbox, workers=workers)
    judge = Judge(config)
    layers = sorted(layer.name for layer in judge.layers if layer.active)
    toolchains = {}
    for language in language_ids():
        try:
            toolchains[language] = toolchain_version(language)
        except Exception as e:  # a missing toolchain judges nothing (CE/IE); say which
            toolchains[language] = f"unavailable: {type(e).__name__}"
    fingerprint = json.dumps({"sandbox": sandbox, "fast_path": config.fast_path, "layers": layers,
                              "judge_code": code_digest(Path(judge_package.__file__).parent),
                              "toolchains": toolchains}, sort_keys=True)
    return judge, fingerprint


def code_digest(package_dir: Path) -> str:
    """A digest of a package's Python sources: stored verdicts of one judge's code are not reused
    by a judge whose code differs (a fixed bug must not live on in the store)."""
    h = hashlib.sha256()
    for path in sorted(package_dir.rglob("*.py")):
        h.update(str(path.relative_to(package_dir)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


# ------------------------------------------------------------------ solver

def make_solver(spec: str, judge, backend_options=None, cache=None) -> Solver:
    """`reference`, `samples:FILE`, `jax:RUN_DIR` -> a Solver (solver.solvers); `jax-demo:RUN_DIR` is
    the JAX solver with `csim demo`'s sampling (simulator.demo.demo_solver); `hf:PATH` and
    `openai:URL` -> solver.backends' BackendSolver (BACKEND_OPTIONS, samples cached in CACHE)."""
    from solver.solvers.jax import JaxSolver
    from solver.solvers.reference import ReferenceSolver
    from solver.solvers.samples_file import SamplesFileSolver
    from solver.backends.factory import BackendOptions, is_backend_spec, make_backend_solver

    if is_backend_spec(spec):
        return make_backend_solver(spec, judge, backend_options or BackendOptions(), cache)
    kind, _, arg = spec.partition(":")
    if kind == "reference" and not arg:
        return ReferenceSolver(judge=judge)
    if kind == "samples" and arg:
        path = Path(arg)
        if not path.is_file():
            raise DataError(path, None, "no such samples file")
        return SamplesFileSolver(path, judge)
    if kind in ("jax", "jax-demo") and arg:
        run_dir = Path(arg)
        if not (run_dir / "config.json").is_file():
            raise DataError(run_dir, None, "not a solver run directory (no config.json)")
        if kind == "jax-demo":
            from simulator.demo import demo_solver

            return demo_solver(run_dir, judge)
        from simulator.contamination import read_training_cutoff

        solver = JaxSolver(run_dir, judge)
        solver.model_cutoff = read_training_cutoff(run_dir)  # replay applies it unless --model-cutoff says otherwise
        return solver
    raise DataError("--solver", None, f"unknown solver {spec!r}: expected reference, samples:FILE, jax:RUN_DIR, "
                                          f"hf:PATH or openai:URL")


def code_revision(repo: Path | None = None) -> str:
    """The git commit csim runs from (+dirty when tracked files changed), else the package version."""
    repo = repo or Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short=12", "HEAD"], capture_output=True,
                              text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
        return head + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        from importlib.metadata import version

        return f"csim {version('csim')}"


def solver_identity(solver: Solver, revision: str) -> SolverIdentity:
    described = json.loads(json.dumps(solver.describe(), default=str))  # as the store will hold it
    return SolverIdentity(name=solver.name, version=solver.version, code_revision=revision, config=described,
                          checkpoint_digest=described.get("checkpoint_digest"))


def same_behaviour(a: SolverIdentity, stored) -> bool:
    """Whether a solver built now behaves as the stored version did (code revision aside: a commit
    elsewhere in the tree does not stop a run from being resumed)."""
    return (a.name, a.version, a.config, a.checkpoint_digest) == (
        stored.name, stored.version, stored.config, stored.checkpoint_digest)
