"""Exports of prescriptions (CSV wide or long, JSON, NDJSON), streamed in keyset batches."""
