"""Metrics kept as plain counters; prometheus_client is imported on the first scrape only."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


@dataclass(slots=True)
class Histogram:
    """Cumulative-bucket histogram in seconds, as Prometheus exposes it."""

    counts: list[int] = field(default_factory=lambda: [0] * (len(BUCKETS) + 1))
    total: float = 0.0

    def observe(self, seconds: float) -> None:
        self.counts[bisect.bisect_left(BUCKETS, seconds)] += 1
        self.total += seconds

    def buckets(self) -> list[tuple[str, int]]:
        running, out = 0, []
        for bound, count in zip((*map(str, BUCKETS), "+Inf"), self.counts, strict=True):
            running += count
            out.append((bound, running))
        return out


class Metrics:
    """Request, reading and provider measurements for /metrics."""

    def __init__(self) -> None:
        self.http: dict[tuple[str, str, str], Histogram] = defaultdict(Histogram)
        self.readings: dict[tuple[str, str], int] = defaultdict(int)
        self.provider_latency: dict[str, Histogram] = defaultdict(Histogram)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        # Any token is a valid HTTP method: unknown ones share a label so labels stay bounded.
        method = method if method in METHODS else "OTHER"
        self.http[(method, route, f"{status // 100}xx")].observe(seconds)

    def observe_reading(self, provider: str | None, outcome: str) -> None:
        self.readings[(provider or "none", outcome)] += 1

    def observe_provider(self, provider: str, seconds: float) -> None:
        self.provider_latency[provider].observe(seconds)


def render(metrics: Metrics, cache_stats: Callable[[], Iterable[dict]]) -> tuple[bytes, str]:
    """Prometheus text exposition of our counters plus the process collector."""
    from prometheus_client import CollectorRegistry, ProcessCollector, generate_latest
    from prometheus_client.exposition import CONTENT_TYPE_LATEST

    registry = CollectorRegistry(auto_describe=False)
    ProcessCollector(registry=registry)
    registry.register(_Collector(metrics, cache_stats))
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _Collector:
    def __init__(self, metrics: Metrics, cache_stats: Callable[[], Iterable[dict]]):
        self.metrics, self.cache_stats = metrics, cache_stats

    def collect(self) -> Iterable[Any]:
        from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily

        requests = CounterMetricFamily(
            "tarot_http_requests", "HTTP requests", labels=["method", "route", "status_class"]
        )
        latency = HistogramMetricFamily(
            "tarot_http_request_duration_seconds",
            "HTTP request latency",
            labels=["method", "route", "status_class"],
        )
        for labels, hist in sorted(self.metrics.http.items()):
            requests.add_metric(list(labels), sum(hist.counts))
            latency.add_metric(list(labels), hist.buckets(), hist.total)
        yield requests
        yield latency

        hits = CounterMetricFamily("tarot_cache_hits", "Cache hits", labels=["cache"])
        misses = CounterMetricFamily("tarot_cache_misses", "Cache misses", labels=["cache"])
        for stats in self.cache_stats():
            hits.add_metric([stats["name"]], stats["hits"])
            misses.add_metric([stats["name"]], stats["misses"])
        yield hits
        yield misses

        readings = CounterMetricFamily(
            "tarot_readings", "Finished readings", labels=["provider", "outcome"]
        )
        for (provider, outcome), count in sorted(self.metrics.readings.items()):
            readings.add_metric([provider, outcome], count)
        yield readings

        provider_latency = HistogramMetricFamily(
            "tarot_provider_latency_seconds",
            "Successful provider call latency",
            labels=["provider"],
        )
        for provider, hist in sorted(self.metrics.provider_latency.items()):
            provider_latency.add_metric([provider], hist.buckets(), hist.total)
        yield provider_latency
