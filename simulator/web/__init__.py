"""Server-rendered Korean web pages over the service layer (Starlette + Jinja2)."""

from .app import create_app

__all__ = ["create_app"]
