"""The results of a run: rows of figures, printed as a table and written as JSON and Markdown."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

Number = float | int


@dataclass
class FloorRow:
    """An operation done directly with the libraries we build on, measured in the same run."""

    key: str
    operation: str
    p50_ms: float
    p95_ms: float
    cpu_ms: float
    """CPU of the harness process per operation (the library's own cost), in ms."""
    n: int
    note: str = ""


@dataclass
class Row:
    """One measure of the service beside its floor, against its target."""

    key: str
    measure: str
    service: str = ""
    floor: str = ""
    result: str = ""
    target: str = ""
    met: bool | None = None
    values: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def status(self) -> str:
        if self.error is not None:
            return "ERROR"
        return {True: "met", False: "MISSED", None: "-"}[self.met]


@dataclass
class Report:
    started: str
    machine: dict[str, Any]
    scale: dict[str, Any]
    git: dict[str, Any] = field(default_factory=dict)
    floors: list[FloorRow] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    duration_s: float = 0.0
    notes: list[str] = field(default_factory=list)

    def floor(self, key: str) -> FloorRow | None:
        return next((f for f in self.floors if f.key == key), None)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for row, row_data in zip(self.rows, data["rows"], strict=True):
            row_data["status"] = row.status
        finite: dict[str, Any] = _finite(data)
        return finite


def _finite(value: Any) -> Any:
    """JSON has no NaN: missing figures become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def ms(seconds: float, digits: int = 2) -> str:
    return f"{seconds * 1000:.{digits}f} ms"


def fmt(value: float, digits: int = 2) -> str:
    return "n/a" if not math.isfinite(value) else f"{value:.{digits}f}"


def fmt_ms(value_ms: float, digits: int = 2) -> str:
    return "-" if not math.isfinite(value_ms) else f"{value_ms:.{digits}f} ms"


def print_report(report: Report, console: Console | None = None) -> None:
    console = console or Console(width=200)
    console.print(
        f"[bold]llmchat benchmarks[/] {report.started}  ·  {report.machine.get('cpus')} CPUs "
        f"{report.machine.get('cpu_model', '')}  ·  load {_load(report, 'load_average')} → "
        f"{_load(report, 'load_average_end')}  ·  {report.duration_s:.0f} s"
    )
    floors = Table(title="Floors: the same operations done directly with our libraries (this run)")
    for column in ("operation", "p50", "p95", "CPU/op", "n", "note"):
        floors.add_column(column, overflow="fold")
    for f in report.floors:
        floors.add_row(f.operation, fmt_ms(f.p50_ms), fmt_ms(f.p95_ms), fmt_ms(f.cpu_ms, 3), str(f.n), f.note)
    console.print(floors)
    table = Table(title="Service measures")
    for column in ("measure", "service", "floor (same run)", "result", "target", "status"):
        table.add_column(column, overflow="fold")
    for row in report.rows:
        status = row.status
        style = {"met": "green", "MISSED": "red", "ERROR": "bold red"}.get(status, "")
        result = row.result if row.error is None else f"{row.result} {row.error}".strip()
        table.add_row(
            row.measure, row.service, row.floor, result, row.target, f"[{style}]{status}[/]" if style else status
        )
    console.print(table)
    for note in report.notes:
        console.print(f"note: {note}")


def _load(report: Report, key: str) -> str:
    value = report.machine.get(key)
    return " ".join(f"{v:.2f}" for v in value) if isinstance(value, list | tuple) else "?"


def markdown(report: Report) -> str:
    """The tables as Markdown, for docs/benchmarks.md."""
    lines = [
        f"Run {report.started}, {report.machine.get('cpus')} CPUs ({report.machine.get('cpu_model', '')}), "
        f"Python {report.machine.get('python')}, load average {_load(report, 'load_average')} at the start and "
        f"{_load(report, 'load_average_end')} at the end, {report.duration_s:.0f} s; "
        f"commit {report.git.get('commit', '?')}{' (uncommitted changes)' if report.git.get('dirty') else ''}.",
        "",
        "| floor operation | p50 | p95 | CPU/op | n |",
        "| --- | --- | --- | --- | --- |",
    ]
    for f in report.floors:
        lines.append(f"| {f.operation} | {fmt_ms(f.p50_ms)} | {fmt_ms(f.p95_ms)} | {fmt_ms(f.cpu_ms, 3)} | {f.n} |")
    lines += ["", "| measure | service | floor | result | target | status |", "| --- | --- | --- | --- | --- | --- |"]
    for row in report.rows:
        result = row.result if row.error is None else f"{row.result} {row.error}".strip()
        cells = [row.measure, row.service, row.floor, result, row.target, row.status]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    for note in report.notes:
        lines.append(f"\n- {note}")
    return "\n".join(lines) + "\n"


def write(report: Report, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "latest.json"
    md_path = out_dir / "latest.md"
    json_path.write_text(json.dumps(report.to_json(), indent=2) + "\n")
    md_path.write_text(markdown(report))
    return json_path, md_path


DOCS_START, DOCS_END = "<!-- latest-run:start -->", "<!-- latest-run:end -->"


def update_docs(report: Report, path: Path) -> None:
    """Put the tables of this run between the latest-run markers of `path` (docs/benchmarks.md)."""
    text = path.read_text()
    head, start, rest = text.partition(DOCS_START)
    _old, end, tail = rest.partition(DOCS_END)
    if not start or not end:
        raise ValueError(f"{path} has no {DOCS_START} ... {DOCS_END} block")
    path.write_text(f"{head}{DOCS_START}\n{markdown(report)}{DOCS_END}{tail}")
