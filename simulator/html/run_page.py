"""A run's report as one self-contained HTML page: charts (static SVG), readable tables, and per
problem a drill-down (sample funnel, submitted sources, per-test verdicts, time and memory).

REPORT is the dict of simulator.report.build_report, optionally with the keys of
simulator.analysis.details.report_details. Keys that other parts of csim add over time (ties,
judgeable problems, both performance definitions, test counts) are read with .get and shown where
present."""

from __future__ import annotations

from collections import defaultdict
from html import escape

from contests.model import WEAK_TESTS_BELOW
from contests.rating import PERF_HI
from simulator.html import charts
from simulator.html.page import Column, figure, missing, notes, number, page, table

GIB, MIB = 1024 ** 3, 1024 ** 2


def _badge(text: str, kind: str = "warn") -> str:
    return f'<span class="badge {kind}">{escape(text)}</span>'


def _lower_bound(c: dict) -> bool:
    judgeable, problems = c.get("judgeable"), c.get("problems")
    return judgeable is not None and problems is not None and judgeable < problems


def _judgeable_text(c: dict) -> str:
    return f"lower bound: {c['judgeable']} of {c['problems']} problems judgeable"


def contest_caveats(contests: list[dict]) -> list[str]:
    """The caveats that qualify per-contest figures, each naming its contests."""
    out = []
    if made_up := [c["contest"] for c in contests if c.get("made_up")]:
        out.append(f"MADE-UP standings (invented participants) in {', '.join(made_up)}: placement there shows the "
                   "pipeline working, not a solver's strength.")
    for c in contests:
        if _lower_bound(c):
            out.append(f"{c['contest']}: {_judgeable_text(c)} (the others count as unsolved).")
    if ties := [c["contest"] for c in contests if c.get("worst_rank") not in (None, c.get("rank"))]:
        out.append(f"Ties in {', '.join(ties)}: the solver shares its place with others; the percentile is at the best "
                   "place of the tie, the grey bar reaches the worst.")
    return out


def performance_caveats(contests: list[dict]) -> list[str]:
    out = []
    if any(c.get("codeelo_performance") is not None for c in contests):
        out.append("Two definitions: Codeforces' (the place the rating update uses) and CodeElo's, which reads "
                   "higher; quote the one you compare with.")
    else:
        out.append("Performance as this run stored it; see docs for its definition.")
    if capped := [c["contest"] for c in contests if (c.get("performance") or 0) >= PERF_HI]:
        out.append(f"First place in {', '.join(capped)}: the performance shown is the search's upper bound ({PERF_HI}).")
    if none := [c["contest"] for c in contests if c.get("performance") is None]:
        out.append(f"No performance for {', '.join(none)} (nothing solved, or no rated participants).")
    if unrated := [c for c in contests if c.get("unrated")]:
        out.append("Unrated rows left out of performance: " + ", ".join(f"{c['contest']} {c['unrated']}" for c in unrated) + ".")
    return out


def _interval(spread: dict | None) -> tuple[float | None, float | None]:
    if not spread or not spread.get("ci95"):
        return None, None
    return spread["ci95"][0], spread["ci95"][1]


def _seed_note(seed_spread: dict | None) -> list[str]:
    if not seed_spread:
        return ["One seed: no interval over seeds (replay with several --seed for one)."]
    few = sorted({s["n"] for figures in seed_spread.values() for s in figures.values() if s.get("too_few_seeds")})
    if few:
        return [f"Too few seeds for an interval ({', '.join(map(str, few))}; at least 3 needed)."]
    n = max(s["n"] for figures in seed_spread.values() for s in figures.values())
    return [f"Red bars: 95% bootstrap interval over {n} seeds."]


