"""What a run did, read back from the store: one JSON-able dict, and its rendering as rich tables.

The dict (build_report) is what `csim report --json` prints and what the HTML report
(simulator/report_html.py) draws; the terminal tables are a view of the same dict.
"""

from __future__ import annotations

from collections import defaultdict
from statistics import mean

from rich.console import Console
from rich.table import Table

from contests.errors import DataError
from contests.metrics import bootstrap_ci
from contests.rating import PERF_HI
from simulator.contamination import CONTAMINATED_NOTE
from simulator.store import Store
from simulator.store.models import Run

MADE_UP_NOTE = ("The standings of {contests} are MADE UP (invented participants): rank, percentile and ratings "
                "against them show the pipeline working, not a solver's strength.")


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


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


def contest_rows(store: Store, run_id: int) -> list[dict]:
    problems_by_contest = defaultdict(int)
    for p in store.problem_results(run_id):
        problems_by_contest[p.contest_id] += 1
    return [{
        "contest": r.contest_id, "name": r.contest.name, "rules": r.contest.rules, "made_up": r.made_up,
        "start_time": _iso(r.contest.start_time), "solved": r.solved, "problems": problems_by_contest[r.contest_id],
        "points": r.points, "penalty": r.penalty, "rank": r.rank, "worst_rank": r.worst_rank,
        "participants": r.participants, "percentile": r.percentile, "performance": r.performance,
        "rating_change": r.rating_change,
    } for r in store.contest_results(run_id)]


def problem_rows(store: Store, run_id: int) -> list[dict]:
    verdicts = defaultdict(list)
    for s in store.submissions(run_id):
        if s.verdict is not None:
            verdicts[s.problem_id].append(s.verdict)
    return [{
        "contest": p.contest_id, "index": p.problem.index, "name": p.problem.name, "rating": p.problem.rating,
        "scored": p.scored, "solved": p.solved, "points": p.points, "penalty": p.penalty, "minute": p.minute,
        "attempts": p.attempts, "rejected": p.rejected, "verdicts": verdicts[p.problem_id],
        "limits_defaulted": p.problem.limits_defaulted, "stats": p.stats,
        "pass_at_1": p.pass_at_1, "pass_at_10": p.pass_at_10, "ten_at_k": p.ten_at_k,
    } for p in store.problem_results(run_id)]


def _spread(values: list[float]) -> dict | None:
    if not values:
        return None
    low, high = bootstrap_ci(values)
    return {"mean": mean(values), "ci95": [low, high], "n": len(values)}


def seeds_summary(store: Store, run: Run) -> dict | None:
    """Mean and bootstrap 95% interval over the runs started together with RUN (one per seed)."""
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
        raise DataError(store.url, "run", f"no run {run_id}")
    contests = contest_rows(store, run_id)
    problems = problem_rows(store, run_id)
    ratings = {kind: {"value": r.value, **r.details} for kind, r in store.ratings(run_id).items()}
    solved = sum(p["solved"] for p in problems)
    made_up = [c["contest"] for c in contests if c["made_up"]]
    notes = [MADE_UP_NOTE.format(contests=", ".join(made_up))] if made_up else []
    capped = [c["contest"] for c in contests if c["performance"] is not None and c["performance"] >= PERF_HI]
    if capped:
        notes.append(f"First place in {', '.join(capped)}: no finite rating expects rank 1, so the performance "
                     f"shown is the search's upper bound ({PERF_HI}).")
    if any(p["limits_defaulted"] for p in problems):
        notes.append("Some problems had no time/memory limits in their source; Codeforces' usual 2 s / 256 MB were used.")
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


def sampling_cost(problems: list[dict]) -> dict | None:
    """Samples asked of an outside model, tokens and request seconds over the run; None when the
    solver asks none (csim's own model, a samples file)."""
    stats = [p["stats"] for p in problems if (p["stats"] or {}).get("requested") is not None]
    if not stats:
        return None
    return {key: sum(s.get(key) or 0 for s in stats)
            for key in ("drawn", "requested", "unextracted", "prompt_tokens", "completion_tokens", "request_seconds")}


def runs_list(store: Store, limit: int | None = None) -> list[dict]:
    rows = []
    for run in store.runs(limit):
        results = store.contest_results(run.id)
        rows.append({
            "id": run.id, "status": run.status, "solver": f"{run.solver_version.name} {run.solver_version.version}",
            "seed": run.seed, "label": run.label, "contests": len(run.settings.get("contests", [])),
            "progress": f"{run.progress_done}/{run.progress_total}",
            "mean_percentile": mean(c.percentile for c in results) if results else None,
            "made_up": any(c.made_up for c in results), "created_at": _iso(run.created_at),
            "contaminated": bool(run.settings.get("contaminated")),
        })
    return rows


