"""gunicorn settings for the web process: `gunicorn --config gunicorn.conf.py wsgi:app`.

Every value can be set from the environment (see docs/deploy.md); the defaults suit the
2-core machine the project is developed on and `make run`.
"""
import os

# 127.0.0.1 by default: in production a reverse proxy (nginx, a load balancer) sits in front,
# and TRUSTED_PROXIES tells the app how many hops of X-Forwarded-* to believe.
bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = 5
# Recycle workers now and then, so a slow leak can never grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Heartbeat files in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# One line per request, with the request id the app sets (X-Request-ID) to match the app's logs.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def child_exit(server, worker):
    """With PROMETHEUS_MULTIPROC_DIR, a dead worker's live gauges leave /metrics' sums."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
