"""``syndicrawl report``'s core: the figures of recent runs and the self-contained HTML page showing them.

:func:`collect` gathers the figures (from stats documents and the exported records);
:func:`render_html` draws them; :meth:`ReportData.to_json` is the same figures for ``--json``.
The page has no script and loads nothing: styles are inline and charts are inline SVG.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from typing import Any

from crawler.monitoring import charts
from crawler.monitoring.document import RunDocument
from crawler.monitoring.history import History
from crawler.monitoring.syndication_graph import SyndicationGraph, read_graph
from crawler.outcomes import RUNS_FIGURES, label

SITE_FIGURES = (
    "discovered",
    "skipped_unchanged",
    "fetched",
    "failed",
    "refused",
    "exported",
    "dropped",
    "linked",
    "stripped",
    "missing_date",
    "missing_text",
    "bytes",
)
SITE_COLUMNS = tuple((name, label(name)) for name in SITE_FIGURES)


def human_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    sign, s = ("-" if seconds < 0 else ""), abs(round(seconds))
    if s < 60:
        return f"{sign}{s}s"
    if s < 3600:
        return f"{sign}{s // 60}m {s % 60:02d}s"
    if s < 86400:
        return f"{sign}{s // 3600}h {s % 3600 // 60:02d}m"
    return f"{sign}{s // 86400}d {s % 86400 // 3600:02d}h"


@dataclass(slots=True)
class ReportData:
    runs: list[RunDocument]
    """Oldest first."""
    graph: SyndicationGraph = field(default_factory=SyndicationGraph)
    source: str = ""
    skipped: list[str] = field(default_factory=list)
    generated_at: str = field(
        default_factory=lambda: datetime.now(UTC).replace(microsecond=0).isoformat()
    )

    @property
    def sites(self) -> list[str]:
        return sorted({s for r in self.runs for s in r.sites})

    def failing_monitors(self) -> list[dict[str, Any]]:
        """Failed monitors of every run shown, newest run first."""
        return [{"run_id": r.run_id, **m} for r in reversed(self.runs) for m in r.failed_monitors]

    def articles_per_site(self) -> dict[str, dict[str, int]]:
        return {
            s: {r.run_id: r.sites[s].exported for r in self.runs if s in r.sites}
            for s in self.sites
        }

    def errors_by_kind(self) -> dict[str, int]:
        return _sum(r.totals.failed_by_reason for r in self.runs)

    def refusals_by_reason(self) -> dict[str, int]:
        return _sum(r.totals.refused_by_reason for r in self.runs)

    def drops_by_reason(self) -> dict[str, int]:
        return _sum(r.totals.dropped_by_reason for r in self.runs)

    def site_rows(self) -> dict[str, list[dict[str, Any]]]:
        return {
            s: [
                {"run_id": r.run_id, **{c: getattr(r.sites[s], c) for c, _ in SITE_COLUMNS}}
                for r in self.runs
                if s in r.sites
            ]
            for s in self.sites
        }

    def run_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "run_id": r.run_id,
                "started_at": r.started_at,
                "duration_seconds": r.duration_seconds,
                "sites": len(r.sites),
                **{name: getattr(r.totals, name) for name in RUNS_FIGURES},
                "monitors_failed": len(r.failed_monitors),
                "exit_status": r.exit_status,
            }
            for r in reversed(self.runs)
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "runs": [r.run_id for r in self.runs],
            "run_rows": self.run_rows(),
            "failing_monitors": self.failing_monitors(),
            "articles_per_site": self.articles_per_site(),
            "errors_by_kind": self.errors_by_kind(),
            "refusals_by_reason": self.refusals_by_reason(),
            "drops_by_reason": self.drops_by_reason(),
            "syndication": self.graph.to_json(),
            "sites": self.site_rows(),
            "skipped_documents": list(self.skipped),
        }


def _sum(counts: Any) -> dict[str, int]:
    total: dict[str, int] = defaultdict(int)
    for mapping in counts:
        for key, n in mapping.items():
            total[key] += n
    return dict(sorted(total.items()))


def collect(
    history: History,
    *,
    runs: int | None,
    output_uri: str | None = None,
    endpoint_url: str | None = None,
    source: str = "",
) -> ReportData:
    """The figures of the last ``runs`` runs; records come from ``output_uri``, else each run's own output."""
    shown = history.last(runs)
    sources: dict[str, list[str]] = defaultdict(list)
    for run in shown.runs:
        where = output_uri or run.output_uri
        if where:
            sources[where].append(run.run_id)
    graph = read_graph(sources, endpoint_url=endpoint_url) if sources else SyndicationGraph()
    return ReportData(runs=shown.runs, graph=graph, source=source, skipped=shown.skipped)


