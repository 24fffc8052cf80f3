"""Running the sentiment worker process: its metrics endpoint plus a Faust app of its own."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import faust
from prometheus_client import start_http_server

from dost_contract.centers import load_registry
from dost_contract.settings import Settings
from models.loading import load_sentiment_model
from models.sentiment import SentimentModel, SentimentModelError
from streams.faust_app import new_faust_app
from streams.sentiment.agent import register_sentiment_agent
from streams.topic_setup import create_topics

log = logging.getLogger(__name__)
APP_SUFFIX = "-sentiment"  # its own consumer group: see streams/sentiment/agent.py


def sentiment_data_dir(settings: Settings) -> Path:
    return settings.state_dir / "sentiment-worker"


def create_sentiment_app(settings: Settings, known_centers, model: SentimentModel) -> faust.App:
    app = new_faust_app(settings, settings.faust_app_id + APP_SUFFIX, sentiment_data_dir(settings))
    register_sentiment_agent(app, settings, model, known_centers)
    return app


def run_sentiment_worker(settings: Settings, loglevel: str = "info") -> None:
    logging.basicConfig(level=loglevel.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Load the model before joining the group, so a missing model fails at once and clearly.
    try:
        model: SentimentModel = load_sentiment_model(settings)
        model.predict(["warm-up"])  # first call loads lazy parts (language models)
    except SentimentModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    log.info("sentiment model: %s", model.name)
    start_http_server(settings.sentiment_metrics_port, addr=settings.worker_metrics_host)
    log.info("metrics on http://%s:%s/metrics", settings.worker_metrics_host, settings.sentiment_metrics_port)
    create_topics(settings)
    sentiment_data_dir(settings).mkdir(parents=True, exist_ok=True)
    app = create_sentiment_app(settings, set(load_registry(settings).ids()), model)
    faust.Worker(app, loglevel=loglevel, quiet=True).execute_from_commandline()
