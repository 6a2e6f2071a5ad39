"""Break one rule at a time on purpose and show which scenarios catch it.

Each mutant changes one line of the simulator in a scratch copy of the tree, runs the
acceptance suite there and reports how many scenarios failed. A rule whose mutant fails
no scenario is not really specified. Run: ``.venv/bin/python tools/break_rules.py``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutant:
    rule: str
    path: str
    old: str
    new: str


MUTANTS = [
    Mutant("MTX-N3: 간편회원 may not apply for 기타 서비스",
           "simulator/domain/entitlements.toml",
           'services = ["기타 서비스 신청"]\nallowed = [true, true, true, false]',
           'services = ["기타 서비스 신청"]\nallowed = [true, true, true, true]'),
    Mutant("CORP-04: the ⌊d9·5/10⌋ term of the 사업자등록번호 check digit",
           "simulator/domain/bizno.py", "    total += digits[8] * 5 // 10\n", ""),
    Mutant("REG-08: 휴업 companies cannot be registered",
           "simulator/service_layer/affiliation.py", 'if state.code == "02":', 'if state.code == "휴업":'),
    Mutant("APW-01: the approval password must match",
           "simulator/service_layer/affiliation.py",
           'if not ctx.hasher.verify(company["approval_password_hash"], approval_password):', "if False:"),
    Mutant("CERT-01/02: only the 17 accepted certificate types",
           "simulator/domain/certificate_types.py", "        if oid in _BY_OID:\n            return _BY_OID[oid]",
           "        return ACCEPTED_CERTIFICATE_TYPES[0]"),
    Mutant("REG-06: a new company needs its 사업자등록증 scan",
           "simulator/service_layer/company_registration.py",
           '    if scan is None or not scan.data:\n        raise Refusal("scan_required"',
           '    if scan is None or not scan.data:\n        return ""\n        raise Refusal("scan_required"'),
    Mutant("LOGIN-04: five wrong passwords lock the account",
           "simulator/service_layer/auth.py", 'row["failed_logins"] >= policy.MAX_LOGIN_FAILURES',
           'row["failed_logins"] >= 10 ** 6'),
    Mutant("ADM-04: 기업정보 수정 only after [기업인증]",
           "simulator/service_layer/company_admin.py", '    if not row["company_authenticated_at"]:',
           "    if False:"),
]


def run(mutant: Mutant) -> tuple[int, int, list[str]]:
    with tempfile.TemporaryDirectory() as scratch:
        tree = Path(scratch) / "tree"
        shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.db"))
        target = tree / mutant.path
        text = target.read_text(encoding="utf-8")
        assert mutant.old in text, f"{mutant.rule}: the line to break is not in {mutant.path}"
        target.write_text(text.replace(mutant.old, mutant.new, 1), encoding="utf-8")  # first: (신) before (구)
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "tests/acceptance", "-q", "-p", "no:cacheprovider", "-rf"],
            cwd=tree, capture_output=True, text=True, env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        )
    failed = re.search(r"(\d+) failed", result.stdout)
    passed = re.search(r"(\d+) passed", result.stdout)
    names = re.findall(r"^FAILED \S+::(\S+)", result.stdout, re.M)
    return int(failed.group(1)) if failed else 0, int(passed.group(1)) if passed else 0, names


def main() -> int:
    survivors = 0
    for mutant in MUTANTS:
        failed, passed, names = run(mutant)
        survivors += failed == 0
        print(f"{'caught' if failed else 'SURVIVED':8} {failed:3} failed / {passed:3} passed  {mutant.rule}")
        for name in names[:3]:
            print(f"           e.g. {name}")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
