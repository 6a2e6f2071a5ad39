"""What every benchmark shares: tables, the machine, timing, free ports, servers in a thread."""

from __future__ import annotations

import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CHROMIUM = os.environ.get("TI24_CHROMIUM", "/usr/bin/chromium")


@dataclass
class Table:
    """One benchmark's result: a title, a header row, rows, and notes printed under it."""

    title: str
    headers: Sequence[str]
    rows: list[Sequence[Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: Any) -> None:
        self.rows.append(cells)

    def render(self) -> str:
        cells = [[_fmt(c) for c in row] for row in self.rows]
        widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(self.headers)]
        line = lambda values: "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"  # noqa: E731
        out = [f"### {self.title}", "", line(self.headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
        out += [line(r) for r in cells]
        out += ["", *(f"- {n}" for n in self.notes)] if self.notes else []
        return "\n".join(out) + "\n"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        if value == 0:
            return "0"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        if abs(value) >= 0.1:
            return f"{value:.2f}"
        return f"{value:.4f}"
    return str(value)


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> Table:
    table = Table("Machine", ["what", "value"])
    table.add("date (UTC)", datetime.now(UTC).strftime("%Y-%m-%d %H:%M"))
    table.add("CPU", f"{cpu_model()} — {cores()} cores usable")
    table.add("load average (1/5/15 min) at start", " / ".join(f"{x:.1f}" for x in os.getloadavg()))
    table.add("Python", platform.python_version())
    table.add("OS", platform.platform())
    return table


def percentile(values: Sequence[float], q: float) -> float:
    """``q`` in 0–100, linear interpolation (statistics.quantiles' 'inclusive' method)."""
    if len(values) == 1:
        return float(values[0])
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


@dataclass
class Timed:
    wall: float
    cpu: float  # user + system of the child processes
    returncode: int
    output: str


def run_timed(args: Sequence[str], *, cwd: Path = ROOT, env: dict[str, str] | None = None,
              timeout: float | None = None) -> Timed:
    """Run a child process; wall time and the CPU it (and its children) used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(list(args), cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          timeout=timeout, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timed(wall, cpu, done.returncode, done.stdout + done.stderr)


def ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system, all threads) a running process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ServerProcess:
    """A server in a child process on 127.0.0.1, ready once ``url`` answers; ``stop()`` ends it."""

    def __init__(self, args: Sequence[str], url: str, *, cwd: Path = ROOT, timeout: float = 120.0,
                 env: dict[str, str] | None = None) -> None:
        import httpx

        self.log = Path(os.environ.get("TMPDIR", "/tmp")) / f"ti24-bench-server-{os.getpid()}-{free_port()}.log"
        self._log = self.log.open("w")
        self.process = subprocess.Popen(list(args), cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT,
                                        env={**os.environ, **(env or {})})
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                self._log.close()
                raise RuntimeError(f"server exited early: {' '.join(args)}\n{self.log.read_text()[-2000:]}")
            try:
                if httpx.get(url, timeout=2.0).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"server did not answer at {url} within {timeout:.0f} s")
            time.sleep(0.1)

    @property
    def cpu(self) -> float:
        return process_cpu(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        self.log.unlink(missing_ok=True)

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
