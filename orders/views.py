"""Order pages (being built)."""
from orders import bp  # noqa: F401
