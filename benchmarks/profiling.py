"""Optional sampling profiles of the service while a measure runs (`--profile DIR`, needs py-spy).

Each measure leaves `DIR/<measure>.txt`, collapsed stacks (one line per stack, then its sample count) that
speedscope.app and flamegraph tools read, and `python -m benchmarks.profiling DIR/<measure>.txt` summarises
where the time went.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

from benchmarks.procs import VENV_BIN

_profile_dir: Path | None = None


def enable(directory: Path) -> None:
    """Profile every following measure into `directory`; fails when py-spy is not installed."""
    global _profile_dir
    if _py_spy() is None:
        raise SystemExit("--profile needs py-spy: .venv/bin/pip install py-spy")
    directory.mkdir(parents=True, exist_ok=True)
    _profile_dir = directory


def _py_spy() -> str | None:
    candidate = VENV_BIN / "py-spy"
    return str(candidate) if candidate.exists() else shutil.which("py-spy")


@contextlib.contextmanager
def profiling(pid: int, name: str) -> Iterator[None]:
    """Sample `pid` (on-CPU stacks only) for the duration of the block, when profiling is enabled."""
    py_spy = _py_spy()
    if _profile_dir is None or py_spy is None:
        yield
        return
    out = _profile_dir / f"{name}.txt"
    args = [py_spy, "record", "-p", str(pid), "-o", str(out), "--format", "raw", "-r", "200", "--nonblocking"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def summarise(path: Path, top: int = 40, match: str = "") -> str:
    """Inclusive share of samples per function (file:function), the functions' own share, and the total."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_short(f) for f in stack.split(";")]
        if match and not any(match in f for f in frames):
            continue
        total += count
        for frame in set(frames):
            inclusive[frame] += count
        own[frames[-1]] += count
    lines = [f"{total} samples in {path.name}" + (f" (stacks through {match!r})" if match else "")]
    lines.append("inclusive  own   function")
    for frame, count in inclusive.most_common(top):
        lines.append(f"{100 * count / total:6.1f}%  {100 * own[frame] / total:5.1f}%  {frame}")
    return "\n".join(lines)


CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("TLS context per MCP session (ssl.create_default_context)", ("create_default_context",)),
    ("openai SDK request transform (walks tool schemas)", ("_async_transform_recursive", "_transform_recursive")),
    ("openai SDK chunk/response models (construct_type)", ("construct_type", "_process_response_data")),
    ("MCP client (tool calls, sessions)", ("mcp/client/", "mcp/shared/", "McpConnection.", "_Session.")),
    ("LLM call, rest: pydantic-ai, openai SDK, httpx2", ("pydantic_ai/", "openai/", "httpx2/", "httpcore2/")),
    ("database: auth user lookup, model resolve (aiosqlite)", ("current_user (", "aiosqlite/", "sqlalchemy/")),
    ("SSE response writes (StreamingResponse -> socket)", ("StreamingResponse.",)),
    ("HTTP serving: uvicorn + Starlette + FastAPI", ("uvicorn/protocols", "starlette/", "fastapi/", "h11/")),
    ("llmchat chat engine (own frames)", ("llmchat/chat/",)),
    ("event loop: epoll wait", ("select (selectors.py",)),
    ("event loop: callbacks, task switches, sockets", ("asyncio/", "anyio/")),
)
"""Where a stack's time is counted: the first category (in this order) with a frame containing a pattern."""


def breakdown(path: Path, operations: int = 0, rate: int = 200) -> str:
    """Samples per category (see CATEGORIES); with `operations`, also milliseconds per operation."""
    counts: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        name = next((n for n, pats in CATEGORIES if any(p in stack for p in pats)), "other")
        counts[name] += count
    lines = [f"{total} samples at {rate} Hz in {path.name}"]
    for name, count in counts.most_common():
        per_op = f"  {1000 * count / rate / operations:7.2f} ms/op" if operations else ""
        lines.append(f"{100 * count / total:6.1f}%{per_op}  {name}")
    return "\n".join(lines)


def _short(frame: str) -> str:
    """`function (path/to/file.py:12)` -> `function (file.py)`: lines merged, site-packages trimmed."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "src/", "python3.11/"):
        if marker in where:
            where = where.split(marker, 1)[1]
            break
    return f"{name} ({where})"


def main() -> None:
    parser = argparse.ArgumentParser(description="Summarise a collapsed-stack profile written by --profile.")
    parser.add_argument("path", type=Path)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--match", default="", help="Only stacks with a frame containing this text.")
    parser.add_argument("--ops", type=int, default=0, help="Operations measured: print a per-category breakdown.")
    args = parser.parse_args()
    if args.ops:
        print(breakdown(args.path, args.ops))
    else:
        print(summarise(args.path, args.top, args.match))


if __name__ == "__main__":
    main()
