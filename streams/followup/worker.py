"""Running the case agent's process: its metrics endpoint plus a Faust app of its own."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import faust
from prometheus_client import start_http_server

from dost_channels.cases import CaseStore
from dost_channels.db.offload import in_db_thread
from dost_channels.store import ChannelStore
from dost_contract import topics
from dost_contract.centers import CenterRegistry, load_registry
from dost_contract.opening_hours import load_timezone
from dost_contract.settings import Settings
from streams.faust_app import new_faust_app
from streams.followup import metrics
from streams.followup.agent import OUTCOMES, RELAY_BATCH, CaseOpener, CaseRelay
from streams.topic_setup import create_topics

log = logging.getLogger(__name__)
APP_SUFFIX = "-followup"  # its own consumer group (dost_feedback/stack/kafka_security.py grants it)
CONTACT_PRUNE_SECONDS = 3600.0
OPEN_BATCH = 500  # records per transaction of the agents


def followup_data_dir(settings: Settings) -> Path:
    return settings.state_dir / "followup-worker"


def create_followup_app(settings: Settings, registry: CenterRegistry) -> faust.App:
    app = new_faust_app(settings, settings.faust_app_id + APP_SUFFIX, followup_data_dir(settings))
    raw = {"key_type": bytes, "value_type": bytes, "key_serializer": "raw", "value_serializer": "raw"}
    submitted_topic = app.topic(topics.FEEDBACK_SUBMITTED, **raw)
    scored_topic = app.topic(topics.FEEDBACK_SCORED, **raw)
    cases = CaseStore(settings.channels_database)
    channel_store = ChannelStore(settings.channels_database)
    opener = CaseOpener(cases, registry, settings.followup_default_rule(), load_timezone(settings.centers_timezone))
    relay = CaseRelay(cases, channel_store, registry, settings)
    for topic in (topics.FEEDBACK_SUBMITTED, topics.FEEDBACK_SCORED):
        for outcome in OUTCOMES:
            metrics.EVENTS_TOTAL.labels(topic, outcome)

    async def open_cases(stream, topic: str) -> None:
        # Batches, each acknowledged after its cases are stored (one transaction): nothing is lost on
        # a crash, and a redelivered batch opens nothing twice.
        async for raws in stream.take(OPEN_BATCH, within=settings.followup_poll_seconds):
            for outcome, count in Counter(await in_db_thread(opener.handle_batch, raws)).items():
                metrics.EVENTS_TOTAL.labels(topic, outcome).inc(count)

    @app.agent(submitted_topic, name="open_cases_from_ratings")
    async def open_cases_from_ratings(stream):
        await open_cases(stream, topics.FEEDBACK_SUBMITTED)

    @app.agent(scored_topic, name="open_cases_from_comments")
    async def open_cases_from_comments(stream):
        await open_cases(stream, topics.FEEDBACK_SCORED)

    async def send(key: bytes, value: bytes):
        return await app.producer.send(topics.FOLLOWUP_CASES, key, value, None, None, None)

    @app.timer(interval=settings.followup_poll_seconds, on_leader=True)
    async def relay_case_events():
        while await relay.relay(send) == RELAY_BATCH:  # a backlog: keep going
            pass
        await in_db_thread(relay.refresh_gauges)

    @app.timer(interval=CONTACT_PRUNE_SECONDS, on_leader=True)
    async def prune_contacts():
        await in_db_thread(channel_store.prune_contacts)

    return app


def run_followup_worker(settings: Settings, loglevel: str = "info") -> None:
    """The case agent's process: /metrics on DOST_FOLLOWUP_METRICS_PORT, then the Faust worker."""
    logging.basicConfig(level=loglevel.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings.warn_if_insecure(log)
    registry = load_registry(settings)
    start_http_server(settings.followup_metrics_port, addr=settings.worker_metrics_host)
    log.info("metrics on http://%s:%s/metrics", settings.worker_metrics_host, settings.followup_metrics_port)
    create_topics(settings)
    followup_data_dir(settings).mkdir(parents=True, exist_ok=True)
    app = create_followup_app(settings, registry)
    faust.Worker(app, loglevel=loglevel, quiet=True).execute_from_commandline()
