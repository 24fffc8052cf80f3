"""Citizen-facing ingest: the FastAPI app that accepts ratings and publishes them to Kafka."""
