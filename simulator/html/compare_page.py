"""`csim compare --html`: two runs (or run groups) side by side, per contest and per problem.

RESULT is simulator.compare.compare_runs's dict; keys other work adds (run groups,
`min_detectable_loss`, warnings) are read with .get and shown where present."""

from __future__ import annotations

from html import escape

from simulator.html import charts
from simulator.html.page import Column, figure, missing, notes, number, page, table


def _side(info: dict) -> str:
    runs = info.get("runs") or [info.get("id")]
    seeds = info.get("seeds") or [info.get("seed")]
    return f"{info.get('solver', '?')} · run{'s' if len(runs) > 1 else ''} {', '.join(map(str, runs))} · " \
           f"seed{'s' if len(seeds) > 1 else ''} {', '.join(map(str, seeds))}"


def _verdict_caveats(result: dict) -> list[str]:
    out = []
    if result.get("made_up"):
        out.append("Some contests have MADE-UP standings: their percentiles mean nothing outside csim.")
    if (loss := result.get("min_detectable_loss")) is not None:
        out.append(f"At this size a loss of fewer than {loss} problems cannot be significant (min_detectable_loss).")
    out += [w for w in result.get("warnings", []) if isinstance(w, str)]
    return out


def render_compare(result: dict) -> str:
    a, b, solved = result["a"], result["b"], result["solved"]
    title = f"csim compare: A = {a.get('solver')} vs B = {b.get('solver')}"
    kind = "bad" if result.get("regression") else "ok" if result.get("improvement") else "warn"
    body = [f"<h1>{escape(title)}</h1>",
            f'<p class="meta">A: {escape(_side(a))}<br>B: {escape(_side(b))}</p>',
            f'<p><span class="badge {kind}" style="font-size:1em">{escape(result["verdict"])}</span> '
            f'at alpha {result["alpha"]:g} (each test at {result["per_test_alpha"]:g}, Bonferroni)</p>',
            notes(_verdict_caveats(result)),
            '<h2 id="summary">Summary</h2>',
            f'<dl class="summary"><dt>problems solved</dt><dd>A {solved["a"]} of {solved["problems"]}, '
            f'B {solved["b"]} of {solved["problems"]} (B lost {solved["lost"]}, gained {solved["gained"]})</dd>'
            + _percentile_line(result.get("percentile") or {}) + "</dl>",
            table("tests", result.get("tests", []), [
                Column("name", "test", numeric=False), Column("pairs", "pairs"),
                Column("p_value", "p-value", lambda t: f"{t['p_value']:.3g}"),
                Column("direction", "direction", numeric=False), Column("significant", "significant")])]
    contests = result.get("contests", [])
    body.append('<h2 id="contests">Contests</h2>')
    if contests:
        rows = [{"contest": c["contest"], "side": side, "percentile": c[f"{side.lower()}_percentile"]}
                for c in contests for side in ("A", "B")]
        body.append(figure("percentile-comparison", charts.svg(charts.percentile_comparison(rows)),
                           ["MADE-UP standings in " + ", ".join(c["contest"] for c in contests if c.get("made_up"))]
                           if any(c.get("made_up") for c in contests) else []))
    else:
        body.append(missing("percentile-comparison", "No contest in common."))
    body.append(table("contests", contests, [
        Column("contest", "contest", lambda c: escape(c["contest"]) + (' <span class="badge bad">MADE UP</span>'
                                                                      if c.get("made_up") else ""), numeric=False),
        Column("a_percentile", "A percentile", lambda c: number(c.get("a_percentile"), 1, "%")),
        Column("b_percentile", "B percentile", lambda c: number(c.get("b_percentile"), 1, "%")),
        Column("diff_percentile", "B − A (points; + is worse)",
               lambda c: "–" if c.get("diff_percentile") is None else f"{c['diff_percentile']:+.1f}"),
        Column("a_rank", "A rank"), Column("b_rank", "B rank"),
        Column("a_points", "A points", lambda c: number(c.get("a_points"), 0)),
        Column("b_points", "B points", lambda c: number(c.get("b_points"), 0))]))
    problems = sorted(result.get("problems", []), key=lambda p: (p.get("change") == "", p["contest"], p["index"]))
    body += ['<h2 id="problems">Problems</h2>', table("problems", problems, [
        Column("contest", "contest", numeric=False), Column("index", "problem", numeric=False),
        Column("a_solved", "A solved"), Column("b_solved", "B solved"),
        Column("change", "change", lambda p: {"lost": '<span class="badge bad">lost by B</span>',
                                              "gained": '<span class="badge ok">gained by B</span>'}.get(
                                                  p.get("change") or "", "–"), numeric=False)],
        caption="Changed problems first.")]
    return page(title, "\n".join(body))


def _percentile_line(p: dict) -> str:
    if p.get("a_mean") is None:
        return ""
    ci = p.get("diff_ci95")
    interval = f" (95% CI {ci[0]:+.1f} to {ci[1]:+.1f})" if ci else ""
    return (f"<dt>mean percentile</dt><dd>A {p['a_mean']:.1f}%, B {p['b_mean']:.1f}%; "
            f"B − A {p['mean_diff']:+.1f} points{interval}</dd>")
