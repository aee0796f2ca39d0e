"""What more than one benchmark needs: the app under gunicorn on a free loopback port.

(A folder of its own: scripts/bench.sh runs every bench/*.py as a benchmark.)
"""
from __future__ import annotations

import http.client
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def gunicorn(args: list[str], env: dict, log_path: Path, *, ready_path: str = "/",
             timeout: float = 60) -> Iterator[int]:
    """Run `.venv/bin/gunicorn <args> -b 127.0.0.1:<port>` from the repo root with `env` until
    `ready_path` answers 200; yields the port, stops gunicorn (SIGTERM, then kill) afterwards.
    Its output goes to `log_path`; an early exit or no answer within `timeout` seconds ends the
    benchmark with the log's tail."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(log_path, "w")
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), *args, "-b", f"127.0.0.1:{port}"],
                            cwd=ROOT, env={**env, "PORT": str(port)}, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"gunicorn exited ({proc.returncode}); see {log_path}:\n"
                                 + log_path.read_text()[-3000:])
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", ready_path)
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not answer within {timeout:.0f} s; see {log_path}")
            time.sleep(0.3)
        yield port
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
