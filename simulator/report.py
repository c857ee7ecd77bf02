"""What a run did, read back from the store: one JSON-able dict, and its rendering as rich tables.

The dict (build_report) is what `csim report --json` prints and what the HTML report
(simulator/report_html.py) draws; the terminal tables are a view of the same dict.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from statistics import mean

from rich.console import Console
from rich.table import Table

from contests.errors import DataError
from contests.metrics import bootstrap_ci
from contests.model import WEAK_TESTS_BELOW, as_utc
from contests.rating import performance_note
from simulator.compare import MIN_SEEDS, TOO_FEW_SEEDS
from simulator.contamination import CONTAMINATED_NOTE
from simulator.store import Store
from simulator.store.models import Run

LOWER_BOUND_NOTE = ("Contest {contest}: only {coverage}; the others (no hidden tests, or interactive) count as "
                    "unsolved, so its solved count, points, rank, percentile, performance and rating change are "
                    "lower bounds: the solver may have done better.")
WEAK_TESTS_NOTE = ("Weak tests: {problems} judged on fewer than {threshold} hidden tests, where an accepted program "
                   "may well be wrong (AlphaCode: 62% of programs accepted on CodeContests' raw tests were wrong, "
                   "4% once generated tests were added).")
MADE_UP_NOTE = ("The standings of {contests} are MADE UP (invented participants): rank, percentile and ratings "
                "against them show the pipeline working, not a solver's strength.")


def _iso(value) -> str | None:
    """A stored time in ISO 8601 with its zone: csim stores UTC, and SQLite hands it back naive."""
    if value is None:
        return None
    return as_utc(value).isoformat()


def run_summary(run: Run) -> dict:
    return {
        "id": run.id, "status": run.status, "message": run.message, "seed": run.seed, "label": run.label,
        "group": run.group_key, "settings": run.settings,
        "progress": {"done": run.progress_done, "total": run.progress_total},
        "solve_seconds": round(run.solve_seconds, 3), "judge_seconds": round(run.judge_seconds, 3),
        "created_at": _iso(run.created_at), "started_at": _iso(run.started_at), "finished_at": _iso(run.finished_at),
        "solver": {"name": run.solver_version.name, "version": run.solver_version.version,
                   "code_revision": run.solver_version.code_revision,
                   "checkpoint_digest": run.solver_version.checkpoint_digest,
                   "digest": run.solver_version.digest[:12]},
    }


def coverage(problems: int, judgeable: int | None) -> dict:
    """What a contest result covers: `k of n problems judgeable`; fewer than all: a lower bound.
    JUDGEABLE None: a run stored before csim recorded it (unknown, not claimed complete)."""
    return {"problems": problems, "judgeable": judgeable,
            "lower_bound": judgeable is None or judgeable < problems,
            "coverage": f"{'?' if judgeable is None else judgeable} of {problems} problems judgeable"}


def contest_rows(store: Store, run_id: int) -> list[dict]:
    """One row per contest of the run. `performance` is Codeforces' definition (carrot's), null
    with `performance_note` saying why where there is none; `codeelo_performance` is CodeElo's."""
    problems_by_contest = defaultdict(int)
    for p in store.problem_results(run_id):
        problems_by_contest[p.contest_id] += 1
    return [{
        "contest": r.contest_id, "name": r.contest.name, "rules": r.contest.rules, "made_up": r.made_up,
        "start_time": _iso(r.contest.start_time), "solved": r.solved,
        **coverage(r.problems if r.problems is not None else problems_by_contest[r.contest_id], r.judgeable),
        "points": r.points, "penalty": r.penalty, "rank": r.rank, "worst_rank": r.worst_rank,
        "participants": r.participants, "unrated": r.unrated, "percentile": r.percentile,
        "worst_percentile": r.worst_percentile, "performance": r.performance,
        "performance_note": performance_note(r.performance, r.worst_rank, r.solved, r.rating_change is not None),
        "codeelo_performance": r.codeelo_performance, "rating_change": r.rating_change,
        "newcomer_rating": r.newcomer_rating,
    } for r in store.contest_results(run_id)]