def contest_charts(report: dict) -> list[str]:
    contests, spread = report["contests"], report.get("seed_spread") or {}
    if not contests:
        return [missing("percentile", "No contest was placed (the run has no contest results yet).")]
    rows = []
    for c in contests:
        low, high = _interval(spread.get(c["contest"], {}).get("percentile"))
        worst = c.get("worst_percentile")
        rows.append({"contest": c["contest"], "percentile": c["percentile"],
                     "worst_percentile": worst if worst is not None else c["percentile"],
                     "low": low, "high": high, "rank_text": _rank_text(c)})
    out = [figure("percentile", charts.svg(charts.percentile_per_contest(rows)),
                  contest_caveats(contests) + _seed_note(report.get("seed_spread")))]
    perf_rows = []
    for c in contests:
        low, high = _interval(spread.get(c["contest"], {}).get("performance"))
        if c.get("performance") is not None:
            perf_rows.append({"contest": c["contest"], "definition": "Codeforces" if "codeelo_performance" in c
                              else "performance", "performance": c["performance"], "low": low, "high": high})
        if c.get("codeelo_performance") is not None:
            perf_rows.append({"contest": c["contest"], "definition": "CodeElo", "performance": c["codeelo_performance"],
                              "low": None, "high": None})
    if perf_rows:
        out.append(figure("performance", charts.svg(charts.performance_per_contest(perf_rows)),
                          performance_caveats(contests) + contest_caveats(contests)))
    else:
        out.append(missing("performance", "No performance in any contest (nothing solved, or no rated participants)."))
    return out


def rating_chart(report: dict) -> str:
    sequential = report["ratings"].get("sequential")
    if not sequential or not sequential.get("history"):
        return missing("rating", "No sequential rating (the standings carry no ratings).")
    rows = [{"step": 0, "contest": "start", "rating": float(sequential["start"])}]
    rows += [{"step": i + 1, "contest": h["contest"], "rating": float(h["rating"])}
             for i, h in enumerate(sequential["history"])]
    caveats = ["Against MADE-UP standings." if sequential.get("made_up") else ""]
    caveats += [f"Starts at {sequential['start']} (the newcomer rating unless --start-rating was given)."]
    if any(_lower_bound(c) for c in report["contests"]):
        caveats.append("Some contests are lower bounds (not every problem judgeable), so this rating is one too.")
    return figure("rating", charts.svg(charts.rating_over_contests(rows)), caveats)


def difficulty_chart(report: dict) -> str:
    rows = [{"rating": str(d["rating"]) if d["rating"] is not None else "unrated",
             "solve_rate_pct": 100.0 * d["solve_rate"], "label": f"{d['solved']} of {d['problems']}"}
            for d in report.get("difficulty", [])]
    if not rows:
        return missing("difficulty", "No problems.")
    caveats = []
    if any(d["problems"] < 5 for d in report["difficulty"]):
        caveats.append("Few problems at some ratings (see the labels): those bars can swing by a whole problem.")
    return figure("difficulty", charts.svg(charts.solve_rate_by_rating(rows)), caveats)


def human_chart(report: dict) -> str:
    scores = report.get("human_scores")
    if not scores:
        return missing("human-scores", report.get("human_scores_note") or
                       "The human score distribution needs the contest standings (csim report with details).")
    rows = [{"contest": cid, "score": s} for cid, v in scores.items() for s in v["humans"]]
    marks = [{"contest": cid, "score": v["solver"]} for cid, v in scores.items()]
    kinds = {v["score"] for v in scores.values()}
    title = kinds.pop() if len(kinds) == 1 else "score (points or problems solved)"
    caveats = []
    if made_up := [cid for cid, v in scores.items() if v["made_up"]]:
        caveats.append(f"MADE-UP participants in {', '.join(made_up)}.")
    caveats += [f"{c['contest']}: {_judgeable_text(c)}." for c in report["contests"] if _lower_bound(c)]
    return figure("human-scores", charts.svg(charts.human_scores_facets(rows, marks, title)), caveats)


def scaling_rows(curve: list[dict]) -> list[dict]:
    rows = []
    for point in curve:
        for metric, key in (("pass@k", "pass_at_k"), ("10@k", "ten_at_k")):
            v = point[key]
            rows.append({"k": point["k"], "metric": metric, "rate_pct": 100 * v["mean"], "low_pct": 100 * v["ci95"][0],
                         "high_pct": 100 * v["ci95"][1], "problems": point["problems"]})
    return rows


def scaling_chart(report: dict) -> str:
    scaling = report.get("scaling")
    if not scaling:
        return missing("scaling", "No pass@k / 10@k curve: this run judged only its submissions. Replay with "
                                  "--sample-metrics to judge every sample on the hidden tests.")
    n = max((p["problems"] for p in scaling["overall"]), default=0)
    caveats = list(scaling.get("notes", []))
    caveats += [f"{c['contest']}: {_judgeable_text(c)}; unjudgeable problems are not in these curves."
                for c in report["contests"] if _lower_bound(c)]
    return figure("scaling", charts.svg(charts.scaling(scaling_rows(scaling["overall"]),
                                                       f"Solve rate against samples, {n} problems")), caveats)


