"""Build what a replay needs from what a user typed: contests, the judge, the solver, its identity."""

from __future__ import annotations

import hashlib
import json
import subprocess
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from contests.errors import DataError
from contests.model import Contest, as_utc
from simulator.store import SolverIdentity
from solver.interface import Solver

DEMO_ALIASES = ("demo",)


# ------------------------------------------------------------------ contests

STORE_LIBRARY = "store"  # a run's recorded library when its contests came from the store's own


def shared_store(db_url: str) -> bool:
    """Whether a store is one a team shares (PostgreSQL), whose contest library lives in it too."""
    return db_url.startswith("postgresql")


def open_library(store, library_dir: Path | None, home: Path):
    """The contest library a command uses: --library DIR if given; else, on a PostgreSQL store, the
    library in that store (a team shares it: import once, replay from any machine); else the
    directory $CSIM_HOME/contests. STORE may be None where no store is open."""
    from contests.library import ContestLibrary

    if library_dir is None and store is not None and shared_store(store.url):
        from simulator.store.library import SqlContestLibrary

        return SqlContestLibrary(store)
    return ContestLibrary(library_dir or home / "contests")


# Where a reader that knows no $CSIM_HOME looks for a run that recorded no library (the demo's
# contest is found without one).
NO_HOME = Path("/nonexistent")


def recorded_library(store, recorded: str | None, home: Path):
    """The library a run's contests came from, as the run recorded it (library_label): the store's
    own, or a directory (none recorded: $CSIM_HOME/contests)."""
    if recorded == STORE_LIBRARY:
        from simulator.store.library import SqlContestLibrary

        return SqlContestLibrary(store)
    from contests.library import ContestLibrary

    return ContestLibrary(Path(recorded) if recorded else home / "contests")


def library_label(library) -> str:
    """How a run records where its contests came from (to find them again on --resume)."""
    from contests.library import ContestLibrary

    return str(library.root) if isinstance(library, ContestLibrary) else STORE_LIBRARY


def load_contests(ids: list[str] | tuple[str, ...], library, *, after: datetime | None = None,
                  before: datetime | None = None) -> tuple[list[Contest], list[str]]:
    """The contests to replay, in date order (the order the sequential rating takes them in), and
    the ids of the undated library contests that the date range left out (no date range can be
    shown to hold them; the caller names them).

    IDS name contests of LIBRARY (contests.library.Library), or the demo ("demo" or its id); AFTER
    and BEFORE add every library contest that started strictly between them (the held-out split)."""
    from contests.demo import DEMO_CONTEST_ID, demo_contest

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
    return sorted(chosen.values(), key=lambda c: (as_utc(c.start_time) or never, c.id)), undated


def undated_warning(undated: list[str]) -> str:
    """The line that names the undated contests a date range skipped, and how to date them."""
    return (f"--after/--before skipped {len(undated)} undated contest{'s' if len(undated) != 1 else ''}: "
            f"{', '.join(undated)} (date them with `csim contests import ... --date YYYY-MM-DD`)")


# ------------------------------------------------------------------ judge

def make_judge(sandbox: str, workers: int | None = None, *, cache_dir: Path | None = None):
    """The one place a judge.runner.Judge is built (use it as a context manager). Without CACHE_DIR
    compiled programs go to a private temporary cache, which its sandbox can always reach."""
    from judge.runner import Judge, JudgeConfig

    return Judge(JudgeConfig(sandbox=sandbox, workers=workers, cache_dir=cache_dir))


def judge_description(judge) -> dict:
    """What decides a judge's verdicts: its sandbox and active layers, its code, its toolchains.
    Runs where the judge runs (on each Ray node too), so the fingerprint says how it really judged."""
    import judge as judge_package
    from judge.languages import language_ids, toolchain_version

    toolchains = {}
    for language in language_ids():
        try:
            toolchains[language] = toolchain_version(language)
        except Exception as e:  # a missing toolchain judges nothing (CE/IE); say which
            toolchains[language] = f"unavailable: {type(e).__name__}"
    return {"sandbox": judge.config.sandbox, "fast_path": judge.config.fast_path,
            "layers": sorted(layer.name for layer in judge.layers if layer.active),
            "judge_code": code_digest(Path(judge_package.__file__).parent), "toolchains": toolchains}


def judge_fingerprint(description: dict) -> str:
    return json.dumps(description, sort_keys=True)


EXECUTORS = ("local", "ray")


