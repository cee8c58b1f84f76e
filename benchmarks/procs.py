"""The processes a benchmark run starts (fake LLM, server-everything, llmchat, Redis) and what /proc says of them.

Every process listens on 127.0.0.1 on a free port, is started by this module and is ended by it (by pid).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
EVERYTHING_JS = Path(
    os.environ.get("LLMCHAT_EVERYTHING_JS")
    or ROOT / ".mcp-servers/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
HOST = "127.0.0.1"


class StartError(RuntimeError):
    """A process the benchmark needs did not start; the message says how to fix it."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat", "rb") as f:
        stat = f.read()
    fields = stat[stat.rindex(b")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_bytes(pid: int) -> int:
    """Resident set size of a process from /proc/<pid>/statm."""
    with open(f"/proc/{pid}/statm", "rb") as f:
        return int(f.read().split()[1]) * PAGE_SIZE


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    model = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    mem_kb = 0
    with contextlib.suppress(OSError), open("/proc/meminfo") as f:
        mem_kb = int(next(line.split()[1] for line in f if line.startswith("MemTotal")))
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": sys.version.split()[0],
        "load_average": os.getloadavg(),
    }


@dataclass
class Proc:
    """A child process this run started and must end."""

    name: str
    popen: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def cpu(self) -> float:
        return cpu_seconds(self.pid)

    def rss(self) -> int:
        return rss_bytes(self.pid)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, then SIGKILL if it does not exit in time. Only this process, by its pid."""
        if self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=timeout)


def _spawn(
    name: str, args: list[str], log_dir: Path, env: dict[str, str], cwd: Path | None = None
) -> tuple[subprocess.Popen[bytes], Path]:
    log_path = log_dir / f"{name}.log"
    log = log_path.open("ab")
    popen = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    log.close()
    return popen, log_path


def _wait_listening(proc: Proc, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise StartError(f"{proc.name} exited at start-up:\n{proc.log_tail()}")
        with socket.socket() as sock:
            if sock.connect_ex((HOST, proc.port)) == 0:
                return
        time.sleep(0.02)
    proc.stop()
    raise StartError(f"{proc.name} did not listen on port {proc.port} within {timeout:g} s:\n{proc.log_tail()}")


def start_fake_llm(log_dir: Path, token_delay: float = 0.0) -> Proc:
    port = free_port()
    args = [sys.executable, "-m", "benchmarks.fake_llm", "--port", str(port), "--token-delay", str(token_delay)]
    popen, log_path = _spawn("fake-llm", args, log_dir, {**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    proc = Proc("fake LLM", popen, port, log_path)
    _wait_listening(proc, 20)
    return proc


def start_everything(log_dir: Path) -> Proc:
    node = shutil.which("node")
    if node is None or not EVERYTHING_JS.is_file():
        missing = "node" if node is None else str(EVERYTHING_JS)
        raise StartError(f"{missing} not found: run `make install-dev` to install server-everything.")
    port = free_port()
    popen, log_path = _spawn(
        "server-everything", [node, str(EVERYTHING_JS), "streamableHttp"], log_dir, {**os.environ, "PORT": str(port)}
    )
    proc = Proc("server-everything", popen, port, log_path)
    _wait_listening(proc, 30)
    return proc


def start_redis(log_dir: Path) -> Proc | None:
    """A throw-away redis-server without persistence, or None when there is none installed."""
    binary = shutil.which("redis-server")
    if binary is None:
        return None
    port = free_port()
    args = [binary, "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no"]
    popen, log_path = _spawn("redis", args, log_dir, dict(os.environ))
    proc = Proc("redis", popen, port, log_path)
    _wait_listening(proc, 20)
    return proc


ADMIN_EMAIL = "admin@bench.local"
ADMIN_PASSWORD = "bench-admin-password"
JWT_SECRET = "bench-jwt-secret-0123456789abcdef0123456789"


@dataclass
class Service:
    """One `llmchat serve` process on the embedded defaults (SQLite in its data directory, in-process state)."""

    proc: Proc
    data_dir: Path
    started_in: float
    env: dict[str, str] = field(repr=False)

    @property
    def url(self) -> str:
        return self.proc.url

    @property
    def database_url(self) -> str:
        return f"sqlite+aiosqlite:///{self.data_dir / 'llmchat.db'}"


def service_env(data_dir: Path, port: int, redis_url: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMCHAT_")}
    env.update(
        LLMCHAT_DATA_DIR=str(data_dir),
        LLMCHAT_PORT=str(port),
        LLMCHAT_HOST=HOST,
        LLMCHAT_ADMIN_EMAIL=ADMIN_EMAIL,
        LLMCHAT_ADMIN_PASSWORD=ADMIN_PASSWORD,
        LLMCHAT_JWT_SECRET=JWT_SECRET,
        LLMCHAT_SSRF_ALLOW_PRIVATE="true",
        LLMCHAT_BOOTSTRAP_PROVIDERS="false",
        LLMCHAT_LOG_LEVEL="warning",
    )
    if redis_url:
        env["LLMCHAT_REDIS_URL"] = redis_url
    return env


def start_service(log_dir: Path, data_dir: Path, *, name: str = "llmchat", redis_url: str = "") -> Service:
    """Run the installed `llmchat serve` and wait for `/health` to answer 200; `started_in` is that time."""
    binary = VENV_BIN / "llmchat"
    if not binary.exists():
        raise StartError(f"{binary} not found: run `make install-dev`.")
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = service_env(data_dir, port, redis_url)
    started = time.perf_counter()
    popen, log_path = _spawn(name, [str(binary), "serve"], log_dir, env, cwd=data_dir)
    proc = Proc(name, popen, port, log_path)
    deadline = time.monotonic() + 60
    with httpx.Client(timeout=1.0) as client:
        while time.monotonic() < deadline:
            if not proc.alive():
                raise StartError(f"llmchat serve exited at start-up:\n{proc.log_tail()}")
            try:
                if client.get(f"{proc.url}/health").status_code == 200:
                    return Service(proc, data_dir, time.perf_counter() - started, env)
            except httpx.TransportError:
                pass
            time.sleep(0.01)
    proc.stop()
    raise StartError(f"llmchat serve did not answer /health within 60 s:\n{proc.log_tail()}")
