"""The metrics of one process. Counters measured as things happen (HTTP requests); gauges
read from the database at scrape time, so they are right across every web and worker
process (a scrape is the only time they cost a query)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


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
        self.engine_seconds = Gauge(
            "scriptsensei_engine_run_seconds_sum", "Engine time spent", ["engine"], registry=r
        )
        self.engine_tokens = Gauge(
            "scriptsensei_engine_tokens", "Tokens used", ["engine", "direction"], registry=r
        )
        self.engine_cost = Gauge(
            "scriptsensei_engine_cost_usd", "Cost of engine calls", ["engine"], registry=r
        )
        self.ws_clients = Gauge(
            "scriptsensei_websocket_clients", "WebSocket clients connected here", registry=r
        )
        self.ws_messages = Gauge(
            "scriptsensei_websocket_messages_sent", "Messages sent to WebSocket clients", registry=r
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
