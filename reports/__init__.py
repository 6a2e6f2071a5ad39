"""Compliance reports and training guides built from scenario results."""
