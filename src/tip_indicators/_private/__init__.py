"""Internals of tip-indicators; nothing here is public API."""
