"""Command line: ``ti24 check`` runs the whole specification and reports per requirement."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def check(args: argparse.Namespace) -> int:
    from reports.requirements import FAIL, RequirementCollector, summary

    if args.target != "embedded":
        print("지금은 내장 시뮬레이터(--target embedded)만 검사할 수 있습니다.", file=sys.stderr)
        return 2
    collector = RequirementCollector()
    pytest_args = [str(ROOT / "tests" / "acceptance"), "-q", "--no-header", "-p", "no:cacheprovider",
                   f"--rootdir={ROOT}", "-c", str(ROOT / "pyproject.toml")]
    if args.keyword:
        pytest_args += ["-k", args.keyword]
    code = pytest.main(pytest_args, plugins=[collector])
    verdicts = collector.verdicts()
    print()
    print(summary(verdicts))
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        return int(code)
    return 1 if any(v.status == FAIL for v in verdicts) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ti24", description="KOTRA 무역투자24 통합회원 실행 명세와 참조 시뮬레이터")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("check", help="명세 전체를 실행하고 요구사항별 PASS/FAIL을 출력합니다")
    run.add_argument("--target", default="embedded", help="검사 대상 (기본: 내장 시뮬레이터)")
    run.add_argument("-k", dest="keyword", help="이 표현식에 맞는 시나리오만 실행합니다 (pytest -k)")
    run.set_defaults(func=check)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
