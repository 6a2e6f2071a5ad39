"""The fake providers over HTTP: ``create_app(world)`` (see docs/providers-http.md)."""

from .app import create_app, create_default_app

__all__ = ["create_app", "create_default_app"]
