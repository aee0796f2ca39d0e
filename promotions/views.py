"""Promotion pages (being built)."""
from promotions import bp  # noqa: F401
