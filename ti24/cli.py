"""Command line.

``ti24 check`` runs the specification and writes a compliance report folder; ``ti24 verify-report``
checks a folder's hashes and signature; ``ti24 diff`` compares two reports.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from . import __version__

ROOT = Path(__file__).resolve().parent.parent
PASSPHRASE_ENV = "TI24_SIGNING_KEY_PASSPHRASE"


def _workers(value: str) -> str:
    if value == "auto" or (value.isdigit() and int(value) > 0):
        return value
    raise argparse.ArgumentTypeError("작업자 수는 1 이상의 정수 또는 auto여야 합니다")


def _pytest_args(args: argparse.Namespace) -> list[str]:
    pytest_args = [str(ROOT / "tests" / "acceptance"), "-q", "--no-header", "--tb=no", "-p", "no:cacheprovider",
                   "-p", "reports.plugin", f"--rootdir={ROOT}", "-c", str(ROOT / "pyproject.toml")]
    if args.keyword:
        pytest_args += ["-k", args.keyword]
    if args.faults:
        pytest_args += ["-p", "simulator.faults", f"--faults={args.faults}"]
    if args.workers:
        pytest_args += ["-n", str(args.workers)]
    # Options of steps/plugin.py; passed only when asked for, so runs work before they are registered.
    if args.driver:
        pytest_args += ["--driver", args.driver]
    if args.target_url:
        pytest_args += ["--base-url", args.target_url]
    if args.profile:
        pytest_args += ["--site-profile", str(Path(args.profile).resolve())]
    return pytest_args


def check(args: argparse.Namespace) -> int:
    """Run the specification, write the report folder, exit non-zero on an unexpected FAIL."""
    from reports import expectations, provenance
    from reports.compliance import write_report
    from reports.integrity import load_private_key
    from reports.plugin import ReportCollector
    from reports.requirements import FAIL, NOT_RUN, summary
    from steps.catalogue import load_requirements

    args.target_url = None if args.target in (None, "", "embedded") else args.target
    if args.target_url and args.driver == "inprocess":
        print("내장 드라이버(inprocess)는 주소로 된 대상을 검사할 수 없습니다. --driver browser를 쓰십시오.",
              file=sys.stderr)
        return 2
    if args.target_url and not args.driver:
        args.driver = "browser"  # only a browser reaches a deployment by its URL
    started = datetime.now(UTC)
    out = Path(args.out) if args.out else Path("out") / f"report-{started:%Y%m%dT%H%M%SZ}"
    if out.exists() and any(out.iterdir()):
        print(f"보고서 폴더가 비어 있지 않습니다: {out}. 새 폴더를 --out으로 주십시오.", file=sys.stderr)
        return 2
    if args.profile and not Path(args.profile).is_file():
        print(f"사이트 프로필 파일이 없습니다: {args.profile}", file=sys.stderr)
        return 2
    try:
        expected = (expectations.load(args.expected_failures, [r["id"] for r in load_requirements()])
                    if args.expected_failures else {})
        signing_key = load_private_key(args.signing_key) if args.signing_key else None
    except (OSError, ValueError, TypeError) as error:
        print(f"설정 파일을 읽을 수 없습니다: {error}", file=sys.stderr)
        return 2

    collector = ReportCollector(progress=not args.no_progress)
    pytest_args = _pytest_args(args)
    code = pytest.main(pytest_args, plugins=[collector])
    finished = collector.finished_at or datetime.now(UTC)
    if code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR):
        given = [o for o, v in (("--driver", args.driver), ("--target", args.target_url), ("--profile", args.profile))
                 if v]
        hint = f" 이 설치가 {', '.join(given)} 옵션을 아직 지원하지 않을 수 있습니다." if given else ""
        print(f"명세를 실행하지 못했습니다 (pytest 종료 코드 {int(code)}).{hint}", file=sys.stderr)
        return int(code)

    names = {n: [r.record["name"]] for n, r in collector.results.items() if r.record}
    verdicts = expectations.fold(collector.verdicts(), expected, names)
    facts = {
        "run_id": str(uuid.uuid4()),
        "spec": provenance.spec_version(),
        "tool": {"name": "ti24", "version": __version__},
        "versions": provenance.versions(),
        "target": {"url": collector.option("ti24_base_url", args.target_url) or "embedded",
                   "driver": collector.option("driver", args.driver) or "inprocess",
                   "profile": provenance.file_ref(args.profile)},
        "run": {
            "started_at": started.isoformat(timespec="seconds"),
            "finished_at": finished.isoformat(timespec="seconds"),
            "duration": round((finished - started).total_seconds(), 3),
            "workers": args.workers,
            "keyword": args.keyword,
            "command": ["ti24", *args.argv],
            "pytest_args": pytest_args,
            "pytest_exit_code": int(code),
        },
        "host": provenance.host(),
        "expected_failures": ({**(provenance.file_ref(args.expected_failures) or {}), "count": len(expected)}
                              if args.expected_failures else None),
    }
    report = write_report(out, collector, verdicts, provenance=facts, expected=expected, make_pdf=not args.no_pdf,
                          signing_key=signing_key)
    print()
    ran = [v for v in verdicts if v.status != NOT_RUN]
    if args.keyword and ran:
        print(summary(ran))
        print(f"이번 선택(-k)에서 실행하지 않은 요구사항 {len(verdicts) - len(ran)}개는 표에서 뺐습니다 (NOT RUN).")
    else:
        print(summary(verdicts))
    failed = [s for s in report["scenarios"] if s["status"] == "failed"]
    if failed:
        print(f"\n실패한 시나리오 {len(failed)}개:")
        for scenario in failed[:20]:
            print(f"  {scenario['id'].rsplit('::', 1)[-1]}\n      {_why(scenario)}")
        if len(failed) > 20:
            print(f"  … 외 {len(failed) - 20}개 (report.html 참조)")
    pdf_note = "" if report["artifacts"]["pdf"]["written"] else f" (PDF 없음: {report['artifacts']['pdf']['note']})"
    print(f"\n보고서: {out}/report.html{pdf_note}")
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        return int(code)
    return 1 if any(v.status == FAIL for v in verdicts) else 0


def _why(scenario: dict) -> str:
    """One line on why a scenario failed: its failing step's message, else the last line of the error."""
    step = next((st for st in scenario["steps"] if st["status"] in ("failed", "undefined") and st["message"]), None)
    if step:
        return step["message"].splitlines()[0]
    lines = (scenario.get("error") or "").strip().splitlines()
    return lines[-1] if lines else ""


