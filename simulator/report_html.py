"""A run's report as one self-contained HTML page with three plots.

The plots are inline SVG written by hand: no plotting library is among csim's dependencies, and
three simple charts do not justify adding one.
"""

from __future__ import annotations

import json
from html import escape

from simulator.report import fmt

WIDTH, HEIGHT = 560, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 28, 56  # margins around the plot area


def _frame(title: str, y_label: str, y_min: float, y_max: float, labels: list[str], ticks: int = 5) -> list[str]:
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" role="img" '
             f'aria-label="{escape(title)}">',
             f'<text x="{WIDTH / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">{escape(title)}</text>',
             f'<text x="12" y="{TOP + (HEIGHT - TOP - BOTTOM) / 2}" transform="rotate(-90 12 '
             f'{TOP + (HEIGHT - TOP - BOTTOM) / 2})" text-anchor="middle" font-size="11">{escape(y_label)}</text>']
    for i in range(ticks + 1):
        value = y_min + (y_max - y_min) * i / ticks
        y = _y(value, y_min, y_max)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="10">{value:.0f}</text>')
    step = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    for i, label in enumerate(labels):
        x = LEFT + step * (i + 0.5)
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 14}" text-anchor="end" font-size="10" '
                     f'transform="rotate(-30 {x:.1f} {HEIGHT - BOTTOM + 14})">{escape(label)}</text>')
    return parts


def _y(value: float, y_min: float, y_max: float) -> float:
    span = (y_max - y_min) or 1.0
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - (value - y_min) / span)


def bar_chart(title: str, y_label: str, labels: list[str], values: list[float], y_max: float) -> str:
    parts = _frame(title, y_label, 0.0, y_max, labels)
    step = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    for i, value in enumerate(values):
        x, y = LEFT + step * i + step * 0.15, _y(value, 0.0, y_max)
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{HEIGHT - BOTTOM - y:.1f}" '
                     f'fill="#4a7ebb"><title>{escape(labels[i])}: {value:.1f}</title></rect>')
        parts.append(f'<text x="{x + step * 0.35:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="10">{value:.1f}</text>')
    return "".join(parts) + "</svg>"


def line_chart(title: str, y_label: str, labels: list[str], values: list[float]) -> str:
    low, high = min(values), max(values)
    pad = max(50.0, (high - low) * 0.1)
    y_min, y_max = low - pad, high + pad
    parts = _frame(title, y_label, y_min, y_max, labels)
    step = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    points = [(LEFT + step * (i + 0.5), _y(v, y_min, y_max)) for i, v in enumerate(values)]
    parts.append('<polyline fill="none" stroke="#c0504d" stroke-width="2" points="'
                 + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>')
    for (x, y), label, value in zip(points, labels, values):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#c0504d"><title>{escape(label)}: {value:.0f}</title></circle>')
    return "".join(parts) + "</svg>"


def _table(rows: list[dict], columns: list[str]) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(_cell(r.get(c)))}</td>" for c in columns) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value) -> str:
    return fmt(" ".join(map(str, value)) if isinstance(value, list) else value, 2)


def render_html(report: dict) -> str:
    run = report["run"]
    contests, problems = report["contests"], report["problems"]
    charts = []
    if contests:
        charts.append(bar_chart("Percentile per contest (participants strictly better; lower is better)",
                                "percentile %", [c["contest"] for c in contests],
                                [c["percentile"] for c in contests], 100.0))
    sequential = report["ratings"].get("sequential")
    if sequential and sequential.get("history"):
        labels = ["start"] + [h["contest"] for h in sequential["history"]]
        values = [float(sequential["start"])] + [float(h["rating"]) for h in sequential["history"]]
        charts.append(line_chart("Rating over contests (AlphaCode's sequential estimate)", "rating", labels, values))
    if report["difficulty"]:
        charts.append(bar_chart("Solve rate by problem difficulty", "solved %",
                                [str(d["rating"] or "unrated") for d in report["difficulty"]],
                                [100.0 * d["solve_rate"] for d in report["difficulty"]], 100.0))
    notes = "".join(f'<p class="note">{escape(n)}</p>' for n in report["notes"])
    solver = run["solver"]
    title = f"csim run {run['id']}: {solver['name']} {solver['version']}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:1200px;margin:1em auto}}table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #ccc;padding:2px 6px;font-size:13px}}.note{{background:#fff3cd;padding:6px;border:1px solid #e0c060}}
svg{{margin:4px;border:1px solid #eee}}</style></head><body>
<h1>{escape(title)}</h1>
<p>Status {escape(run['status'])}; seed {run['seed']}; code {escape(str(solver['code_revision']))};
solver digest {escape(solver['digest'])}; settings <code>{escape(json.dumps(run['settings'], sort_keys=True))}</code></p>
{notes}
<div>{''.join(charts)}</div>
<h2>Contests</h2>
{_table(contests, ["contest", "rules", "made_up", "solved", "problems", "points", "penalty", "rank", "worst_rank",
                   "participants", "unrated", "percentile", "worst_percentile", "performance", "performance_note",
                   "codeelo_performance", "rating_change"])}
<h2>Problems</h2>
{_table(problems, ["contest", "index", "name", "rating", "solved", "minute", "points", "attempts", "rejected",
                   "verdicts", "pass_at_1", "pass_at_10", "ten_at_k"])}
<h2>Summary</h2>
<pre>{escape(json.dumps({"summary": report["summary"], "ratings": report["ratings"], "seeds": report["seeds"]},
                   indent=2, default=str))}</pre>
</body></html>
"""
