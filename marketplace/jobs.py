"""Background work: jobs on a task queue (Huey), run by `flask jobs worker`.

Why Huey: one small, well-kept library that has both storages this project needs, SQLite (the
embedded default: `make run` needs no broker) and Redis (production, `TASK_QUEUE_URL=redis://`),
with periodic tasks built in, so one code path runs everywhere.

Durability lives in the database, not in the queue. A queued message only says "wake up and do
job X": every job reads what is due from the database (unpaid checkouts past their time, mail not
yet sent, outbox rows, delivered orders past their days), changes it in one transaction and
commits. So a message lost with a killed worker loses nothing: the transaction it was in rolls
back, and the next run (the schedule, the catch-up a worker does when it starts, or the next
enqueue) does the work once. Jobs take their rows with `FOR UPDATE SKIP LOCKED` (or an
equivalent claim), so two workers running the same job at once do not do it twice.

- `Job(name, run, schedule=crontab(...), ...)`: registered by a domain on the `jobs` hook in its
  `init_app`; `run(**kwargs)` is called in an app context, its session committed after it.
- `enqueue(name, **kwargs)`: ask a worker to run a job soon (with TASK_QUEUE_IMMEDIATE, as in
  tests, it runs at once, in-process).
- `queue(app)`: the app's Huey instance, built on first use from the registered jobs.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from huey import RedisHuey, SqliteHuey, crontab

from marketplace.hooks import Hook

log = logging.getLogger(__name__)

__all__ = ["Job", "crontab", "enqueue", "jobs", "queue", "queue_depth", "run_now"]

jobs = Hook("jobs", "Job entries: the background work each domain brings, with its schedule.")

_KEY = "marketplace.jobs"


@dataclass(frozen=True, eq=False)
class Job:
    """One kind of background work. `schedule` (a Huey `crontab`) makes it periodic; `doc` is
    shown by `flask jobs list` and the deploy docs."""

    name: str
    run: Callable[..., Any]
    schedule: Any = None
    doc: str = ""
    retries: int = 2
    retry_delay: int = 10
    every: str = ""  # the schedule in words, for `flask jobs list`

    def __eq__(self, other) -> bool:
        return isinstance(other, Job) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)


def _build(app: Flask):
    config = app.config
    name = config["TASK_QUEUE_NAME"]
    url = config["TASK_QUEUE_URL"]
    if url and url.startswith(("redis://", "rediss://", "unix://")):
        huey = RedisHuey(name, url=url, immediate=config["TASK_QUEUE_IMMEDIATE"], utc=True)
    else:
        path = Path(url.removeprefix("sqlite:///")) if url else Path(app.instance_path) / "tasks.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey(name, filename=str(path), immediate=config["TASK_QUEUE_IMMEDIATE"], utc=True)
    return huey, {job.name: _register(app, huey, job) for job in jobs.entries(app)}


def _register(app: Flask, huey, job: Job):
    def run(**kwargs):
        return _run_in_app(app, job, kwargs)

    run.__name__ = job.name.replace(".", "_")
    run.__qualname__ = run.__name__
    options = {"retries": job.retries, "retry_delay": job.retry_delay, "name": job.name}
    if job.schedule is not None:
        return huey.periodic_task(job.schedule, **options)(run)
    return huey.task(**options)(run)


def _run_in_app(app: Flask, job: Job, kwargs: dict):
    """Run a job in a fresh app context (its own session); commit on success, roll back on error."""
    from marketplace.extensions import db

    started = time.perf_counter()
    with app.app_context():
        try:
            result = job.run(**kwargs)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("job %s failed", job.name, extra={"job": job.name})
            raise
        finally:
            db.session.remove()
    log.info("job %s done in %.0f ms: %s", job.name, (time.perf_counter() - started) * 1000, result,
             extra={"job": job.name})
    return result


def queue(app: Flask | None = None):
    """The app's Huey instance (built on first use, after every domain registered its jobs)."""
    app = app or current_app._get_current_object()
    built = app.extensions.get(_KEY)
    if built is None:
        built = app.extensions[_KEY] = _build(app)
    return built[0]


