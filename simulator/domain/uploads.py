"""The 사업자등록증 scan: what an upload must be before it is stored.

PDF, JPEG or PNG, told by the file's content (magic bytes, read by the ``filetype`` library),
and the name's extension must agree with it; not empty; at most 10 MB (OWASP ASVS 5.0 V5.2.1,
V5.2.2; OWASP File Upload Cheat Sheet). The stored copy gets a server-generated id; the name the
browser sent is kept only as a label.
"""

from __future__ import annotations

from dataclasses import dataclass

import filetype

from .errors import Refusal

MAX_BYTES = 10 * 1024 * 1024
# extension the member may use -> the content type its bytes must have
EXTENSIONS = {"pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}


@dataclass(frozen=True)
class CheckedScan:
    content_type: str
    size: int


def check_scan(filename: str, data: bytes) -> CheckedScan:
    """Refuse, in Korean, anything but a non-empty PDF/JPEG/PNG of at most 10 MB whose content
    matches its extension."""
    if not data:
        raise Refusal("scan_empty", "첨부한 사업자등록증 파일이 빈 파일입니다. 스캔본 파일을 다시 첨부해 주세요.")
    if len(data) > MAX_BYTES:
        raise Refusal("scan_size", "사업자등록증 파일은 10MB 이하만 첨부할 수 있습니다.")
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in EXTENSIONS:
        raise Refusal("scan_type", "사업자등록증은 PDF, JPG, PNG 파일만 첨부할 수 있습니다.")
    kind = filetype.guess(data[:8192])
    if kind is None or kind.mime != EXTENSIONS[ext]:
        raise Refusal("scan_content", "첨부한 파일의 내용이 확장자와 맞지 않습니다. 사업자등록증 스캔본을 다시 첨부해 주세요.")
    return CheckedScan(EXTENSIONS[ext], len(data))
