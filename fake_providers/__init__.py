"""In-process fakes of everything outside KOTRA.

Each fake is a plain object whose methods mirror a real endpoint (same parameters, the real
response dicts or ``(http_status, json_dict)`` tuples), so a later step can put it behind HTTP.
The simulator talks to them only through the adapters in ``simulator.adapters``.
"""
