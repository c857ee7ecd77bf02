"""The report's charts as Vega-Lite specifications (Altair), and their export to static SVG.

Every builder takes plain rows (lists of dicts, as the report's JSON has them) and returns an
Altair chart; `svg` turns it into an SVG string with vl-convert (a Rust build of Vega, no browser,
no network)."""

from __future__ import annotations

import altair as alt

BLUE, RED, GREY, ORANGE = "#4a7ebb", "#c0504d", "#888888", "#e08a1e"
WIDTH = 440


def svg(chart: alt.TopLevelMixin) -> str:
    import vl_convert

    return vl_convert.vegalite_to_svg(chart.to_dict())


def _data(rows: list[dict]) -> alt.Data:
    return alt.Data(values=rows)


def _title(text: str, subtitle: str | list[str] | None = None) -> alt.TitleParams:
    return alt.TitleParams(text, subtitle=subtitle or "", anchor="start", fontSize=14, subtitleColor="#555")


def _interval(base: alt.Chart, color: str | None = None) -> list[alt.Chart]:
    """A vertical 95% interval with short end ticks (rows with low/high None draw nothing)."""
    kw = {"color": color} if color else {}
    known = base.transform_filter("isValid(datum.low) && isValid(datum.high)")
    return [known.mark_rule(strokeWidth=1.5, **kw).encode(y=alt.Y("low:Q", title=""), y2="high:Q"),
            known.mark_tick(size=10, thickness=1.5, **kw).encode(y="low:Q"),
            known.mark_tick(size=10, thickness=1.5, **kw).encode(y="high:Q")]


def percentile_per_contest(rows: list[dict]) -> alt.Chart:
    """ROWS: contest, percentile, worst_percentile (tie's worst place, may equal percentile),
    low/high (95% interval over seeds, may be None)."""
    base = alt.Chart(_data(rows)).encode(x=alt.X("contest:N", title="contest", sort=None,
                                                 axis=alt.Axis(labelAngle=-30, labelLimit=120)))
    y = alt.Y("percentile:Q", title="percentile (%)", scale=alt.Scale(domain=[0, 100]))
    layers = [
        base.mark_rule(color=GREY, strokeWidth=6, opacity=0.5).encode(y=y, y2="worst_percentile:Q"),
        *_interval(base, RED),
        base.mark_point(filled=True, size=70, color=BLUE).encode(
            y=y, tooltip=["contest:N", alt.Tooltip("percentile:Q", format=".1f"), "rank_text:N"]),
    ]
    return alt.layer(*layers).properties(width=WIDTH, height=240, title=_title(
        "Percentile per contest", ["% of participants strictly better: lower is better", "grey: the range of a tie; red: 95% interval over seeds"]))


def performance_per_contest(rows: list[dict]) -> alt.Chart:
    """ROWS: contest, definition (series name), performance, low/high (95% over seeds, may be None)."""
    several = len({r["definition"] for r in rows}) > 1
    base = alt.Chart(_data(rows)).encode(x=alt.X("contest:N", sort=None, axis=alt.Axis(labelAngle=-30, labelLimit=120)),
                                         color=alt.Color("definition:N", title="definition",
                                                         legend=alt.Legend(orient="bottom") if several else None))
    y = alt.Y("performance:Q", title="performance (rating)", scale=alt.Scale(zero=False))
    return alt.layer(
        *_interval(base),
        base.mark_point(filled=True, size=70).encode(
            y=y, tooltip=["contest:N", "definition:N", alt.Tooltip("performance:Q", format=".0f")]),
    ).properties(width=WIDTH, height=240, title=_title("Performance per contest",
                                                        "the rating at which the solver's place is the expected one"))


