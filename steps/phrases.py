"""Korean step phrases as regular expressions.

A template reads like the step: ``{name}`` captures what stands between double quotes
(or a bare number where the template has ``{name:d}``), and ``[이가]`` accepts either
particle, since Korean particles follow the last syllable of the word before them.
"""

from __future__ import annotations

import re

from pytest_bdd import parsers

PARTICLES = {"[이가]": "(?:이|가)", "[은는]": "(?:은|는)", "[을를]": "(?:을|를)", "[과와]": "(?:과|와)",
             "[로]": "(?:으로|로)", "[이]": "(?:이)?"}
_TOKEN = re.compile(r"\{(\w+)(:d)?\}|\[[^\]]{1,2}\]")


def pattern(template: str) -> str:
    out, pos = [], 0
    for match in _TOKEN.finditer(template):
        out.append(re.escape(template[pos:match.start()]))
        token = match.group(0)
        if token.startswith("["):
            out.append(PARTICLES[token])
        elif match.group(2):
            out.append(rf"(?P<{match.group(1)}>\d+)")
        else:
            out.append(rf"(?P<{match.group(1)}>[^\"]*)")
        pos = match.end()
    out.append(re.escape(template[pos:]))
    return "^" + "".join(out) + "$"


def ko(template: str) -> parsers.re:
    return parsers.re(pattern(template))
