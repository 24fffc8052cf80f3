"""Running one stream worker process: metrics endpoint plus the Faust worker."""

from __future__ import annotations

import logging

import faust
from prometheus_client import REGISTRY

from dost_contract.centers import load_registry
from dost_contract.settings import Settings
from streams.app import create_app
from streams.exposition import CachedExposition, start_metrics_server
from streams.metrics import SatisfactionCollector
from streams.topic_setup import create_topics


def run_worker(settings: Settings, loglevel: str = "info") -> None:
    registry = load_registry(settings)
    collector = SatisfactionCollector()
    # The window gauges are served apart from REGISTRY: rendered once per snapshot, not per scrape.
    start_metrics_server(CachedExposition(REGISTRY, collector), settings.worker_metrics_port,
                         settings.worker_metrics_host)
    logging.getLogger(__name__).info(
        "metrics on http://%s:%s/metrics", settings.worker_metrics_host, settings.worker_metrics_port
    )
    # Idempotent; makes sure the changelog topics exist with the right partitions
    # before Faust reads their metadata.
    create_topics(settings)
    settings.faust_data_dir.mkdir(parents=True, exist_ok=True)
    app = create_app(settings, registry, collector)
    worker = faust.Worker(app, loglevel=loglevel, quiet=True)
    worker.execute_from_commandline()
