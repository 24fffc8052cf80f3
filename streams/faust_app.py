"""The Faust app settings both workers share (rating worker, sentiment worker)."""

from __future__ import annotations

from pathlib import Path

import faust

from dost_contract.settings import Settings
from dost_contract.settings.kafka import kafka_sasl_credentials


def _credentials(settings: Settings) -> faust.SASLCredentials | None:
    kwargs = kafka_sasl_credentials(settings)
    return faust.SASLCredentials(**kwargs) if kwargs else None


def new_faust_app(settings: Settings, app_id: str, datadir: Path, **tuning: object) -> faust.App:
    """A Faust app on the configured broker. ``app_id`` is also its consumer group; ``tuning``
    adds Faust settings for one worker (the rating worker's buffers)."""
    return faust.App(
        app_id,
        broker=f"kafka://{settings.kafka_bootstrap_servers}",
        broker_credentials=_credentials(settings),
        # State lives in changelog-backed tables held in memory; nothing on local disk to lose.
        store="memory://",
        datadir=str(datadir),
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.topic_replication_factor,
        broker_session_timeout=settings.broker_session_timeout_seconds,
        broker_heartbeat_interval=settings.broker_heartbeat_interval_seconds,
        producer_acks=-1,  # a record counts as sent once every in-sync replica has it
        consumer_auto_offset_reset="earliest",
        web_enabled=False,  # metrics have their own HTTP server
        **tuning,
    )
