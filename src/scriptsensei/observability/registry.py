"""The metrics of one process. Counters measured as things happen (HTTP requests and
WebSocket messages of this web process); gauges and the engine run histogram read from the
database at scrape time, so they are right across every web and worker process (engine runs
mostly happen in workers, which serve no HTTP; a scrape is the only time they cost a query)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# OCR takes seconds, an LLM call up to minutes.
ENGINE_RUN_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0)


@dataclass
class DurationTally:
    """Finished runs of one engine: how many took at most each bucket's bound, in all, and
    their total seconds."""

    at_most: list[int]
    count: int
    seconds: float


class EngineRunDurations(Collector):
    """`scriptsensei_engine_run_seconds` (a histogram per engine) from the tallies the
    scrape read; its `_sum` series is the engine time spent, under the name it always had."""

    NAME = "scriptsensei_engine_run_seconds"
    HELP = "Durations of finished engine runs"

    def __init__(self, buckets: tuple[float, ...] = ENGINE_RUN_BUCKETS) -> None:
        self.buckets = buckets
        self.tallies: dict[str, DurationTally] = {}

    def describe(self) -> Iterator[Metric]:
        yield HistogramMetricFamily(self.NAME, self.HELP, labels=["engine"])

    def collect(self) -> Iterator[Metric]:
        family = HistogramMetricFamily(self.NAME, self.HELP, labels=["engine"])
        for engine, tally in sorted(self.tallies.items()):
            bounds = [str(bound) for bound in self.buckets]
            cumulative = list(zip(bounds, tally.at_most, strict=True))
            family.add_metric([engine], [*cumulative, ("+Inf", tally.count)], tally.seconds)
        yield family


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.http_requests = Counter(
            "scriptsensei_http_requests", "HTTP requests", ["method", "route", "status"], registry=r
        )
        self.http_latency = Histogram(
            "scriptsensei_http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.prescriptions = Gauge(
            "scriptsensei_prescriptions", "Prescriptions by status", ["status"], registry=r
        )
        self.queue_depth = Gauge(
            "scriptsensei_queue_depth", "Engine runs by queue status", ["status"], registry=r
        )
        self.review_backlog = Gauge(
            "scriptsensei_review_backlog", "Prescriptions waiting for review", registry=r
        )
        self.engine_runs = Gauge(
            "scriptsensei_engine_runs", "Finished engine runs", ["engine", "status"], registry=r
        )
        self.engine_durations = EngineRunDurations()
        r.register(self.engine_durations)
        self.engine_tokens = Gauge(
            "scriptsensei_engine_tokens", "Tokens used", ["engine", "direction"], registry=r
        )
        self.engine_cost = Gauge(
            "scriptsensei_engine_cost_usd", "Cost of engine calls", ["engine"], registry=r
        )
        self.ws_clients = Gauge(
            "scriptsensei_websocket_clients", "WebSocket clients connected here", registry=r
        )
        self.ws_messages = Counter(
            "scriptsensei_websocket_messages_sent",
            "Messages this process sent to WebSocket clients",
            registry=r,
        )
        self.db_pool_in_use = Gauge(
            "scriptsensei_db_pool_connections_in_use", "Pooled connections in use", registry=r
        )
        self.last_backup_age = Gauge(
            "scriptsensei_last_backup_age_seconds",
            "Seconds since the last successful backup (-1: none yet)",
            registry=r,
        )
        self.last_backup_ok = Gauge(
            "scriptsensei_last_backup_success", "1 when the last backup succeeded", registry=r
        )