def problem_rows(store: Store, run_id: int) -> list[dict]:
    verdicts = defaultdict(list)
    for s in store.submissions(run_id):
        if s.verdict is not None:
            verdicts[s.problem_id].append(s.verdict)
    return [{
        "contest": p.contest_id, "index": p.problem.index, "problem": p.problem.problem_id, "name": p.problem.name,
        "rating": p.problem.rating, "judgeable": p.problem.judgeable,
        "scored": p.scored, "solved": p.solved, "points": p.points, "penalty": p.penalty, "minute": p.minute,
        "attempts": p.attempts, "rejected": p.rejected, "verdicts": verdicts[p.problem_id],
        # tests: the statement's examples, the hidden tests judged on, and how many of those were generated
        "examples": p.problem.examples, "tests": p.problem.tests, "generated_tests": p.problem.generated_tests,
        "weak_tests": p.problem.judgeable and p.problem.tests < WEAK_TESTS_BELOW,
        "limits_defaulted": p.problem.limits_defaulted,
        "samples_drawn": p.stats.get("drawn", 0), "stats": p.stats, "notes": list(p.notes),
        "pass_at_1": p.pass_at_1, "pass_at_10": p.pass_at_10, "ten_at_k": p.ten_at_k,
    } for p in store.problem_results(run_id)]


def _spread(values: list[float]) -> dict | None:
    """Mean over seeds, with a bootstrap 95% interval from MIN_SEEDS seeds on ("too few seeds" below)."""
    if not values:
        return None
    if len(values) < MIN_SEEDS:
        return {"mean": mean(values), "ci95": None, "n": len(values), "note": TOO_FEW_SEEDS}
    low, high = bootstrap_ci(values)
    return {"mean": mean(values), "ci95": [low, high], "n": len(values), "note": None}


def seeds_summary(store: Store, run: Run) -> dict | None:
    """Mean (and, from 3 seeds, a bootstrap 95% interval) over the runs started together with RUN
    (one per seed)."""
    if not run.group_key:
        return None
    runs = [r for r in store.group_runs(run.group_key) if r.status == "done"]
    if len(runs) < 2:
        return None
    percentiles, ratings, solved = [], [], []
    for r in runs:
        results = store.contest_results(r.id)
        if results:
            percentiles.append(mean(c.percentile for c in results))
            solved.append(sum(c.solved for c in results))
        if (estimate := store.ratings(r.id).get("sequential")) is not None:
            ratings.append(estimate.value)
    return {"runs": [r.id for r in runs], "seeds": [r.seed for r in runs],
            "mean_percentile": _spread(percentiles), "sequential_rating": _spread(ratings),
            "solved": _spread(solved)}


def difficulty_rows(problems: list[dict]) -> list[dict]:
    """Solve rate per problem rating (unrated problems together under None)."""
    buckets = defaultdict(lambda: [0, 0])
    for p in problems:
        buckets[p["rating"]][0] += p["solved"]
        buckets[p["rating"]][1] += 1
    order = sorted(buckets, key=lambda r: (r is None, r or 0))
    return [{"rating": r, "solved": buckets[r][0], "problems": buckets[r][1],
             "solve_rate": buckets[r][0] / buckets[r][1]} for r in order]