def selection_rows(selection: dict) -> list[dict]:
    return [{"k": p["k"], "strategy": name, "rate_pct": 100 * p["mean"], "low_pct": 100 * p["ci95"][0],
             "high_pct": 100 * p["ci95"][1], "problems": p["problems"]}
            for name, curve in selection["curves"].items() for p in curve]


def selection_chart(report: dict) -> str:
    selection = report.get("selection")
    if not selection:
        return missing("selection", "No selection strategies compared: this run stored no per-sample outcomes. "
                                    "Replay with --sample-metrics to keep every sample's verdicts and cluster.")
    n = max((p["problems"] for p in selection["curves"]["oracle"]), default=0)
    caveats = [f"{s['name']}: {s['why']}" for s in selection["strategies"] if not s["available"]]
    same = defaultdict(list)  # curves equal at every k are drawn over each other: said, so none seems missing
    for name, curve in selection["curves"].items():
        same[tuple(round(p["mean"], 6) for p in curve)].append(name)
    caveats += [f"{', '.join(names)}: the same at every k (their lines lie on top of each other)"
                for names in same.values() if len(names) > 1]
    caveats += ["oracle: solved if any of the k samples is correct, an upper bound no selection reaches for sure.",
                *selection.get("notes", [])]
    return figure("selection", charts.svg(charts.selection(selection_rows(selection),
                                                           f"Selection strategies: 10@k, {n} problems")), caveats)


def funnel_counts(p: dict, subs: list[dict]) -> dict:
    stats = p.get("stats") or {}
    return {"drawn": stats.get("drawn"), "distinct": stats.get("distinct"),
            "passed examples": stats.get("passed_examples"), "clusters": stats.get("clusters"),
            "submitted": sum(1 for s in subs if s.get("in_time", True)) if subs else p.get("attempts"),
            "accepted": int(bool(p.get("solved")))}


def funnel_chart(report: dict) -> str:
    subs = report.get("submissions") or {}
    rows = []
    for p in report["problems"]:
        key = f"{p['contest']}/{p['index']}"
        for stage, count in funnel_counts(p, subs.get(key, [])).items():
            if count is not None:
                rows.append({"problem": key, "stage": stage, "count": count})
    if not rows:
        return missing("funnel", "No problems.")
    return figure("funnel", charts.svg(charts.funnel(rows)),
                  ["drawn and passed examples count every sample drawn, duplicates included; distinct and clusters "
                   "count programs."])


def _rank_text(c: dict) -> str:
    rank, worst = c.get("rank"), c.get("worst_rank")
    place = f"{rank:,}" if worst in (None, rank) else f"{rank:,}–{worst:,}"
    return f"{place} of {c.get('participants', 0):,}"


def _contest_cell(c: dict) -> str:
    text = escape(c["contest"])
    if c.get("made_up"):
        text += _badge("MADE UP", "bad")
    if _lower_bound(c):
        text += _badge(f"{c['judgeable']} of {c['problems']} judgeable")
    return text


def _solved_cell(c: dict) -> str:
    prefix = "≥ " if _lower_bound(c) else ""
    return f"{prefix}{c['solved']} of {c['problems']}" if c.get("problems") is not None else str(c["solved"])


def _perf_cell(key: str) -> callable:
    def show(c: dict) -> str:
        v = c.get(key)
        if v is None:  # nothing solved, or first place: no number means anything; say why
            return escape(c.get("performance_note") or "–") if key == "performance" else "–"
        return (f"≥ {v:,.0f}" if v >= PERF_HI else f"{v:,.0f}")
    return show


