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


def providers(args: argparse.Namespace) -> int:
    """Every fake outside party on one address, for a vendor's staging system or a trainer."""
    import uvicorn

    from fake_providers.http.app import create_default_app

    app = create_default_app(seed=args.seed)
    print(f"가짜 외부 기관: http://{args.host}:{args.port}/  (제어 API 문서: /control/openapi.json)")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def serve(args: argparse.Namespace) -> int:
    """The simulator and every fake provider on one address, for trying the system by hand."""
    import uvicorn

    from simulator.adapters.clock import SystemClock
    from simulator.web.app import create_app as create_site

    from .compose import OneOrigin
    from .demo import seed_demo
    from .embedded import build

    origin = f"http://{args.host}:{args.port}"
    embedded = build(hashing="serving", database=args.database, site_url=origin, providers_url=origin,
                     clock=SystemClock(), seed=args.seed)
    site = create_site(embedded.ctx, providers_base_url=origin, secure_cookies=False)
    print(f"무역투자24 시뮬레이터: {origin}/")
    if args.demo:
        print(seed_demo(embedded))
    uvicorn.run(OneOrigin(site, embedded.providers_app), host=args.host, port=args.port, log_level="warning")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ti24", description="KOTRA 무역투자24 통합회원 실행 명세와 참조 시뮬레이터")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("check", help="명세 전체를 실행하고 요구사항별 PASS/FAIL을 출력합니다")
    run.add_argument("--target", default="embedded", help="검사 대상 (기본: 내장 시뮬레이터)")
    run.add_argument("-k", dest="keyword", help="이 표현식에 맞는 시나리오만 실행합니다 (pytest -k)")
    run.set_defaults(func=check)
    fakes = commands.add_parser("providers", help="가짜 외부 기관(SNS, PASS, 카드, 간편인증, 인증기관, 국세청)을 띄웁니다")
    fakes.add_argument("--host", default="127.0.0.1", help="주소 (기본: 127.0.0.1)")
    fakes.add_argument("--port", type=int, default=8100, help="포트 (기본: 8100)")
    fakes.add_argument("--seed", type=int, default=None, help="faker 시드 (같은 시드는 같은 데이터)")
    fakes.set_defaults(func=providers)
    web = commands.add_parser("serve", help="시뮬레이터 웹 화면과 가짜 외부 기관을 한 주소에 띄웁니다")
    web.add_argument("--host", default="127.0.0.1", help="주소 (기본: 127.0.0.1)")
    web.add_argument("--port", type=int, default=8000, help="포트 (기본: 8000)")
    web.add_argument("--database", default="ti24.db", help="SQLite 파일 (기본: ti24.db, ':memory:' 가능)")
    web.add_argument("--demo", action="store_true", help="faker ko_KR 예시 데이터(사람, 계정, 기업, 인증서)를 만듭니다")
    web.add_argument("--seed", type=int, default=None, help="faker 시드")
    web.set_defaults(func=serve)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