def make_cluster_judge(sandbox: str, workers: int | None, address: str | None):
    """The Ray executor (started: one judge per node, every node judging alike or refused), a Judge
    that sends each call through it, and the nodes' common fingerprint. ADDRESS None: RAY_ADDRESS,
    else a local Ray instance. Use the executor as a context manager."""
    from solver.selection.ray_executor import ExecutorJudge, RayExecutor

    executor = RayExecutor(address, sandbox=sandbox, workers=workers, describe=judge_description)
    try:
        executor.start()
    except BaseException:
        executor.close()
        raise
    return executor, ExecutorJudge(executor, executor.workers_total), judge_fingerprint(executor.description)


def code_digest(package_dir: Path) -> str:
    """A digest of a package's Python sources: stored verdicts of one judge's code are not reused
    by a judge whose code differs (a fixed bug must not live on in the store)."""
    h = hashlib.sha256()
    for path in sorted(package_dir.rglob("*.py")):
        h.update(str(path.relative_to(package_dir)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


@contextmanager
def judging(executor: str, sandbox: str, workers: int | None, ray_address: str | None = None):
    """(judge, fingerprint, executor) for EXECUTOR "local" (a judge here, executor None: the
    solvers' default pool over its workers) or "ray" (the nodes' judges; see make_cluster_judge).
    Everything is closed on exit."""
    if executor not in EXECUTORS:
        raise DataError("--executor", None, f"unknown executor {executor!r}; expected one of {', '.join(EXECUTORS)}")
    if executor == "ray":
        cluster, judge, fingerprint = make_cluster_judge(sandbox, workers, ray_address)
        with cluster:
            yield judge, fingerprint, cluster
        return
    if ray_address:
        raise DataError("--ray-address", None, "only meaningful with --executor ray")
    with make_judge(sandbox, workers) as judge:
        # The fingerprint of its configuration keys stored judgings: a verdict from one sandbox is
        # not reused under another.
        yield judge, judge_fingerprint(judge_description(judge)), None


# ------------------------------------------------------------------ solver

SOLVER_SPECS = "reference, samples:FILE, jax:RUN_DIR, hf:PATH or openai:URL"


def make_solver(spec: str, judge, backend_options=None, cache=None, executor=None, *, progress=None,
                sampling: dict | None = None) -> Solver:
    """The one way csim builds a solver from a spec string: `reference`, `samples:FILE`,
    `jax:RUN_DIR` -> solver.solvers; `jax-demo:RUN_DIR` is the JAX solver with `csim demo`'s sampling
    (simulator.demo.demo_solver); `hf:PATH` and `openai:URL` -> solver.backends' BackendSolver
    (BACKEND_OPTIONS, samples cached in CACHE). EXECUTOR runs the selection's judge work (None: the
    local pool over JUDGE's workers); PROGRESS (solver.selection.pipeline.Progress) reports filtering
    and clustering; SAMPLING overrides the JAX solver's sampling (temperature, languages, headers)."""
    from solver.backends.factory import BackendOptions, is_backend_spec, make_backend_solver
    from solver.selection.pipeline import Progress

    progress = progress or Progress()
    if is_backend_spec(spec):
        solver = make_backend_solver(spec, judge, backend_options or BackendOptions(), cache, executor)
        solver.progress = progress
        return solver
    kind, _, arg = spec.partition(":")
    if kind == "reference" and not arg:
        from solver.solvers.reference import ReferenceSolver

        return ReferenceSolver(judge=judge)
    if kind == "samples" and arg:
        from solver.solvers.samples_file import SamplesFileSolver

        path = Path(arg)
        if not path.is_file():
            raise DataError(path, None, "no such samples file")
        return SamplesFileSolver(path, judge, progress=progress, executor=executor)
    if kind in ("jax", "jax-demo") and arg:
        from solver.model.rundir import RunDir

        run_dir = RunDir(arg)
        run_dir.check()
        if kind == "jax-demo":
            from simulator.demo import demo_solver

            return demo_solver(run_dir.path, judge)
        from simulator.contamination import read_training_cutoff
        from solver.solvers.jax import JaxSolver

        solver = JaxSolver(run_dir.path, judge, executor=executor, progress=progress, **(sampling or {}))
        solver.model_cutoff = read_training_cutoff(run_dir.path)  # replay applies it unless --model-cutoff says otherwise
        return solver
    raise DataError("--solver", None, f"unknown solver {spec!r}: expected {SOLVER_SPECS}")


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
