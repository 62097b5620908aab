"""Metrics in Prometheus format and the request measurements behind them."""
