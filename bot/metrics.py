"""Prometheus metrics for the bot, on a private registry (never the library's global one).

Two kinds of numbers:
- things only an adapter sees as they happen (ask latency, Discord commands, HTTP requests):
  adapters call ``observe_ask``, ``record_command`` and ``record_http``;
- things the service already counts for every adapter (questions, no-answers, reindex failures,
  index size): read from the service at scrape time by ``ServiceCollector``, so a question asked
  on Discord and one asked over HTTP are counted once each, with no second bookkeeping.

``METRICS`` is the process's instance; tests build their own ``Metrics()`` to stay isolated.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

# Label values come from callers; anything unexpected is folded into "other" so a caller (or an
# attacker choosing URLs) can never grow the number of time series without bound.
_LABEL_VALUE = re.compile(r"^[A-Za-z0-9_.:{}/\-]{1,64}$")
_MAX_COMMAND_NAMES = 64

ASK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class ServiceLike(Protocol):
    """What the collector reads from ``bot.service.NewsService``."""

    stats: dict[str, float]

    @property
    def ready(self) -> bool: ...

    @property
    def reindexing(self) -> bool: ...


def _safe_label(value: str) -> str:
    return value if _LABEL_VALUE.match(value) else "other"


class ServiceCollector(Collector):
    """Reads the service's own counters and the index size when Prometheus scrapes."""

    def __init__(self, service: Any) -> None:
        self.service = service

    def collect(self) -> Iterable[Metric]:
        stats: dict[str, float] = dict(getattr(self.service, "stats", {}) or {})
        questions = float(stats.get("questions", 0))
        no_answer = float(stats.get("no_answer", 0))
        asked = CounterMetricFamily(
            "newsbot_questions",
            "Questions the service handled, by outcome (all adapters).",
            labels=["outcome"],
        )
        asked.add_metric(["answered"], max(questions - no_answer, 0.0))
        asked.add_metric(["no_answer"], no_answer)
        yield asked
        yield CounterMetricFamily(
            "newsbot_reindex_failures",
            "Reindexes that raised instead of swapping in a new index.",
            value=float(stats.get("reindex_failures", 0)),
        )

        ready = bool(getattr(self.service, "ready", False))
        yield GaugeMetricFamily("newsbot_ready", "1 when an index is open.", value=float(ready))
        yield GaugeMetricFamily(
            "newsbot_reindexing",
            "1 while a reindex runs.",
            value=float(bool(getattr(self.service, "reindexing", False))),
        )
        articles, passages = self._counts() if ready else (0, 0)
        yield GaugeMetricFamily(
            "newsbot_index_articles", "Articles in the open index.", value=float(articles)
        )
        yield GaugeMetricFamily(
            "newsbot_index_passages", "Passages in the open index.", value=float(passages)
        )
        report = getattr(self.service, "last_report", None)
        if report is not None:
            yield GaugeMetricFamily(
                "newsbot_reindex_last_duration_seconds",
                "How long the last finished reindex took.",
                value=float(report.seconds),
            )

    def _counts(self) -> tuple[int, int]:
        # A scrape must never fail because the index is mid-swap or closed; report zeros then.
        try:
            articles, passages = self.service.engine.counts()
            return int(articles), int(passages)
        except Exception:
            log.debug("index counts unavailable for metrics", exc_info=True)
            return 0, 0


class Metrics:
    """A private registry with the bot's metrics and helpers to record them."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._service_collector: ServiceCollector | None = None
        self.ask_seconds = Histogram(
            "newsbot_ask_seconds",
            "Time to answer a question, by adapter.",
            ["via"],
            buckets=ASK_BUCKETS,
            registry=self.registry,
        )
        self.discord_commands = Counter(
            "newsbot_discord_commands",
            "Discord commands invoked, by command name.",
            ["command"],
            registry=self.registry,
        )
        self.http_requests = Counter(
            "newsbot_http_requests",
            "HTTP API requests, by route template, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.http_seconds = Histogram(
            "newsbot_http_request_seconds",
            "HTTP API request duration, by route template.",
            ["route"],
            registry=self.registry,
        )
        self.feedback = Counter(
            "newsbot_feedback",
            "👍 / 👎 votes on answers since the process started, by vote (up or down).",
            ["vote"],
            registry=self.registry,
        )
        for vote in ("up", "down"):  # both series exist from the start, at 0
            self.feedback.labels(vote=vote)
        self._command_names: set[str] = set()

    def watch(self, service: Any) -> None:
        """Export ``service``'s counters and index size; replaces any service watched before."""
        if self._service_collector is not None:
            if self._service_collector.service is service:
                return
            self.registry.unregister(self._service_collector)
        self._service_collector = ServiceCollector(service)
        self.registry.register(self._service_collector)

    def observe_ask(self, seconds: float, *, via: str) -> None:
        self.ask_seconds.labels(via=_safe_label(via)).observe(seconds)

    def record_command(self, name: str) -> None:
        name = _safe_label(name.strip().lower() or "other")
        if name not in self._command_names:
            if len(self._command_names) >= _MAX_COMMAND_NAMES:
                name = "other"
            self._command_names.add(name)
        self.discord_commands.labels(command=name).inc()

    def record_feedback(self, vote: str) -> None:
        self.feedback.labels(vote=vote if vote in {"up", "down"} else "other").inc()

    def record_http(self, route: str, method: str, status: int, seconds: float) -> None:
        route = _safe_label(route)
        self.http_requests.labels(route=route, method=method.upper()[:10], status=str(status)).inc()
        self.http_seconds.labels(route=route).observe(seconds)

    def render(self, accept: str | None = None) -> tuple[bytes, str]:
        """The exposition body and its content type, negotiated from an Accept header."""
        encoder: Callable[[CollectorRegistry], bytes]
        encoder, content_type = choose_encoder(accept or "")
        return encoder(self.registry), content_type


METRICS = Metrics()


def record_command(name: str) -> None:
    """Count one Discord command by name (called by the Discord adapter)."""
    METRICS.record_command(name)


def observe_ask(seconds: float, *, via: str) -> None:
    """Record how long answering one question took, e.g. ``via="discord"``."""
    METRICS.observe_ask(seconds, via=via)
