"""Alerting: failed ERROR checks and failed runs published to SNS (or logged when no topic)."""
