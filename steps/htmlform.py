"""Just enough of a browser for the in-process driver: read a page's forms and alerts, fill
fields by name and submit, the way a person at a provider's page would."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    choices: dict[str, list[str]] = field(default_factory=dict)  # radio/select/submit values by name

    def filled(self, **values: str) -> dict[str, str]:
        data = dict(self.fields)
        data.update(values)
        return data


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.alerts: list[str] = []
        self._alert_depth = 0
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif self._alert_depth:
            self._alert_depth += 1
        if a.get("role") == "alert" and tag != "form":
            self._alert_depth = 1
            self.alerts.append("")
        if not self.forms:
            return
        form = self.forms[-1]
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox", "submit"):
                form.choices.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    form.fields[name] = a.get("value", "on")
            else:
                form.fields[name] = a.get("value", "")
        elif tag == "button" and name:
            form.choices.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            form.choices.setdefault(self._select, []).append(a.get("value", ""))
        elif tag == "textarea" and name:
            form.fields[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        if self._alert_depth:
            self._alert_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._alert_depth and self.alerts:
            self.alerts[-1] += data


@dataclass
class Page:
    url: str
    status: int
    text: str
    forms: list[Form]
    alerts: list[str]

    def form(self, containing: str | None = None) -> Form:
        """The first form, or the first one with a field or choice named ``containing``."""
        for form in self.forms:
            if containing is None or containing in form.fields or containing in form.choices:
                return form
        raise AssertionError(f"no form with '{containing}' on {self.url}: {self.text[:300]}")

    def action(self, form: Form) -> str:
        return urljoin(self.url, form.action or self.url)

    @property
    def alert(self) -> str:
        return " ".join(" ".join(a.split()) for a in self.alerts if a.strip())


def parse(url: str, status: int, text: str) -> Page:
    parser = _Parser()
    parser.feed(text)
    return Page(url, status, text, parser.forms, parser.alerts)