def build_report(store: Store, run_id: int) -> dict:
    run = store.run(run_id)
    if run is None:
        raise DataError(store.where, "run", f"no run {run_id}")
    contests = contest_rows(store, run_id)
    problems = problem_rows(store, run_id)
    ratings = {kind: {"value": r.value, **r.details} for kind, r in store.ratings(run_id).items()}
    solved = sum(p["solved"] for p in problems)
    made_up = [c["contest"] for c in contests if c["made_up"]]
    notes = [MADE_UP_NOTE.format(contests=", ".join(made_up))] if made_up else []
    for c in contests:
        if c["performance_note"]:
            notes.append(f"Contest {c['contest']}: performance {c['performance_note']}.")
    if unrated := sum(c["unrated"] or 0 for c in contests):
        notes.append(f"{unrated} unrated standings rows (out of competition) are left out of rank, percentile, "
                     "performance and rating alike.")
    notes += input_notes(run.settings or {}, contests, problems)
    contaminated = run.settings.get("contaminated") or []
    for c in contests:
        c["contaminated"] = c["contest"] in contaminated
    if contaminated:
        notes.append(CONTAMINATED_NOTE.format(contests=", ".join(contaminated), cutoff=run.settings.get("model_cutoff")))
    if run.status != "done":
        notes.append(f"Run {run.id} is {run.status} ({run.progress_done}/{run.progress_total} problems): "
                     "results are partial; resume with `csim replay --resume`.")
    return {
        "run": run_summary(run),
        "summary": {
            "contests": len(contests), "problems": len(problems), "solved": solved,
            "solve_rate": solved / len(problems) if problems else None,
            "mean_percentile": mean(c["percentile"] for c in contests) if contests else None,
            "submissions_per_solved": (sum(p["attempts"] for p in problems if p["solved"]) / solved) if solved else None,
            "made_up": bool(made_up),
            "judgeable": sum(p["judgeable"] for p in problems),
            "lower_bound": any(c["lower_bound"] for c in contests),
            "samples_drawn": sum(p["samples_drawn"] for p in problems),
            "weak_tests_below": WEAK_TESTS_BELOW,
            "contaminated": bool(contaminated),
            "sampling_cost": sampling_cost(problems),
        },
        "contests": contests,
        "problems": problems,
        "difficulty": difficulty_rows(problems),
        "ratings": ratings,
        "seeds": seeds_summary(store, run),
        "notes": notes,
    }


def input_notes(settings: dict, contests: list[dict], problems: list[dict]) -> list[str]:
    """What the report must say about a run's inputs: lower bounds, weak tests, defaulted limits,
    samples missing or matching nothing, undated contests a date range skipped."""
    notes = [LOWER_BOUND_NOTE.format(contest=c["contest"], coverage=c["coverage"])
             for c in contests if c["lower_bound"]]
    weak = [f"{p['contest']} {p['index']} ({p['tests']})" for p in problems if p["weak_tests"]]
    if weak:
        notes.append(WEAK_TESTS_NOTE.format(problems=", ".join(weak), threshold=WEAK_TESTS_BELOW))
    defaulted = [f"{p['contest']} {p['index']}" for p in problems if p["limits_defaulted"]]
    if defaulted:
        notes.append(f"No time/memory limits in the source of {', '.join(defaulted)}: Codeforces' usual 2 s / 256 MB "
                     "were used.")
    if settings.get("samples_missing"):
        notes.append(f"The samples file has no samples for {', '.join(settings['samples_missing'])}: counted as "
                     "unsolved (--allow-missing-samples).")
    if settings.get("samples_unmatched"):
        unmatched = settings["samples_unmatched"]
        notes.append(f"{sum(unmatched.values())} samples of the samples file name no problem of this run: "
                     + ", ".join(f"{k!r} ({v})" for k, v in unmatched.items()) + ".")
    budget = settings.get("samples")
    short = [p for p in problems if p["judgeable"] and budget and p["samples_drawn"] < budget]
    if settings.get("schedule", "alphacode") != "alphacode":
        short = []  # only AlphaCode's schedule times submissions by the samples drawn
    if short:
        notes.append(f"Samples drawn below the budget of {budget} for {len(short)} problems (e.g. "
                     f"{short[0]['contest']} {short[0]['index']}: {short[0]['samples_drawn']}); simulated submission "
                     "times follow the samples drawn.")
    if settings.get("skipped_undated"):
        undated = settings["skipped_undated"]
        notes.append(f"--after/--before skipped {len(undated)} undated contests: {', '.join(undated)}.")
    return notes


def sampling_cost(problems: list[dict]) -> dict | None:
    """Samples asked of an outside model, tokens and request seconds over the run; None when the
    solver asks none (csim's own model, a samples file)."""
    stats = [p["stats"] for p in problems if (p["stats"] or {}).get("requested") is not None]
    if not stats:
        return None
    return {key: sum(s.get(key) or 0 for s in stats)
            for key in ("drawn", "requested", "unextracted", "prompt_tokens", "completion_tokens", "request_seconds")}


