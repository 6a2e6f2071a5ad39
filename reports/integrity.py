"""manifest.json (SHA-256 and size of every artifact), its Ed25519 signature, and the check of both."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .provenance import sha256_file

MANIFEST, SIGNATURE, PUBLIC_KEY = "manifest.json", "manifest.sig", "manifest.pub"
NOT_LISTED = {MANIFEST, SIGNATURE, PUBLIC_KEY}
PASSPHRASE_ENV = "TI24_SIGNING_KEY_PASSPHRASE"


def artifacts(folder: Path) -> list[Path]:
    return sorted((p for p in folder.rglob("*") if p.is_file() and p.relative_to(folder).as_posix() not in NOT_LISTED),
                  key=lambda p: p.relative_to(folder).as_posix())


def write_manifest(folder: Path, run_id: str) -> dict[str, Any]:
    manifest = {
        "schema_version": "1.0",
        "algorithm": "sha256",
        "run_id": run_id,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": [{"path": p.relative_to(folder).as_posix(), "sha256": sha256_file(p), "size": p.stat().st_size}
                  for p in artifacts(folder)],
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return manifest


def load_private_key(path: str | Path) -> Ed25519PrivateKey:
    passphrase = os.environ.get(PASSPHRASE_ENV)
    key = serialization.load_pem_private_key(Path(path).read_bytes(),
                                             password=passphrase.encode() if passphrase else None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("서명 키는 Ed25519 개인키(PEM)여야 합니다. 예: openssl genpkey -algorithm ed25519 -out key.pem")
    return key


def load_public_key(data: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(data)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("공개키는 Ed25519 공개키(PEM)여야 합니다.")
    return key


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def sign(folder: Path, key: Ed25519PrivateKey) -> None:
    """manifest.sig: raw 64-byte Ed25519 signature over the exact bytes of manifest.json."""
    (folder / SIGNATURE).write_bytes(key.sign((folder / MANIFEST).read_bytes()))
    (folder / PUBLIC_KEY).write_bytes(public_pem(key.public_key()))


@dataclass
class Verification:
    ok: bool = True
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    signature: str = "없음"
    files: int = 0

    def explain(self) -> str:
        lines = []
        if self.ok:
            lines.append(f"보고서가 온전합니다: 파일 {self.files}개의 SHA-256과 크기가 manifest.json과 같습니다.")
        else:
            lines.append("보고서가 만들어진 뒤 바뀌었습니다.")
        for title, paths in (("내용이 바뀐 파일", self.changed), ("없어진 파일", self.missing),
                             ("목록에 없는 파일이 더 있음", self.extra)):
            if paths:
                lines.append(f"- {title} {len(paths)}개:")
                lines.extend(f"    {p}" for p in paths)
        lines.extend(f"- {p}" for p in self.problems)
        lines.extend(f"주의: {w}" for w in self.warnings)
        lines.append(f"서명: {self.signature}")
        return "\n".join(lines)


def verify(folder: Path, public_key: Path | None = None) -> Verification:
    result = Verification()
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        result.ok = False
        result.problems.append(f"{MANIFEST}이 없습니다. ti24 check가 만든 보고서 폴더가 맞는지 확인하십시오.")
        return result
    raw = manifest_path.read_bytes()
    try:
        manifest = json.loads(raw)
        listed = {f["path"]: f for f in manifest["files"]}
    except (ValueError, KeyError, TypeError):
        result.ok = False
        result.problems.append(f"{MANIFEST}을 읽을 수 없습니다 (JSON 형식이 깨졌습니다).")
        return result
    result.files = len(listed)
    present = {p.relative_to(folder).as_posix(): p for p in artifacts(folder)}
    for path, entry in listed.items():
        target = present.get(path)
        if target is None:
            result.missing.append(path)
        elif target.stat().st_size != entry.get("size") or sha256_file(target) != entry.get("sha256"):
            result.changed.append(path)
    result.extra = sorted(set(present) - set(listed))
    if result.changed or result.missing or result.extra:
        result.ok = False
    _check_signature(folder, raw, public_key, result)
    return result


def _check_signature(folder: Path, raw: bytes, public_key: Path | None, result: Verification) -> None:
    sig_path, bundled = folder / SIGNATURE, folder / PUBLIC_KEY
    if not sig_path.is_file():
        if public_key is not None:
            result.ok = False
            result.signature = f"{SIGNATURE}이 없습니다. 공개키를 주었으므로 서명된 보고서여야 합니다."
        elif bundled.is_file():
            result.ok = False
            result.signature = f"{PUBLIC_KEY}는 있는데 {SIGNATURE}이 없습니다 (서명이 지워졌습니다)."
        else:
            result.signature = "서명하지 않은 보고서입니다 (--signing-key 없이 만들었습니다)."
        return
    try:
        if public_key is not None:
            key = load_public_key(public_key.read_bytes())
            source = f"주어진 공개키 {public_key}"
            if bundled.is_file() and bundled.read_bytes().strip() != public_pem(key).strip():
                result.warnings.append(f"폴더의 {PUBLIC_KEY}가 주어진 공개키와 다릅니다 (판정은 주어진 공개키로 합니다).")
        elif bundled.is_file():
            key = load_public_key(bundled.read_bytes())
            source = f"폴더에 함께 있는 {PUBLIC_KEY}"
        else:
            result.ok = False
            result.signature = f"{SIGNATURE}은 있지만 공개키가 없습니다. --public-key로 공개키를 주십시오."
            return
    except ValueError as error:
        result.ok = False
        result.signature = f"공개키를 읽을 수 없습니다: {error}"
        return
    try:
        key.verify(sig_path.read_bytes(), raw)
    except InvalidSignature:
        result.ok = False
        result.signature = f"서명이 맞지 않습니다 ({source}로 확인). manifest.json이나 서명이 바뀌었습니다."
        return
    if public_key is None:
        result.signature = (f"유효합니다 ({source}로 확인). 이 키는 보고서와 함께 온 것이므로 누구든 다시 서명할 수 "
                            "있습니다. 신뢰하는 공개키를 --public-key로 주면 서명한 사람까지 확인합니다.")
    else:
        result.signature = f"유효합니다 ({source}로 확인)."