def contest_table(contests: list[dict]) -> str:
    columns = [Column("contest", "contest", _contest_cell, numeric=False), Column("rules", "rules", numeric=False),
               Column("start_time", "start (UTC)", lambda c: escape((c.get("start_time") or "–")[:16].replace("T", " ")),
                      numeric=False),
               Column("solved", "solved", _solved_cell),
               Column("points", "points", lambda c: number(c.get("points"), 0)),
               Column("penalty", "penalty (min)"),
               Column("rank", "rank", lambda c: _rank_text(c)),
               Column("percentile", "percentile (% strictly better)", lambda c: number(c.get("percentile"), 1, "%")),
               Column("performance", "performance", _perf_cell("performance"))]
    if any("codeelo_performance" in c for c in contests):
        columns.append(Column("codeelo_performance", "CodeElo performance", _perf_cell("codeelo_performance")))
    columns.append(Column("rating_change", "rating change (newcomer)",
                          lambda c: "–" if c.get("rating_change") is None else f"{c['rating_change']:+,}"))
    if any("newcomer_rating" in c for c in contests):
        columns.append(Column("newcomer_rating", "newcomer rating"))
    return table("contests", contests, columns)


def _problem_cell(p: dict) -> str:
    text = escape(f"{p['contest']} {p['index']}")
    if p.get("name"):
        text += f' <span class="info">{escape(p["name"])}</span>'
    if p.get("judgeable") is False:
        text += _badge("not judgeable: counts as unsolved")
    if p.get("weak_tests"):
        text += _badge("weak tests")
    if p.get("limits_defaulted"):
        text += _badge("limits defaulted (2 s, 256 MB)")
    return text


def _tests_cell(p: dict) -> str:
    parts = [("examples", p.get("examples")), ("hidden", p.get("hidden", p.get("hidden_tests", p.get("tests")))),
             ("generated", p.get("generated", p.get("generated_tests")))]
    shown = [f"{v:,} {name}" for name, v in parts if v is not None]
    return escape(", ".join(shown)) if shown else "–"


def problem_table(problems: list[dict]) -> str:
    metrics = any(p.get("pass_at_1") is not None for p in problems)
    columns = [Column("index", "problem", _problem_cell, numeric=False), Column("rating", "rating"),
               Column("solved", "solved"), Column("minute", "minute", lambda p: number(p.get("minute"))),
               Column("points", "points", lambda p: number(p.get("points"), 0)),
               Column("attempts", "submissions judged"), Column("rejected", "rejected (counted)"),
               Column("verdicts", "verdicts", lambda p: escape(" ".join(p.get("verdicts") or [])) or "–", numeric=False)]
    if any(k in p for p in problems for k in ("examples", "hidden", "hidden_tests", "generated", "generated_tests")):
        columns.append(Column("tests", "tests", _tests_cell, numeric=False))
    if metrics:
        columns += [Column("pass_at_1", "pass@1 (%)", lambda p: number(_pct(p.get("pass_at_1")), 1)),
                    Column("pass_at_10", "pass@10 (%)", lambda p: number(_pct(p.get("pass_at_10")), 1)),
                    Column("ten_at_k", "10@k (%)", lambda p: number(_pct(p.get("ten_at_k")), 1))]
    caveats = []
    if any(p.get("weak_tests") for p in problems):
        caveats.append(f"Weak tests: fewer than {WEAK_TESTS_BELOW} hidden tests, so an accepted program may still be "
                       "wrong (AlphaCode found most false positives on such problems).")
    if any(p.get("limits_defaulted") for p in problems):
        caveats.append("Some problems had no limits in their source: Codeforces' usual 2 s / 256 MB were used.")
    return notes(caveats) + table("problems", problems, columns)


def _pct(v: float | None) -> float | None:
    return None if v is None else 100.0 * v


def _bytes(v) -> str:
    if v is None:
        return "–"
    return f"{v / MIB:,.1f} MiB" if v < GIB else f"{v / GIB:,.2f} GiB"


