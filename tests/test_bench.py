"""Smoke test of the benchmark entry point (python -m bench --quick); no timings are asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_quick_runs_and_prints_its_tables() -> None:
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--only", "reports,growth"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    for title in ("### Machine", "### 5. Growth", "### 6. Compliance report from 500"):
        assert title in done.stdout
    assert "failed" not in done.stdout


def test_bench_refuses_an_unknown_part() -> None:
    done = subprocess.run([sys.executable, "-m", "bench", "--only", "nope"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 2 and "unknown part(s): nope" in done.stderr


def test_empty_step_floor_registers_every_step_pattern(tmp_path: Path) -> None:
    from bench.harness_bench import step_contexts, write_floor

    write_floor(tmp_path)
    source = (tmp_path / "conftest.py").read_text(encoding="utf-8")
    assert source.count("\n@step(") == len(step_contexts()) > 50
    compile(source, "conftest.py", "exec")
