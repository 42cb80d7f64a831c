"""Pushing metrics to a Pushgateway whose URL carries credentials: a local HTTP server on
127.0.0.1 plays the gateway and records what it receives."""

from __future__ import annotations

import base64
import logging
import socket
from typing import Any

import pytest

from crawler.monitoring.document import RunDocument, build_document
from crawler.monitoring.metrics import PUSHGATEWAY, publish_metrics, push_target
from crawler.monitoring.options import PrometheusOptions
from tests.monitoring.conftest import healthy_site, raw_stats, run_id_at

PASSWORD = "s3cret-pushgateway-sentinel"


def _run() -> RunDocument:
    doc = build_document(
        raw_stats({"a": healthy_site(3)}),
        ["a"],
        run_id_at(1),
        "2026-03-03T06:00:00+00:00",
        "2026-03-03T06:05:00+00:00",
        0,
    )
    return RunDocument.from_json(doc)


def _with_userinfo(url: str, userinfo: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{userinfo}@{rest}"


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _free_port() -> int:
    """A loopback port with nothing listening: connecting to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_credentials_in_the_url_become_basic_auth(http_recorder: Any) -> None:
    gateway = _with_userinfo(http_recorder.url, f"pusher:{PASSWORD}")
    problems = publish_metrics(_run(), [], PrometheusOptions(pushgateway=gateway, job="nightly"))
    assert problems == []
    [request] = http_recorder.requests
    assert request["method"] == "PUT" and request["path"] == "/metrics/job/nightly"
    assert request["headers"]["Authorization"] == _basic("pusher", PASSWORD)
    # the host the gateway saw is the bare host:port, not user:password@host
    assert request["headers"]["Host"] == http_recorder.url.split("://", 1)[1]
    assert b'syndicrawl_articles_exported{site="a"} 3.0' in request["body"]


def test_percent_encoded_credentials_are_decoded(http_recorder: Any) -> None:
    gateway = _with_userinfo(http_recorder.url, "team%40ops:p%40ss%3Aw%2Frd%25")
    assert publish_metrics(_run(), [], PrometheusOptions(pushgateway=gateway)) == []
    [request] = http_recorder.requests
    assert request["path"] == "/metrics/job/syndicrawl"
    assert request["headers"]["Authorization"] == _basic("team@ops", "p@ss:w/rd%")


def test_user_without_password_and_url_without_scheme(http_recorder: Any) -> None:
    bare = http_recorder.url.split("://", 1)[1]
    assert publish_metrics(_run(), [], PrometheusOptions(pushgateway=f"token@{bare}/")) == []
    [request] = http_recorder.requests
    assert request["path"] == "/metrics/job/syndicrawl"
    assert request["headers"]["Authorization"] == _basic("token", "")


def test_url_without_credentials_sends_no_authorization(http_recorder: Any) -> None:
    assert publish_metrics(_run(), [], PrometheusOptions(pushgateway=http_recorder.url)) == []
    [request] = http_recorder.requests
    assert "Authorization" not in request["headers"]


def test_push_target_strips_userinfo_and_keeps_the_rest() -> None:
    target = push_target(f"https://u:{PASSWORD}@[::1]:9091/prefix/")
    assert target.url == "https://[::1]:9091/prefix/"
    assert PASSWORD in target.secrets
    plain = push_target("push.example:9091")
    assert plain.url == "http://push.example:9091" and plain.secrets == ()


@pytest.mark.parametrize("status", [500, 401])
def test_a_rejected_push_never_shows_the_password(
    http_recorder: Any, caplog: pytest.LogCaptureFixture, status: int
) -> None:
    caplog.set_level(logging.DEBUG)
    http_recorder.status = status
    gateway = _with_userinfo(http_recorder.url, f"pusher:{PASSWORD}")
    problems = publish_metrics(_run(), [], PrometheusOptions(pushgateway=gateway))
    assert len(http_recorder.requests) == 1  # it did reach the gateway, with the right header
    assert http_recorder.requests[0]["headers"]["Authorization"] == _basic("pusher", PASSWORD)
    assert problems == [
        f"{PUSHGATEWAY}={http_recorder.url}: HTTP Error {status}: {_reason(status)}"
    ]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors and http_recorder.url in errors[0].getMessage()
    assert PASSWORD not in caplog.text and "pusher:" not in caplog.text


def _reason(status: int) -> str:
    return {500: "Internal Server Error", 401: "Unauthorized"}[status]


def test_a_refused_connection_never_shows_the_password(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    encoded = "p%40" + PASSWORD  # both the raw and the decoded spelling must stay hidden
    gateway = f"http://pusher:{encoded}@127.0.0.1:{_free_port()}"
    problems = publish_metrics(_run(), [], PrometheusOptions(pushgateway=gateway))
    assert len(problems) == 1 and "refused" in problems[0].lower()
    assert "Metrics (push)" in caplog.text and "refused" in caplog.text.lower()
    for secret in (PASSWORD, encoded, "p@" + PASSWORD):
        assert secret not in caplog.text and secret not in problems[0]


def test_a_malformed_url_is_a_problem_without_the_password(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    problems = publish_metrics(
        _run(), [], PrometheusOptions(pushgateway=f"http://u:{PASSWORD}@[::1:9091/")
    )
    assert problems == [f"{PUSHGATEWAY}: not a valid URL"]
    assert PASSWORD not in caplog.text
