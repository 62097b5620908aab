"""Shared pieces of the HTTP API: documented error responses and keyset page headers."""
