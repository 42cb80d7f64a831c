"""S3 fixtures: a real ``moto_server`` process on 127.0.0.1, reached by boto3 over a socket.

- ``s3_server``: one server for the session, started only when a test asks for it.
- ``moto_factory``: servers a test can stop and restart (moto keeps no state across restarts).
- ``s3_proxy``: a tiny HTTP proxy in front of a server that can answer writes with 403 or 503,
  and records the order of requests.
"""

from __future__ import annotations

import http.client
import http.server
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_RUNNING = re.compile(r"Running on http://127\.0\.0\.1:(\d+)")
_DUMMY_AWS = {
    "AWS_ACCESS_KEY_ID": "testing-key-id",
    "AWS_SECRET_ACCESS_KEY": "testing-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class MotoServer:
    """``moto_server`` in a subprocess; port 0 on the first start, the same port on a restart."""

    def __init__(self) -> None:
        self.port = 0
        self.process: subprocess.Popen[str] | None = None

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _command(self, port: int) -> list[str]:
        exe = shutil.which("moto_server")
        base = [exe] if exe else [sys.executable, "-m", "moto.server"]
        return [*base, "-H", "127.0.0.1", "-p", str(port)]

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        self.process = subprocess.Popen(
            self._command(self.port),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        lines: queue.Queue[str] = queue.Queue()

        def drain(stream: Any) -> None:  # werkzeug logs every request: keep the pipe from filling
            for line in stream:
                lines.put(line)

        threading.Thread(target=drain, args=(self.process.stderr,), daemon=True).start()
        deadline = time.monotonic() + 30
        port = None
        seen = []
        while port is None:
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"moto_server did not start: {''.join(seen)[-2000:]}")
            try:
                line = lines.get(timeout=0.2)
            except queue.Empty:
                continue
            seen.append(line)
            match = _RUNNING.search(line)
            if match:
                port = int(match.group(1))
        self.port = port
        while True:  # wait until it answers HTTP
            try:
                urllib.request.urlopen(self.endpoint_url, timeout=2).close()
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self) -> None:
        """A fresh server (empty: moto keeps no state), on the same port when it is still free."""
        self.stop()
        try:
            self.start()
        except RuntimeError:
            self.port = 0
            self.start()


def s3_client(endpoint_url: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        config=Config(s3={"addressing_style": "path"}, retries={"total_max_attempts": 1}),
    )


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Dummy credentials, and no real AWS config files or profiles."""
    for name, value in _DUMMY_AWS.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(scope="session")
def s3_server() -> Iterator[MotoServer]:
    server = MotoServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def moto_factory() -> Iterator[Any]:
    servers: list[MotoServer] = []

    def make() -> MotoServer:
        server = MotoServer()
        server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def bucket(s3_server: MotoServer, aws_env: None) -> str:
    """A new, empty bucket on the session server."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    s3_client(s3_server.endpoint_url).create_bucket(Bucket=name)
    return name


_ERRORS = {
    403: ("AccessDenied", "Access Denied"),
    503: ("SlowDown", "Please reduce your request rate."),
}


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    server: _ProxyServer
    # HTTP/1.1 answers botocore's "Expect: 100-continue" at once instead of after its 1 s wait.
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.requests.append((self.command, self.path))
        refuse = self.server.refuse_status
        if refuse is not None and self.command in ("PUT", "POST"):
            code, message = _ERRORS[refuse]
            payload = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>".encode()
            self.send_response(refuse)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port, timeout=30)
        headers = {
            k: v
            for k, v in self.headers.items()
            if k.lower() not in ("connection", "keep-alive", "expect")
        }
        upstream.request(self.command, self.path, body=body, headers=headers)
        response = upstream.getresponse()
        data = response.read()
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in (
                "connection",
                "transfer-encoding",
                "content-length",
                "server",
                "date",
            ):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        upstream.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward


class _ProxyServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream_port: int) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.upstream_port = upstream_port
        self.refuse_status: int | None = None
        self.requests: list[tuple[str, str]] = []

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def s3_proxy(s3_server: MotoServer) -> Iterator[_ProxyServer]:
    """A proxy to the session server; set ``refuse_status`` to 403 or 503 to refuse writes."""
    proxy = _ProxyServer(s3_server.port)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    yield proxy
    proxy.shutdown()
    proxy.server_close()
