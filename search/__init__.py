"""Search: product search through Elasticsearch, or the embedded SQLite FTS5 backend without it."""
from flask import Blueprint

bp = Blueprint("search", __name__, template_folder="templates")


def init_app(app):
    """Register search's pages, API, CLI, outbox listeners, state and header box on `app`."""
    from marketplace.jobs import Job, crontab, jobs
    from marketplace.navigation import header_parts
    from marketplace.ops import metric_gauges, register_check
    from search import api, cli, engine, health, models, outbox, views  # noqa: F401  (registers on import)

    engine.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(api.bp)
    outbox.init_app(app)
    cli.init_app(app)
    header_parts.register(app, "search/_header_box.html")
    jobs.register(app, Job(outbox.DISPATCH_JOB, outbox.dispatch_job, schedule=crontab(minute="*"),
                           every="after each catalog commit, and every minute",
                           doc="apply the search outbox to every backend", retries=0))
    register_check(app, "search", health.readiness)
    metric_gauges.register(app, health.gauges)