def _tasks(app: Flask) -> dict:
    queue(app)
    return app.extensions[_KEY][1]


def enqueue(name: str, **kwargs) -> None:
    """Ask a worker to run job `name` soon. Never raises into the caller's request: a broker
    that does not answer is logged, and the schedule does the work later."""
    app = current_app._get_current_object()
    task = _tasks(app).get(name)
    if task is None:
        raise LookupError(f"no job {name!r}")
    try:
        task(**kwargs)
    except Exception:
        if app.config["TASK_QUEUE_IMMEDIATE"]:
            raise
        log.exception("could not enqueue job %s", name)


def run_now(name: str, **kwargs):
    """Run job `name` here and now, as a worker would (`flask jobs run NAME`)."""
    app = current_app._get_current_object()
    job = next((j for j in jobs.entries(app) if j.name == name), None)
    if job is None:
        raise LookupError(f"no job {name!r}")
    return _run_in_app(app, job, kwargs)


def queue_depth(app: Flask | None = None) -> int:
    """Messages waiting in the queue (scheduled ones not counted)."""
    return queue(app).pending_count()


def readiness() -> dict:
    """The `queue` entry of /readyz: the broker answers (its depth read), and which one it is."""
    huey = queue()
    return {"ok": True, "broker": type(huey.storage).__name__, "depth": huey.pending_count(),
            "scheduled": huey.scheduled_count()}


def gauges() -> dict:
    """The queue's depth for /metrics."""
    return {"pasar_job_queue_depth": queue().pending_count()}


def catch_up(app: Flask) -> list[str]:
    """Queue one run of every periodic job now: a worker that (re)starts does what is due at once
    instead of waiting for the next tick (this is how work of a killed worker is picked up)."""
    names = []
    for job in jobs.entries(app):
        if job.schedule is not None:
            _tasks(app)[job.name]()
            names.append(job.name)
    return names


def run_worker(app: Flask, *, workers: int = 2, periodic: bool = True, catch_up_first: bool = True) -> None:
    """Consume the queue until SIGINT/SIGTERM (`flask jobs worker`)."""
    huey = queue(app)
    if catch_up_first:
        catch_up(app)
    consumer = huey.create_consumer(workers=workers, periodic=periodic, worker_type="thread",
                                    check_worker_health=True, initial_delay=0.05, max_delay=1.0,
                                    backoff=1.5)
    log.info("worker on %s with %d threads (periodic: %s)", type(huey.storage).__name__, workers, periodic)
    consumer.run()


def init_app(app: Flask) -> None:
    import click
    from flask.cli import with_appcontext

    group = click.Group("jobs", help="Background jobs: the worker, the schedule, one-off runs.")

    @group.command("worker")
    @click.option("--workers", default=2, show_default=True, help="threads running jobs")
    @click.option("--no-periodic", is_flag=True, help="do not run the schedule in this worker")
    @with_appcontext
    def worker(workers: int, no_periodic: bool):
        """Run jobs from the queue, and the periodic schedule (safe with several workers)."""
        run_worker(current_app._get_current_object(), workers=workers, periodic=not no_periodic)

    @group.command("list")
    @with_appcontext
    def list_jobs():
        """The jobs and their schedule."""
        for job in jobs.entries():
            click.echo(f"{job.name:28} {job.every or 'on demand':28} {job.doc}")

    @group.command("run")
    @click.argument("name")
    @with_appcontext
    def run(name: str):
        """Run one job here and now (as the worker would)."""
        try:
            result = run_now(name)
        except LookupError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"{name}: {result}")

    app.cli.add_command(group)
    from marketplace.ops import metric_gauges, register_check

    register_check(app, "queue", readiness)
    metric_gauges.register(app, gauges)