# ------------------------------------------------------------------ terminal rendering

def fmt(value, digits: int = 1) -> str:
    """A table cell: '-' for nothing, floats to DIGITS places."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def render_report(report: dict, console: Console) -> None:
    run, summary = report["run"], report["summary"]
    solver = run["solver"]
    console.print(f"[bold]Run {run['id']}[/bold] ({run['status']}): {solver['name']} {solver['version']} "
                  f"[dim](code {solver['code_revision']}, digest {solver['digest']})[/dim], seed {run['seed']}, "
                  f"schedule {run['settings'].get('schedule')}")
    table = Table(title="Contests")
    for column in ("contest", "rules", "solved", "points", "penalty", "rank", "pct", "perf", "Δ rating"):
        table.add_column(column, justify="left" if column in ("contest", "rules") else "right")
    for c in report["contests"]:
        name = c["contest"] + (" [red]MADE UP[/red]" if c["made_up"] else "") + (
            " [red]CONTAMINATED[/red]" if c.get("contaminated") else "")
        table.add_row(name, c["rules"], f"{c['solved']}/{c['problems']}", fmt(c["points"]), str(c["penalty"]),
                      f"{c['rank']}/{c['participants']}", f"{c['percentile']:.1f}%", fmt(c["performance"], 0),
                      fmt(c["rating_change"]))
    console.print(table)
    table = Table(title="Problems")
    several = len(report["contests"]) > 1
    metrics = any(p["pass_at_1"] is not None for p in report["problems"])  # only where the solver judged every sample
    columns = ["problem", "rating", "solved", "minute", "points", "tries", "verdicts"] + (["pass@1", "10@k"] if metrics else [])
    for column in columns:
        table.add_column(column, justify="left" if column in ("problem", "verdicts") else "right")
    for p in report["problems"]:
        label = f"{p['contest']} {p['index']}" if several else f"{p['index']} {p['name']}"
        cells = [label, fmt(p["rating"]), "yes" if p["solved"] else "no", fmt(p["minute"]), fmt(p["points"]),
                 str(p["attempts"]), " ".join(p["verdicts"])]
        table.add_row(*cells, *([fmt(p["pass_at_1"], 3), fmt(p["ten_at_k"], 3)] if metrics else []))
    console.print(table)
    lines = [f"solved {summary['solved']}/{summary['problems']} problems"]
    if summary["mean_percentile"] is not None:
        lines.append(f"mean percentile (pct) {summary['mean_percentile']:.1f}% (share of participants strictly better)")
    for kind, r in report["ratings"].items():
        lines.append(f"{kind} rating {r['value']:.0f}")
    if seeds := report["seeds"]:
        if p := seeds["mean_percentile"]:
            lines.append(f"over {p['n']} seeds: mean percentile {p['mean']:.1f}% "
                         f"(95% CI {p['ci95'][0]:.1f}..{p['ci95'][1]:.1f})")
        if r := seeds["sequential_rating"]:
            lines.append(f"over {r['n']} seeds: sequential rating {r['mean']:.0f} (95% CI {r['ci95'][0]:.0f}..{r['ci95'][1]:.0f})")
    console.print("; ".join(lines))
    if cost := summary.get("sampling_cost"):
        console.print(f"sampling: {cost['drawn']} samples drawn, {cost['requested']} asked of the model (the rest "
                      f"from the generation cache), {cost['unextracted']} without code; {cost['prompt_tokens']:,} "
                      f"prompt and {cost['completion_tokens']:,} completion tokens, {cost['request_seconds']:.1f} s "
                      f"in requests")
    for note in report["notes"]:
        console.print(f"[bold yellow]Note:[/bold yellow] {note}")


def render_runs(rows: list[dict], console: Console) -> None:
    table = Table(title="Runs")
    for column in ("id", "status", "solver", "seed", "label", "contests", "progress", "mean percentile", "created"):
        table.add_column(column)
    for r in rows:
        pct = "-" if r["mean_percentile"] is None else f"{r['mean_percentile']:.1f}%" + (" (made up)" if r["made_up"] else "") + (
            " (contaminated)" if r.get("contaminated") else "")
        table.add_row(str(r["id"]), r["status"], r["solver"], str(r["seed"]), r["label"] or "", str(r["contests"]),
                      r["progress"], pct, (r["created_at"] or "")[:19])
    console.print(table)
