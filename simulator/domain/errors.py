"""Refusals: every rule violation carries a stable code and a clear Korean message."""

from __future__ import annotations


class Refusal(Exception):
    """A request the membership system refuses, with the message shown to the member.

    ``code`` is a stable English identifier for tests and reports; ``message`` is the
    Korean text a member reads.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"Refusal({self.code!r}, {self.message!r})"
