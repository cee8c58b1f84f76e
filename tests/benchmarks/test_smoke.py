"""The benchmark harness, run with tiny counts so it cannot rot: every measure must produce its row with numbers.

Timings are not checked here (`make bench` measures them); only that each measure ran and reported.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from benchmarks.context import SMOKE
from benchmarks.report import DOCS_END, DOCS_START, update_docs, write
from benchmarks.run import MEASURES, run

EXPECTED_ROWS = {
    "startup",
    "memory_idle",
    "memory_session",
    "plain_turn",
    "ttft",
    "long_stream",
    "tool_turn",
    "connect",
    "memory_cycles",
    "users_at_once",
    "streams_at_once",
}
EXPECTED_FLOORS = {
    "raw_call",
    "raw_call_tools",
    "pai_request",
    "pai_request_tools",
    "raw_stream_ttft",
    "pai_stream_ttft",
    "raw_stream_chunk",
    "pai_stream_chunk",
    "mcp_call_tool",
    "raw_tool_turn",
    "mcp_open",
    "direct_users",
    "direct_streams",
}


def _numbers(value: object) -> list[float]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [float(value)]
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    return []


async def test_every_measure_reports_numbers(tmp_path: Path) -> None:
    report = await run(SMOKE, modes={"memory"}, only=MEASURES)

    rows = {row.key: row for row in report.rows}
    assert set(rows) == EXPECTED_ROWS
    for row in rows.values():
        assert row.error is None, f"{row.key}: {row.error}"
        assert row.met is not None, row.key
        numbers = _numbers(row.values)
        assert numbers and all(math.isfinite(n) for n in numbers), (row.key, row.values)
    assert rows["long_stream"].values["complete_streams"] == SMOKE.long_reps
    assert rows["users_at_once"].values["errors"] == 0
    assert rows["streams_at_once"].values["complete"] == SMOKE.streams

    floors = {floor.key: floor for floor in report.floors}
    assert set(floors) == EXPECTED_FLOORS
    assert all(math.isfinite(f.p50_ms) and f.n > 0 for f in floors.values())

    json_path, md_path = write(report, tmp_path)
    assert {row["key"] for row in json.loads(json_path.read_text())["rows"]} == EXPECTED_ROWS
    assert "| measure |" in md_path.read_text()
    docs = tmp_path / "benchmarks.md"
    docs.write_text(f"# Benchmarks\n{DOCS_START}\nold\n{DOCS_END}\nafter\n")
    update_docs(report, docs)
    assert "| measure |" in docs.read_text() and "old" not in docs.read_text() and docs.read_text().endswith("after\n")
