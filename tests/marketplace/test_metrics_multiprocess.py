"""/metrics with several worker processes: PROMETHEUS_MULTIPROC_DIR adds up every worker's metrics."""
from __future__ import annotations

import os
import subprocess
import sys

from tests.marketplace.test_ops import sample

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

WORKER = """
import sys
from app import create_app
app = create_app({"TESTING": True, "RATELIMIT_STORAGE_URI": "memory://"})
client = app.test_client()
for _ in range(int(sys.argv[1])):
    assert client.get("/healthz").status_code == 200
if sys.argv[2] == "scrape":
    sys.stdout.write(client.get("/metrics").get_data(as_text=True))
"""


def run_worker(env: dict, requests: int, scrape: bool = False) -> str:
    done = subprocess.run([sys.executable, "-c", WORKER, str(requests), "scrape" if scrape else "-"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_a_scrape_adds_up_every_workers_requests(tmp_path):
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'pasar.db'}",
           "SEARCH_INDEX_PATH": str(tmp_path / "search.db"), "UPLOAD_DIR": str(tmp_path / "up"),
           "PRIVATE_UPLOAD_DIR": str(tmp_path / "private"), "ELASTICSEARCH_URL": ""}
    # given two workers that answered 3 and 2 requests (and exited)
    run_worker(env, 3)
    run_worker(env, 2)
    # when a third one is scraped
    text = run_worker(env, 0, scrape=True)
    # then the answer counts all five
    labels = {"endpoint": "ops.healthz", "method": "GET", "status": "200"}
    assert sample(text, "pasar_http_request_duration_seconds_count", labels) == 5
    assert sample(text, "pasar_checkouts_total", {"payment_method": "card"}) == 0
