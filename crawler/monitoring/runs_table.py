"""``syndicrawl runs``'s core: recent runs as a terminal table and as JSON."""

from __future__ import annotations

from typing import Any

from crawler.monitoring.document import RunDocument
from crawler.monitoring.report import human_seconds
from crawler.outcomes import RUNS_FIGURES, label

COLUMNS = (
    "run",
    "started",
    "duration",
    "sites",
    *(label(name) for name in RUNS_FIGURES),
    "monitors failed",
    "status",
)


def run_row(run: RunDocument) -> dict[str, Any]:
    return {
        "run_id": run.run_id,
        "started_at": run.started_at,
        "duration_seconds": run.duration_seconds,
        "sites": len(run.sites),
        **{name: getattr(run.totals, name) for name in RUNS_FIGURES},
        "monitors_failed": len(run.failed_monitors),
        "failed_monitors": [
            f"{m.get('monitor')}:{m.get('site') or '-'}" for m in run.failed_monitors
        ],
        "exit_status": run.exit_status,
        "status": "OK" if run.exit_status == 0 else "FAILED",
    }


def format_table(rows: list[dict[str, Any]]) -> str:
    """A fixed-width table, newest run first as given; one line per run."""
    cells = [
        [
            r["run_id"],
            (r["started_at"] or "-").replace("+00:00", "Z"),
            human_seconds(r["duration_seconds"]),
            str(r["sites"]),
            *(str(r[name]) for name in RUNS_FIGURES),
            str(r["monitors_failed"]),
            r["status"],
        ]
        for r in rows
    ]
    widths = [
        max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(COLUMNS)
    ]
    right = set(range(2, len(COLUMNS) - 1))

    def line(values: list[str]) -> str:
        return "  ".join(
            v.rjust(w) if i in right else v.ljust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        ).rstrip()

    out = [line(list(COLUMNS)), line(["-" * w for w in widths])]
    out += [line(c) for c in cells]
    for r in rows:  # name what failed, so the table alone says where to look
        if r["failed_monitors"]:
            out.append(f"{r['run_id']}: failed monitors: {', '.join(r['failed_monitors'])}")
    return "\n".join(out)
