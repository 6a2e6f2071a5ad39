"""Where a report comes from: spec version, tool versions, target, host."""

from __future__ import annotations

import getpass
import hashlib
import platform
import socket
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from steps.catalogue import CATALOGUE, FEATURES, feature_files

PACKAGES = ("pytest", "pytest-bdd", "pytest-xdist", "gherkin-official", "playwright", "cryptography")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def spec_files() -> list[Path]:
    return sorted([*feature_files(), CATALOGUE], key=lambda p: p.relative_to(FEATURES.parent).as_posix())


def spec_version(files: list[Path] | None = None, root: Path | None = None) -> dict[str, Any]:
    """SHA-256 over the feature files and the catalogue.

    For each file in order of its '/'-separated path relative to the project root: the path in
    UTF-8, a NUL byte, the file's SHA-256 in hex, a newline. ``docs/report-schema.md`` gives a
    shell one-liner that recomputes it.
    """
    files = files if files is not None else spec_files()
    root = root or FEATURES.parent
    digest = hashlib.sha256()
    listed = []
    for path in sorted(files, key=lambda p: p.relative_to(root).as_posix()):
        rel = path.relative_to(root).as_posix()
        file_hash = sha256_file(path)
        digest.update(rel.encode("utf-8") + b"\0" + file_hash.encode("ascii") + b"\n")
        listed.append({"path": rel, "sha256": file_hash, "size": path.stat().st_size})
    return {"sha256": digest.hexdigest(), "files": listed}


def versions() -> dict[str, str | None]:
    import ti24

    found: dict[str, str | None] = {"ti24": ti24.__version__, "python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def host() -> dict[str, str]:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        user = ""
    return {
        "hostname": socket.gethostname(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python_executable": sys.executable,
        "user": user,
    }


def file_ref(path: str | Path | None) -> dict[str, Any] | None:
    if not path:
        return None
    p = Path(path)
    return {"path": str(p), "sha256": sha256_file(p) if p.is_file() else None}