# --- HTML -----------------------------------------------------------------------------------------
STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#222;max-width:1400px}
svg{display:block;max-width:100%}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;margin:6px 0} th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:right}
th{background:#f5f5f5} td.l,th.l{text-align:left} td{white-space:nowrap} td.msg{white-space:normal}
.bad{color:#b00020;font-weight:600} .ok{color:#1b7f3b;font-weight:600} .muted{color:#666}
.alert{background:#fdecea;border:1px solid #f5c2c0;padding:8px 12px;border-radius:6px}
.pass{background:#e8f5e9;border:1px solid #b7dfb9;padding:8px 12px;border-radius:6px}
.row{display:flex;gap:32px;flex-wrap:wrap}
"""


def _e(value: Any) -> str:
    return escape("" if value is None else str(value))


def _cell(
    value: Any,
    *,
    metric: str | None = None,
    site: str | None = None,
    run: str | None = None,
    left: bool = False,
) -> str:
    attrs = ""
    if metric:
        attrs += f' data-metric="{_e(metric)}"'
    if site is not None:
        attrs += f' data-site="{_e(site)}"'
    if run is not None:
        attrs += f' data-run="{_e(run)}"'
    cls = ' class="l"' if left else ""
    return f"<td{cls}{attrs}>{_e(value)}</td>"


_RUN_TIME_RE = re.compile(r"^\d{4}(\d{2})(\d{2})T(\d{2})(\d{2})\d{2}Z")


def _short_run(run_id: str) -> str:
    """``20260105T063000Z-ab12cd`` -> ``01-05 06:30`` for chart labels."""
    m = _RUN_TIME_RE.match(run_id)
    return f"{m[1]}-{m[2]} {m[3]}:{m[4]}" if m else run_id[:16]


def _monitors_section(data: ReportData) -> str:
    failing = data.failing_monitors()
    if not failing:
        return f'<section id="monitors"><h2>Failing monitors</h2><p class="pass" data-metric="failing_monitors" data-value="0">All monitors passed in the {len(data.runs)} runs shown.</p></section>'
    rows = "".join(
        '<tr data-metric="failing_monitor">'
        + _cell(m["run_id"], left=True)
        + _cell(m.get("monitor"), left=True)
        + _cell(m.get("site") or "(run)", left=True)
        + _cell(m.get("figure"), metric="monitor_figure")
        + _cell(m.get("threshold"))
        + f'<td class="l msg">{_e(m.get("message"))}</td>'
        + "</tr>"
        for m in failing
    )
    latest = data.runs[-1].failed_monitors if data.runs else []
    head = f'<p class="alert" data-metric="failing_monitors" data-value="{len(failing)}">{len(failing)} failed monitors in the runs shown; {len(latest)} in the latest run.</p>'
    table = '<table><tr><th class="l">run</th><th class="l">monitor</th><th class="l">site</th><th>figure</th><th>threshold</th><th class="l">message</th></tr>'
    return f'<section id="monitors"><h2>Failing monitors</h2>{head}{table}{rows}</table></section>'


def _runs_section(data: ReportData) -> str:
    rows = "".join(
        "<tr>"
        + _cell(r["run_id"], left=True)
        + _cell(r["started_at"], left=True)
        + _cell(human_seconds(r["duration_seconds"]))
        + _cell(r["sites"])
        + "".join(_cell(r[name], metric=f"run_{name}", run=r["run_id"]) for name in RUNS_FIGURES)
        + _cell(r["monitors_failed"], metric="run_monitors_failed", run=r["run_id"])
        + f'<td class="{"ok" if r["exit_status"] == 0 else "bad"}">{"OK" if r["exit_status"] == 0 else "FAILED"}</td></tr>'
        for r in data.run_rows()
    )
    head = (
        '<tr><th class="l">run</th><th class="l">started</th><th>duration</th><th>sites</th>'
        + "".join(f"<th>{_e(label(name))}</th>" for name in RUNS_FIGURES)
        + "<th>monitors failed</th><th>status</th></tr>"
    )
    return f'<section id="runs"><h2>Runs</h2><table>{head}{rows}</table></section>'


def _articles_section(data: ReportData) -> str:
    groups = [r.run_id for r in data.runs]
    chart = charts.grouped_bars(
        groups,
        data.sites,
        data.articles_per_site(),
        metric="exported",
        title="articles exported per site per run",
        group_labels={g: _short_run(g) for g in groups},
    )
    return f'<section id="articles"><h2>Articles exported per site per run</h2>{chart}</section>'


def _errors_section(data: ReportData) -> str:
    fails = charts.horizontal_bars(
        data.errors_by_kind(), metric="errors_by_kind", title="failed requests by reason"
    )
    refusals = charts.horizontal_bars(
        data.refusals_by_reason(),
        metric="refusals_by_reason",
        title="refused requests by reason",
        bar_color="#9c755f",
    )
    drops = charts.horizontal_bars(
        data.drops_by_reason(),
        metric="drops_by_reason",
        title="dropped articles by reason",
        bar_color="#b07aa1",
    )
    return (
        '<section id="errors"><h2>Errors by kind</h2><div class="row">'
        f"<div><h3>Failed requests by reason</h3>{fails}</div>"
        f"<div><h3>Refused requests by reason (robots.txt, address guard, budget)</h3>{refusals}</div>"
        f"<div><h3>Dropped articles by reason</h3>{drops}</div></div></section>"
    )


def _syndication_section(data: ReportData) -> str:
    g = data.graph
    edges = [
        (
            e.source,
            e.syndicator,
            e.stories,
            f"{e.stories} {'story' if e.stories == 1 else 'stories'}, median {human_seconds(e.median_delay_seconds)}",
        )
        for e in g.edges
    ]
    rows = "".join(
        "<tr>"
        + _cell(e.source, left=True)
        + _cell(e.syndicator, left=True)
        + f'<td data-metric="syndication_stories" data-source="{_e(e.source)}" data-syndicator="{_e(e.syndicator)}">{e.stories}</td>'
        + _cell(len(e.delays))
        + f'<td data-metric="syndication_median_delay" data-source="{_e(e.source)}" data-syndicator="{_e(e.syndicator)}" data-value="{_e(e.median_delay_seconds)}">{_e(human_seconds(e.median_delay_seconds))}</td></tr>'
        for e in g.edges
    )
    table = (
        '<table><tr><th class="l">source (original)</th><th class="l">syndicator (copy)</th><th>stories</th>'
        f"<th>with both dates</th><th>median delay</th></tr>{rows}</table>"
    )
    note = f'<p class="muted">{g.records} records in {g.parts} files read'
    if g.bad_records:
        note += f'; <span class="bad">{g.bad_records} unreadable lines</span>'
    note += "".join(f"; {_e(p)}" for p in g.problems[:5]) + ".</p>"
    return f'<section id="syndication"><h2>Syndication graph</h2>{charts.bipartite(edges)}{table}{note}</section>'


def _sites_section(data: ReportData) -> str:
    parts = ['<section id="sites"><h2>Sites</h2>']
    head = (
        '<tr><th class="l">run</th>'
        + "".join(f"<th>{_e(label)}</th>" for _, label in SITE_COLUMNS)
        + '<th class="l">failed monitors</th></tr>'
    )
    for site, rows in data.site_rows().items():
        failed_by_run = {
            r.run_id: [m for m in r.failed_monitors if m.get("site") == site] for r in data.runs
        }
        body = ""
        for row in reversed(rows):
            failed = failed_by_run.get(row["run_id"], [])
            body += "<tr>" + _cell(row["run_id"], left=True)
            body += "".join(
                _cell(row[c], metric=c, site=site, run=row["run_id"]) for c, _ in SITE_COLUMNS
            )
            names = ", ".join(str(m.get("monitor")) for m in failed)
            body += f'<td class="l {"bad" if failed else "ok"}">{_e(names or "none")}</td></tr>'
        parts.append(f'<h3 id="site-{_e(site)}">{_e(site)}</h3><table>{head}{body}</table>')
    parts.append("</section>")
    return "".join(parts)


def render_html(data: ReportData) -> str:
    period = (
        f"{_e(data.runs[0].started_at)} to {_e(data.runs[-1].finished_at)}"
        if data.runs
        else "no runs"
    )
    skipped = "".join(f"<li>{_e(s)}</li>" for s in data.skipped)
    skipped_html = (
        f'<p class="bad">Unreadable stats documents:</p><ul>{skipped}</ul>' if skipped else ""
    )
    body = (
        (
            _monitors_section(data)
            + _runs_section(data)
            + _articles_section(data)
            + _errors_section(data)
            + _syndication_section(data)
            + _sites_section(data)
        )
        if data.runs
        else "<p>No stats documents found.</p>"
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>syndicrawl report</title>'
        f"<style>{STYLE}</style></head><body>"
        f'<header><h1>syndicrawl report</h1><p class="muted">{len(data.runs)} runs, {period}; source {_e(data.source)}; '
        f"generated {_e(data.generated_at)}</p>{skipped_html}</header>{body}</body></html>\n"
    )


def figures_json(data: ReportData, out: str | None) -> Mapping[str, Any]:
    return {**data.to_json(), "out": out}