@dataclass(frozen=True)
class RunRow:
    """One line of `csim runs list`."""

    id: int
    status: str
    solver: str  # "NAME VERSION"
    seed: int
    label: str | None
    contests: int
    progress: str  # "DONE/TOTAL" problems
    mean_percentile: float | None  # share of participants strictly better, mean over the contests
    made_up: bool  # some contest's standings are made up
    created_at: str | None  # ISO 8601 with zone
    problems: int
    judgeable: int | None  # None: unknown for some contest
    lower_bound: bool  # some problem could not be judged: the result is a lower bound
    contaminated: bool

    def to_dict(self) -> dict:
        return asdict(self)


def runs_list(store: Store, limit: int | None = None) -> list[RunRow]:
    rows = []
    for run in store.runs(limit):
        results = store.contest_results(run.id)
        covered = [coverage(c.problems if c.problems is not None else 0, c.judgeable) for c in results]
        rows.append(RunRow(
            id=run.id, status=run.status, solver=f"{run.solver_version.name} {run.solver_version.version}",
            seed=run.seed, label=run.label, contests=len(run.settings.get("contests", [])),
            progress=f"{run.progress_done}/{run.progress_total}",
            mean_percentile=mean(c.percentile for c in results) if results else None,
            made_up=any(c.made_up for c in results), created_at=_iso(run.created_at),
            problems=sum(c["problems"] for c in covered),
            judgeable=None if any(c["judgeable"] is None for c in covered) else sum(c["judgeable"] for c in covered),
            lower_bound=any(c["lower_bound"] for c in covered),
            contaminated=bool(run.settings.get("contaminated")),
        ))
    return rows


# ------------------------------------------------------------------ terminal rendering

RATING_LABELS = {"sequential": "sequential rating (AlphaCode)",
                 "mean-performance": "mean performance (Codeforces' definition)",
                 "codeelo-mean-performance": "mean performance (CodeElo's definition)"}

