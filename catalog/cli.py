"""flask catalog ... commands (being built)."""


def init_app(app):
    pass
