"""Site profiles: how a browser finds each logical element of a deployment.

By default every element is found by its ARIA role and the manual's Korean label, so a UI
that uses the manual's words needs no configuration. A vendor whose screens differ maps
logical names to Playwright selectors in a TOML file::

    [selectors]
    "login.user_id" = "#userId"
    "signup.general" = "text=일반회원가입"

    [paths]
    login = "/member/login.do"
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PATHS = {
    "home": "/", "signup": "/signup", "login": "/login", "mykotra": "/mykotra",
    "find_id": "/find-id", "password_reset": "/password-reset", "affiliation": "/mykotra/company",
    "services": "/services", "mileage": "/services/mileage", "company_edit_member": "/services/company-edit",
    "colleagues": "/services/colleagues", "company_admin_edit": "/company-admin/edit",
    "password_reset_new": "/password-reset/new",
}


@dataclass
class SiteProfile:
    selectors: dict[str, str] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)
    source: Path | None = None

    @classmethod
    def load(cls, path: str | Path | None) -> SiteProfile:
        if not path:
            return cls()
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        unknown = set(data) - {"selectors", "paths"}
        if unknown:
            raise ValueError(f"site profile: unknown sections {sorted(unknown)}")
        bad = set(data.get("paths", {})) - set(PATHS)
        if bad:
            raise ValueError(f"site profile: unknown paths {sorted(bad)}")
        return cls(dict(data.get("selectors", {})), dict(data.get("paths", {})), Path(path))

    def path(self, name: str) -> str:
        return self.paths.get(name, PATHS[name])

    def find(self, scope: Any, name: str, default: Callable[[Any], Any]) -> Any:
        """The element named ``name``: the profile's selector if it has one, else ``default(scope)``."""
        selector = self.selectors.get(name)
        return scope.locator(selector) if selector else default(scope)