def fmt(value, digits: int = 1) -> str:
    """A table cell: '-' for nothing, floats to DIGITS places."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _performance_cell(value: float | None, note: str | None) -> str:
    """A short cell: the value, a bound as >=/<=, or the note's first words (the notes below the
    table say the rest)."""
    if value is None:
        return (note or "-").split(":")[0]
    if note and note.startswith("at least"):
        return f">={value:.0f}"
    if note and note.startswith("at most"):
        return f"<={value:.0f}"
    return f"{value:.0f}"


def render_report(report: dict, console: Console) -> None:
    run, summary = report["run"], report["summary"]
    solver = run["solver"]
    console.print(f"[bold]Run {run['id']}[/bold] ({run['status']}): {solver['name']} {solver['version']} "
                  f"[dim](code {solver['code_revision']}, digest {solver['digest']})[/dim], seed {run['seed']}, "
                  f"schedule {run['settings'].get('schedule')}")
    table = Table(title="Contests")
    for column in ("contest", "rules", "solved", "points", "penalty", "rank", "pct", "CF perf", "CodeElo perf",
                   "Δ rating"):
        table.add_column(column, justify="left" if column in ("contest", "rules") else "right")
    for c in report["contests"]:
        name = c["contest"] + (" [red]MADE UP[/red]" if c["made_up"] else "") + (
            " [red]CONTAMINATED[/red]" if c.get("contaminated") else "")
        solved = f"{c['solved']}/{c['problems']}" + (f" [yellow]≥ ({c['coverage']})[/yellow]" if c["lower_bound"] else "")
        rank = f"{c['rank']}" + (f"-{c['worst_rank']}" if c["worst_rank"] > c["rank"] else "")
        perf = _performance_cell(c["performance"], c["performance_note"])
        table.add_row(name, c["rules"], solved, fmt(c["points"]), str(c["penalty"]),
                      f"{rank}/{c['participants'] + 1}", f"{c['percentile']:.1f}%", perf,
                      fmt(c["codeelo_performance"], 0), fmt(c["rating_change"]))
    console.print(table)
    console.print("rank: the place range of a tie among the rated participants and this result; pct: share of them "
                  "strictly better (AlphaCode); CF perf: Codeforces' performance (carrot's definition, at the tie's "
                  "worst place, as the rating change); CodeElo perf: CodeElo's definition at the same place")
    table = Table(title="Problems")
    several = len(report["contests"]) > 1
    metrics = any(p["pass_at_1"] is not None for p in report["problems"])  # only where the solver judged every sample
    columns = (["problem", "rating", "tests ex/hidden/gen", "drawn", "solved", "minute", "points", "tries", "verdicts"]
               + (["pass@1", "10@k"] if metrics else []))
    for column in columns:
        table.add_column(column, justify="left" if column in ("problem", "verdicts", "tests ex/hidden/gen") else "right")
    for p in report["problems"]:
        label = f"{p['contest']} {p['index']}" if several else f"{p['index']} {p['name']}"
        tests = f"{p['examples']}/{p['tests']}/{p['generated_tests']}"
        if not p["judgeable"]:
            tests += " [yellow]not judgeable[/yellow]"
        elif p["weak_tests"]:
            tests += " [yellow]weak[/yellow]"
        if p["limits_defaulted"]:
            tests += " [dim]limits defaulted[/dim]"
        cells = [label, fmt(p["rating"]), tests, str(p["samples_drawn"]), "yes" if p["solved"] else "no",
                 fmt(p["minute"]), fmt(p["points"]), str(p["attempts"]), " ".join(p["verdicts"])]
        table.add_row(*cells, *([fmt(p["pass_at_1"], 3), fmt(p["ten_at_k"], 3)] if metrics else []))
    console.print(table)
    lines = [f"solved {summary['solved']}/{summary['problems']} problems"
             + (f" (a lower bound: {summary['judgeable']} judgeable)" if summary["lower_bound"] else "")]
    if summary["mean_percentile"] is not None:
        lines.append(f"mean percentile (pct) {summary['mean_percentile']:.1f}% (share of participants strictly better)")
    for kind, r in report["ratings"].items():
        label = RATING_LABELS.get(kind, kind)
        left_out = f" (left out: {', '.join(r['left_out'])})" if r.get("left_out") else ""
        lines.append(f"{label} {r['value']:.0f}{left_out}")
    if seeds := report["seeds"]:
        for key, label, digits in (("mean_percentile", "mean percentile", 1), ("sequential_rating", "sequential rating", 0)):
            if p := seeds[key]:
                spread = (f"95% CI {p['ci95'][0]:.{digits}f}..{p['ci95'][1]:.{digits}f}" if p["ci95"] else p["note"])
                lines.append(f"over {p['n']} seeds: {label} {p['mean']:.{digits}f} ({spread})")
    console.print("; ".join(lines))
    if cost := summary.get("sampling_cost"):
        console.print(f"sampling: {cost['drawn']} samples drawn, {cost['requested']} asked of the model (the rest "
                      f"from the generation cache), {cost['unextracted']} without code; {cost['prompt_tokens']:,} "
                      f"prompt and {cost['completion_tokens']:,} completion tokens, {cost['request_seconds']:.1f} s "
                      f"in requests")
    print_notes(report["notes"], console)


def print_notes(notes: list[str], console: Console) -> None:
    """Caveats under a printed result, one per line (reports and analyses alike)."""
    for note in notes:
        console.print(f"[bold yellow]Note:[/bold yellow] {note}")


def render_runs(rows: list[RunRow], console: Console) -> None:
    table = Table(title="Runs")
    for column in ("id", "status", "solver", "seed", "label", "contests", "progress", "mean percentile",
                   "created (UTC)"):
        table.add_column(column)
    for r in rows:
        pct = "-" if r.mean_percentile is None else f"{r.mean_percentile:.1f}%" + (" (made up)" if r.made_up else "") + (
            " (contaminated)" if r.contaminated else "")
        if r.mean_percentile is not None and r.lower_bound:
            judgeable = "?" if r.judgeable is None else r.judgeable
            pct += f" (lower bound: {judgeable} of {r.problems} problems judgeable)"
        created = r.created_at.replace("T", " ")[:19] if r.created_at else ""  # stored in UTC
        table.add_row(str(r.id), r.status, r.solver, str(r.seed), r.label or "", str(r.contests),
                      r.progress, pct, created)
    console.print(table)