def rating_over_contests(rows: list[dict]) -> alt.Chart:
    """ROWS: step (0 = start), contest, rating."""
    base = alt.Chart(_data(rows)).encode(
        x=alt.X("step:O", title="contests taken (in date order)", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("rating:Q", title="rating", scale=alt.Scale(zero=False, nice=True)),
        tooltip=["contest:N", alt.Tooltip("rating:Q", format=".0f")])
    return (base.mark_line(color=RED) + base.mark_point(filled=True, color=RED)).properties(
        width=WIDTH, height=240, title=_title("Rating over contests", "AlphaCode's sequential estimate"))


def solve_rate_by_rating(rows: list[dict]) -> alt.Chart:
    """ROWS: rating (label), solve_rate_pct, label ("k of n")."""
    base = alt.Chart(_data(rows)).encode(x=alt.X("rating:N", title="problem rating", sort=None,
                                                 axis=alt.Axis(labelAngle=0)))
    bars = base.mark_bar(color=BLUE).encode(
        y=alt.Y("solve_rate_pct:Q", title="problems solved (%)", scale=alt.Scale(domain=[0, 100])),
        tooltip=["rating:N", "label:N"])
    labels = base.mark_text(dy=-6, fontSize=11).encode(y="solve_rate_pct:Q", text="label:N")
    return (bars + labels).properties(width=WIDTH, height=240, title=_title(
        "Solve rate by problem rating", "labels: solved of problems at that rating"))


def human_scores(rows: list[dict], marks: list[dict], score_title: str) -> alt.Chart:
    """ROWS: contest, score (one per human). MARKS: contest, score (the solver's). Whole-number
    scores (problems solved) get one bar per value; points get bins."""
    whole = all(float(r["score"]).is_integer() for r in rows) and len({r["score"] for r in rows}) <= 30
    kind = "score:O" if whole else "score:Q"
    x = (alt.X(kind, title=score_title, axis=alt.Axis(labelAngle=0)) if whole
         else alt.X(kind, bin=alt.Bin(maxbins=30), title=score_title))
    bars = alt.Chart(_data(rows)).mark_bar(color=BLUE, opacity=0.8).encode(
        x=x, y=alt.Y("count():Q", title="participants"))
    rule = alt.Chart(_data(marks)).mark_rule(color=RED, strokeWidth=2).encode(x=kind)
    text = alt.Chart(_data(marks)).mark_text(color=RED, align="left", dx=4, baseline="top").encode(
        x=kind, y=alt.value(2), text=alt.value("solver"))
    return alt.layer(bars, rule, text).properties(width=WIDTH // 2 + 40, height=160)


def human_scores_facets(rows: list[dict], marks: list[dict], score_title: str, columns: int = 2) -> alt.Chart:
    contests = list(dict.fromkeys(r["contest"] for r in marks))
    charts = [human_scores([r for r in rows if r["contest"] == c], [m for m in marks if m["contest"] == c],
                           score_title).properties(title=c) for c in contests]
    grid = alt.vconcat(*[alt.hconcat(*charts[i:i + columns]) for i in range(0, len(charts), columns)])
    return grid.properties(title=_title("Human score distribution", "red: the solver's score"))


def _against_k(rows: list[dict], series: str, title: str, subtitle: str | list[str]) -> alt.Chart:
    """Solve rate against k on a log axis, one line per SERIES, with its interval shaded.
    ROWS: k, SERIES, rate_pct, low_pct, high_pct, problems."""
    names = list(dict.fromkeys(r[series] for r in rows))
    base = alt.Chart(_data(rows)).encode(
        x=alt.X("k:Q", title="samples per problem (k, log scale)",
                scale=alt.Scale(type="log", domain=[1, max(r["k"] for r in rows)], nice=False)),
        color=alt.Color(f"{series}:N", title="", sort=names,
                        legend=alt.Legend(orient="bottom", columns=3, symbolOpacity=1, symbolType="stroke",
                                          symbolStrokeWidth=3)))
    band = base.mark_area(opacity=0.1 if len(names) > 2 else 0.2).encode(y=alt.Y("low_pct:Q", title=""), y2="high_pct:Q")
    line = base.mark_line(point=True).encode(
        y=alt.Y("rate_pct:Q", title="problems solved (%)", scale=alt.Scale(domain=[0, 100])),
        tooltip=[f"{series}:N", "k:Q", alt.Tooltip("rate_pct:Q", format=".1f"), "problems:Q"])
    return (band + line).properties(width=WIDTH, height=260, title=_title(title, subtitle))


def scaling(rows: list[dict], title: str) -> alt.Chart:
    """ROWS: k, metric ("pass@k" / "10@k"), rate_pct, low_pct, high_pct, problems."""
    return _against_k(rows, "metric", title, "shaded: 95% bootstrap interval over problems")


def selection(rows: list[dict], title: str) -> alt.Chart:
    """ROWS: k, strategy, rate_pct, low_pct, high_pct, problems: 10@k of each selection strategy."""
    return _against_k(rows, "strategy", title, ["10 submissions chosen from k samples by each strategy",
                                                "shaded: 95% bootstrap interval over problems"])


FUNNEL_STAGES = ["drawn", "distinct", "passed examples", "clusters", "submitted", "accepted"]


def funnel(rows: list[dict]) -> alt.Chart:
    """ROWS: problem, stage (one of FUNNEL_STAGES), count. One small bar chart per problem."""
    bars = alt.Chart().mark_bar(color=BLUE).encode(
        y=alt.Y("stage:N", sort=FUNNEL_STAGES, title=None, axis=alt.Axis(labelLimit=200)),
        x=alt.X("count:Q", title="programs", scale=alt.Scale(type="symlog")),
        tooltip=["problem:N", "stage:N", "count:Q"])
    text = alt.Chart().mark_text(align="left", dx=3, fontSize=10).encode(
        y=alt.Y("stage:N", sort=FUNNEL_STAGES), x="count:Q", text="count:Q")
    return alt.layer(bars, text, data=_data(rows)).properties(width=180, height=110).facet(
        facet=alt.Facet("problem:N", title=None, sort=None), columns=3).properties(
        title=_title("Sample funnel per problem", "programs at each stage (symlog scale)"), padding={"left": 30})


def percentile_comparison(rows: list[dict]) -> alt.Chart:
    """ROWS: contest, side ("A"/"B"), percentile."""
    return alt.Chart(_data(rows)).mark_point(filled=True, size=70).encode(
        x=alt.X("contest:N", sort=None, axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("percentile:Q", title="percentile (% strictly better)", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("side:N", title="run", legend=alt.Legend(orient="bottom")),
        xOffset=alt.XOffset("side:N"),  # A left, B right: equal values stay visible side by side
        shape="side:N", tooltip=["contest:N", "side:N", alt.Tooltip("percentile:Q", format=".1f")],
    ).properties(width=WIDTH, height=240, title=_title("Percentile per contest, A and B", "lower is better"))