def verify_report(args: argparse.Namespace) -> int:
    """Check every hash of a report folder (and its signature when there is one)."""
    from reports.integrity import verify

    folder = Path(args.folder)
    if not folder.is_dir():
        print(f"보고서 폴더가 없습니다: {folder}", file=sys.stderr)
        return 2
    result = verify(folder, Path(args.public_key) if args.public_key else None)
    print(result.explain(), file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1


def diff(args: argparse.Namespace) -> int:
    """Compare two report folders; non-zero when a requirement went from PASS to FAIL."""
    from reports.diff import compare, load

    try:
        before, after = load(Path(args.before)), load(Path(args.after))
    except (OSError, ValueError) as error:
        print(f"report.json을 읽을 수 없습니다: {error}", file=sys.stderr)
        return 2
    comparison = compare(before, after)
    print(comparison.explain(args.before, args.after))
    return 1 if comparison.regressions else 0


def guide(args: argparse.Namespace) -> int:
    """Run the chosen scenarios in Chromium and write the illustrated guide (guide.html, guide.pdf)."""
    from reports import provenance
    from reports.guide import GuideError, chapters_from, known_tags, translate_tags, write_guide
    from reports.plugin import ReportCollector

    started = datetime.now(UTC)
    out = Path(args.out) if args.out else Path("out") / f"guide-{started:%Y%m%dT%H%M%SZ}"
    if out.exists() and any(out.iterdir()):
        print(f"안내서 폴더가 비어 있지 않습니다: {out}. 새 폴더를 --out으로 주십시오.", file=sys.stderr)
        return 2
    try:
        marker = translate_tags(args.tags, known_tags()) if args.tags else None
    except GuideError as error:
        print(error, file=sys.stderr)
        return 2
    pytest_args = [str(ROOT / "tests" / "acceptance"), "-q", "--no-header", "--tb=line", "-p", "no:cacheprovider",
                   "-p", "reports.plugin", f"--rootdir={ROOT}", "-c", str(ROOT / "pyproject.toml"),
                   "--driver", "browser", "--guide-shots", "--evidence-dir", str((out / "shots").resolve())]
    if marker:
        pytest_args += ["-m", marker]
    for name in args.feature or []:
        pytest_args += ["--only-feature", name]
    if args.workers:
        pytest_args += ["-n", str(args.workers)]
    collector = ReportCollector(progress=not args.no_progress)
    code = pytest.main(pytest_args, plugins=[collector])
    if code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.NO_TESTS_COLLECTED):
        print(f"시나리오를 실행하지 못했습니다 (pytest 종료 코드 {int(code)}). 태그와 기능 이름을 확인해 주세요.",
              file=sys.stderr)
        return 2
    chapters, left_out = chapters_from(collector.results)
    selection = " · ".join(x for x in (f"태그 {args.tags}" if args.tags else "",
                                        f"기능 {', '.join(args.feature)}" if args.feature else "") if x)
    facts = {"generated_at": started.astimezone().strftime("%Y-%m-%d %H:%M"),
             "spec": "sha256 " + provenance.spec_version()["sha256"][:12],
             "filter": selection}
    try:
        written = write_guide(out, chapters, title="무역투자24 통합회원 교육 안내서", facts=facts, left_out=left_out,
                              make_pdf=not args.no_pdf)
    except GuideError as error:
        print(error, file=sys.stderr)
        return 1
    if not args.keep_shots:  # every picture is inside guide.html now
        shutil.rmtree(out / "shots", ignore_errors=True)
    seconds = (datetime.now(UTC) - started).total_seconds()
    scenarios = sum(len(c.scenarios) for c in chapters)
    print(f"\n안내서: {written['html']} ({len(chapters)}개 장, 시나리오 {scenarios}개, {seconds:.0f}초)")
    if written["pdf"]:
        print(f"PDF: {written['pdf']}")
    elif not args.no_pdf:
        print(f"PDF 없음: {written['pdf_note']}")
    if left_out:
        print(f"안내서에서 뺀 시나리오 {len(left_out)}개 (브라우저로 실행할 수 없거나 통과하지 못함):")
        for line in left_out[:20]:
            print(f"  {line}")
    failed = any("(실패)" in line for line in left_out)
    return 1 if failed else 0


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
    if args.sandbox:
        from .sandbox import Sandbox, sandbox_intro

        if args.demo or args.faults:
            print("--sandbox는 --demo, --faults와 함께 쓸 수 없습니다 (연습 상황은 연습 메뉴에서 불러옵니다).",
                  file=sys.stderr)
            return 2
        sandbox = Sandbox(origin, seed_value=args.seed, trainer_key=args.trainer_key)
        print(f"무역투자24 시뮬레이터 (연습 모드, 데이터는 메모리에만 둡니다): {origin}/")
        print(sandbox_intro(origin, sandbox.trainer_key))
        uvicorn.run(sandbox, host=args.host, port=args.port, log_level="warning")
        return 0
    embedded = build(hashing="serving", database=args.database, site_url=origin, providers_url=origin,
                     faults=args.faults,
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
    run = commands.add_parser("check", help="명세를 실행하고 요구사항별 판정과 적합성 보고서 폴더를 만듭니다")
    run.add_argument("--target", default="embedded", metavar="URL",
                     help="검사 대상 주소 (기본: embedded, 내장 시뮬레이터). pytest에 --base-url로 넘깁니다")
    run.add_argument("--profile", metavar="site.toml", help="대상 사이트 프로필 (pytest에 --site-profile로 넘깁니다)")
    run.add_argument("--driver", choices=["inprocess", "browser"], help="단계를 실행할 드라이버 (기본: inprocess)")
    run.add_argument("--out", metavar="DIR", help="보고서 폴더 (기본: out/report-<UTC 시각>)")
    run.add_argument("--workers", type=_workers, metavar="N", help="pytest-xdist 병렬 작업자 수 (숫자 또는 auto)")
    run.add_argument("--expected-failures", metavar="FILE",
                     help="예상 실패 목록 (TOML/YAML: 요구사항 ID → 사유, 선택적으로 시나리오)")
    run.add_argument("--signing-key", metavar="PEM",
                     help=f"manifest.json에 서명할 Ed25519 개인키 (암호는 환경변수 {PASSPHRASE_ENV})")
    run.add_argument("-k", dest="keyword", help="이 표현식에 맞는 시나리오만 실행합니다 (pytest -k)")
    run.add_argument("--faults", default="", help="내장 시뮬레이터에 켤 결함 (쉼표로 구분; simulator/faults.py)")
    run.add_argument("--no-pdf", action="store_true", help="report.pdf를 만들지 않습니다")
    run.add_argument("--no-progress", action="store_true", help="진행 표시줄을 끕니다")
    run.set_defaults(func=check)
    verify_cmd = commands.add_parser("verify-report", help="보고서 폴더의 해시(와 서명)를 확인합니다")
    verify_cmd.add_argument("folder", metavar="DIR", help="ti24 check가 만든 보고서 폴더")
    verify_cmd.add_argument("--public-key", metavar="PEM", help="신뢰하는 Ed25519 공개키 (서명까지 확인합니다)")
    verify_cmd.set_defaults(func=verify_report)
    compare_cmd = commands.add_parser("diff", help="두 보고서를 비교해 나빠진 요구사항과 고쳐진 요구사항을 보여 줍니다")
    compare_cmd.add_argument("before", metavar="A", help="이전 보고서 폴더 (또는 report.json)")
    compare_cmd.add_argument("after", metavar="B", help="새 보고서 폴더 (또는 report.json)")
    compare_cmd.set_defaults(func=diff)
    book = commands.add_parser("guide", help="명세를 브라우저로 실행해 그림 교육 안내서(guide.html, guide.pdf)를 만듭니다")
    book.add_argument("--out", metavar="DIR", help="안내서 폴더 (기본: out/guide-<UTC 시각>)")
    book.add_argument("--tags", metavar="EXPR",
                      help="태그 표현식: 'REQ-CORP-01 or REQ-REG-05', '@REQ-CORP-*' (glob), 'not @inprocess_only'")
    book.add_argument("--feature", nargs="+", metavar="NAME",
                      help="이 기능만: 파일 이름(06, 06_기업정보_등록), 장 태그(기업정보등록) 또는 기능 제목의 일부")
    book.add_argument("--workers", type=_workers, metavar="N", help="pytest-xdist 병렬 작업자 수")
    book.add_argument("--no-pdf", action="store_true", help="guide.pdf를 만들지 않습니다")
    book.add_argument("--keep-shots", action="store_true", help="화면 파일(shots/)을 지우지 않고 남깁니다")
    book.add_argument("--no-progress", action="store_true", help="진행 표시줄을 끕니다")
    book.set_defaults(func=guide)
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
    web.add_argument("--faults", default="", help="켤 결함 (쉼표로 구분; simulator/faults.py)")
    web.add_argument("--sandbox", action="store_true",
                     help="연습(샌드박스) 모드: /sandbox 연습 메뉴(초기화, 연습 상황), 연습 도우미 패널, /sandbox/trainer 강사 화면")
    web.add_argument("--trainer-key", default=None, metavar="KEY",
                     help="--sandbox의 강사 화면 열쇠 (기본: 시작할 때마다 새로 만들어 화면에 보여 줍니다)")
    web.set_defaults(func=serve)
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
