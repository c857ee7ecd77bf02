"""The page shell shared by csim's HTML pages: readable, sortable tables with CSV export, notes
placed beside the figure they qualify, and charts in figures with their caveats."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Column:
    key: str  # the row's key (rows are the report JSON's dicts)
    label: str  # the header, with its unit
    show: Callable[[dict], str] | None = None  # the cell's text; default: number() of the value
    numeric: bool = True  # right-aligned, sorted as a number


def number(value, digits: int = 1, unit: str = "") -> str:
    """A readable cell: '–' for nothing, yes/no for booleans, rounded figures with their unit."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        text = f"{value:,.{digits}f}"
    elif isinstance(value, int):
        text = f"{value:,}"
    else:
        text = str(value)
    return f"{text} {unit}".rstrip() if unit else text


def _raw(value) -> str:
    """The cell's value for sorting and CSV: the number itself, not its rounded text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        return " ".join(map(str, value))
    return str(value)


def table(name: str, rows: list[dict], columns: list[Column], caption: str = "") -> str:
    """A sortable table (click a header) with a button that downloads it as NAME.csv."""
    head = "".join(f'<th class="{"num" if c.numeric else "text"}" data-key="{escape(c.key)}">{escape(c.label)}</th>'
                   for c in columns)
    body = []
    for r in rows:
        cells = []
        for c in columns:
            value = r.get(c.key)
            text = c.show(r) if c.show else number(value)
            cells.append(f'<td class="{"num" if c.numeric else "text"}" data-raw="{escape(_raw(value))}">'
                         f'{text if c.show else escape(text)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{caption}</caption>" if caption else ""
    return (f'<div class="table-wrap"><button class="csv" data-table="{escape(name)}">Export {escape(name)}.csv</button>'
            f'<table class="data" id="table-{escape(name)}" data-name="{escape(name)}">{cap}<thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def notes(items: list[str], kind: str = "caveat") -> str:
    return "".join(f'<p class="{kind}">{escape(n)}</p>' for n in items if n)


def figure(name: str, svg: str, caveats: list[str]) -> str:
    """A chart with the caveats that qualify it right beneath it."""
    return (f'<figure class="chart" data-chart="{escape(name)}">{svg}'
            f'<figcaption>{notes(caveats)}</figcaption></figure>')


def missing(name: str, why: str) -> str:
    """Where a chart cannot be drawn: the reason, in the chart's place."""
    return f'<figure class="chart missing" data-chart-missing="{escape(name)}"><p class="caveat">{escape(why)}</p></figure>'


STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1180px;margin:1.5em auto;padding:0 1em;color:#222}
h1{font-size:1.5em;margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.meta{color:#555;font-size:.9em}.charts{display:flex;flex-wrap:wrap;gap:12px}
figure.chart{margin:0;padding:8px;border:1px solid #e4e4e4;border-radius:4px;background:#fff;max-width:100%;overflow-x:auto}
figure.missing{min-width:320px}
figcaption{max-width:560px}
.caveat{background:#fff3cd;border-left:4px solid #e0a800;padding:4px 8px;margin:4px 0;font-size:.85em}
.info{color:#444;font-size:.85em;margin:4px 0}
.badge{display:inline-block;font-size:.75em;padding:0 4px;border-radius:3px;margin-left:4px;vertical-align:middle}
.badge.warn{background:#fbe3b1;color:#7a4b00}.badge.bad{background:#f6c6c6;color:#7a0000}.badge.ok{background:#cfe9cf;color:#1f5a1f}
.table-wrap{overflow-x:auto;margin:.6em 0}
table.data{border-collapse:collapse;font-size:13px}table.data caption{text-align:left;color:#555;padding:2px 0}
table.data th,table.data td{border:1px solid #d8d8d8;padding:3px 8px}
table.data th{background:#f3f5f8;cursor:pointer;user-select:none;white-space:nowrap}
table.data th.sorted-asc::after{content:" ▲"}table.data th.sorted-desc::after{content:" ▼"}
td.num,th.num{text-align:right}td.text{text-align:left}
table.data tbody tr:nth-child(even){background:#fafafa}
button.csv{font-size:12px;margin-bottom:2px}
details.problem{border:1px solid #e4e4e4;border-radius:4px;margin:6px 0;padding:4px 8px}
details.problem summary{cursor:pointer;font-weight:600}
pre.source{background:#f6f8fa;border:1px solid #e1e4e8;padding:6px;max-height:320px;overflow:auto;font-size:12px}
dl.summary{display:grid;grid-template-columns:max-content auto;gap:2px 16px;font-size:.95em}
dl.summary dt{color:#555}dl.summary dd{margin:0}
"""

# Sorting and CSV export only; the page reads fully without it.
SCRIPT = """
(function(){
  function cellValue(td){var r=td.getAttribute('data-raw');return r===null?td.textContent:r;}
  document.querySelectorAll('table.data').forEach(function(tbl){
    tbl.querySelectorAll('th').forEach(function(th,col){
      th.addEventListener('click',function(){
        var asc=!th.classList.contains('sorted-asc');
        tbl.querySelectorAll('th').forEach(function(h){h.classList.remove('sorted-asc','sorted-desc');});
        th.classList.add(asc?'sorted-asc':'sorted-desc');
        var numeric=th.classList.contains('num');var body=tbl.tBodies[0];
        var rows=Array.prototype.slice.call(body.rows);
        rows.sort(function(a,b){
          var x=cellValue(a.cells[col]),y=cellValue(b.cells[col]);
          if(numeric){var fx=x===''?Infinity:parseFloat(x),fy=y===''?Infinity:parseFloat(y);return asc?fx-fy:fy-fx;}
          return asc?x.localeCompare(y):y.localeCompare(x);});
        rows.forEach(function(r){body.appendChild(r);});});});});
  function csvField(s){return /[",\\n]/.test(s)?'"'+s.replace(/"/g,'""')+'"':s;}
  document.querySelectorAll('button.csv').forEach(function(btn){
    btn.addEventListener('click',function(){
      var tbl=document.getElementById('table-'+btn.getAttribute('data-table'));
      var lines=[Array.prototype.map.call(tbl.tHead.rows[0].cells,function(th){return csvField(th.getAttribute('data-key'));}).join(',')];
      Array.prototype.forEach.call(tbl.tBodies[0].rows,function(r){
        lines.push(Array.prototype.map.call(r.cells,function(td){return csvField(cellValue(td));}).join(','));});
      var a=document.createElement('a');
      a.href=URL.createObjectURL(new Blob([lines.join('\\n')+'\\n'],{type:'text/csv'}));
      a.download=tbl.getAttribute('data-name')+'.csv';document.body.appendChild(a);a.click();a.remove();});});
})();
"""


def page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<style>{STYLE}</style></head><body>\n{body}\n<script>{SCRIPT}</script></body></html>\n')