def drilldown(report: dict) -> str:
    subs = report.get("submissions")
    if subs is None:
        return notes(["The drill-down needs the submissions (csim report writes them with --html)."])
    out = []
    for p in report["problems"]:
        key = f"{p['contest']}/{p['index']}"
        mine = subs.get(key, [])
        funnel = funnel_counts(p, mine)
        status = _badge("solved", "ok") if p["solved"] else _badge("not solved", "bad")
        parts = [f'<details class="problem" data-problem="{escape(key)}"><summary>{escape(key)} '
                 f'{escape(p.get("name") or "")} {status}</summary>',
                 '<p class="info">Funnel: ' + escape(", ".join(f"{k} {number(v)}" for k, v in funnel.items())) + "</p>"]
        if not mine:
            parts.append('<p class="info">No submission.</p>')
        for s in mine:
            verdict = s["verdict"] or ("after the contest's end: not submitted" if not s["in_time"] else
                                       "not judged (an earlier one was accepted)")
            parts.append(f'<h4>Submission {s["order"] + 1} ({escape(s["language"])}), minute {s["minute"]:.0f}: '
                         f'{escape(verdict)}</h4><p class="info">{escape(s["reason"] or "")}'
                         f'{"; " if s["reason"] else ""}cluster of {s["cluster_size"]} programs; '
                         f'{s["samples_drawn"]:,} samples drawn by then</p>')
            parts.append(f'<pre class="source">{escape(s["source"])}</pre>')
            if s["tests"]:
                parts.append(table(f"tests-{key.replace('/', '-')}-{s['order'] + 1}", s["tests"], [
                    Column("number", "test", lambda t: str(t["number"]) if t.get("number") is not None else "–"),
                    Column("verdict", "verdict", numeric=False),
                    Column("cpu_seconds", "CPU time", lambda t: number(_ms(t.get("cpu_seconds")), 0, "ms")),
                    Column("wall_seconds", "wall time", lambda t: number(_ms(t.get("wall_seconds")), 0, "ms")),
                    Column("memory_bytes", "peak memory", lambda t: _bytes(t.get("memory_bytes")))]))
        parts.append("</details>")
        out.append("".join(parts))
    return "".join(out)


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else 1000.0 * seconds


def summary_block(report: dict) -> str:
    s, seeds = report["summary"], report.get("seeds")
    items = [("solved", f"{s['solved']} of {s['problems']} problems"
              + (f" ({100 * s['solve_rate']:.1f}%)" if s.get("solve_rate") is not None else ""))]
    if s.get("mean_percentile") is not None:
        items.append(("mean percentile", f"{s['mean_percentile']:.1f}% of participants strictly better"))
    if s.get("submissions_per_solved") is not None:
        items.append(("submissions per solved problem", f"{s['submissions_per_solved']:.2f}"))
    for kind, r in report["ratings"].items():
        items.append((f"{kind} rating", f"{r['value']:,.0f}" + (" (against MADE-UP standings)" if r.get("made_up") else "")))
    if seeds:
        for name, label, digits, unit in (("mean_percentile", "mean percentile over seeds", 1, "%"),
                                          ("sequential_rating", "sequential rating over seeds", 0, ""),
                                          ("solved", "problems solved over seeds", 1, "")):
            v = seeds.get(name)
            if not v:
                continue
            text = f"{v['mean']:,.{digits}f}{unit}"
            if v["n"] < 3:
                text += f" ({v['n']} seeds: too few seeds for an interval)"
            else:
                text += f" (95% CI {v['ci95'][0]:,.{digits}f}–{v['ci95'][1]:,.{digits}f}{unit}, {v['n']} seeds)"
            items.append((label, text))
    return '<dl class="summary">' + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in items) + "</dl>"


def settings_table(settings: dict) -> str:
    rows = [{"setting": k, "value": ", ".join(map(str, v)) if isinstance(v, list) else v}
            for k, v in sorted(settings.items())]
    return table("settings", rows, [Column("setting", "setting", numeric=False),
                                     Column("value", "value", lambda r: escape(number(r["value"])), numeric=False)])


def render_html(report: dict) -> str:
    run, solver = report["run"], report["run"]["solver"]
    title = f"csim run {run['id']}: {solver['name']} {solver['version']}"
    body = [f"<h1>{escape(title)}</h1>",
            f'<p class="meta">status {escape(run["status"])} · seed {run["seed"]} · code {escape(str(solver["code_revision"]))}'
            f' · solver digest {escape(solver["digest"])} · created {escape((run.get("created_at") or "")[:19])}</p>',
            notes(report.get("notes", [])),
            '<h2 id="summary">Summary</h2>', summary_block(report),
            '<h2 id="contests">Contests</h2><div class="charts">', *contest_charts(report), rating_chart(report), human_chart(report),
            "</div>", contest_table(report["contests"]),
            '<h2 id="problems">Problems</h2><div class="charts">', difficulty_chart(report), scaling_chart(report),
            selection_chart(report), "</div>",
            problem_table(report["problems"]),
            '<h2 id="per-problem">Per problem</h2>', funnel_chart(report), drilldown(report),
            '<h2 id="settings">Settings</h2>', settings_table(run.get("settings") or {})]
    return page(title, "\n".join(body))
