"""The sentiment agent: comments on ``feedback.submitted`` -> ``feedback.scored``.

It runs in a Faust app of its own (consumer group ``<app id>-sentiment``) in its own
process (``dost-feedback sentiment-worker``), never inside the rating worker: agents that
share a Faust app share one consumer, and a full buffer of a slow agent stalls delivery to
every agent of that app. A separate group reads the topic at its own pace, so a slow or
stopped model only grows its own lag and never delays satisfaction metrics. The model call
runs in a thread, so the worker keeps heartbeating while a batch is scored.

Delivery is at-least-once. Redeliveries and client retries of the same ``feedback_id``
within the last ``RECENT_IDS`` comments are scored once; consumers of ``feedback.scored``
should still treat ``feedback_id`` as the idempotency key.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Container, Iterable

import faust

from dost_contract import topics
from dost_contract.events import FeedbackSubmitted, utc_now
from dost_contract.settings import Settings
from models.sentiment import Sentiment, SentimentModel
from streams.consumer_lag import LagGauge, owned_partitions
from streams.sentiment import metrics
from streams.validation import validate_record

log = logging.getLogger(__name__)
RECENT_IDS = 100_000


class RecentIds:
    """A bounded set of the most recently seen ids (oldest forgotten first)."""

    def __init__(self, capacity: int = RECENT_IDS) -> None:
        self.capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()

    def add(self, item: str) -> bool:
        """True if ``item`` is new."""
        if item in self._ids:
            self._ids.move_to_end(item)
            return False
        self._ids[item] = None
        if len(self._ids) > self.capacity:
            self._ids.popitem(last=False)
        return True


def comments_to_score(raw_values: Iterable[bytes | None], known_centers: Container[str],
                      recent: RecentIds) -> tuple[list[FeedbackSubmitted], dict[str, int]]:
    """The new, valid events that carry a comment, and a count of every outcome."""
    outcomes = {"scored": 0, "no_comment": 0, "duplicate": 0, "invalid": 0}
    selected = []
    for raw in raw_values:
        event = validate_record(raw, known_centers)
        if not isinstance(event, FeedbackSubmitted):
            outcomes["invalid"] += 1  # the rating agent dead-letters it
        elif not event.comment or not event.comment.strip():
            outcomes["no_comment"] += 1
        elif not recent.add(str(event.feedback_id)):
            outcomes["duplicate"] += 1
        else:
            outcomes["scored"] += 1
            selected.append(event)
    return selected, outcomes


def scored_record(event: FeedbackSubmitted, sentiment: Sentiment) -> dict:
    """``feedback.scored``: the submitted event, unchanged, plus its comment's sentiment."""
    return {**event.model_dump(mode="json"), "sentiment": sentiment.as_dict(),
            "scored_at": utc_now().isoformat()}


def register_sentiment_agent(app: faust.App, settings: Settings, model: SentimentModel,
                             known_centers: Container[str]) -> None:
    raw = {"key_type": bytes, "value_type": bytes, "key_serializer": "raw", "value_serializer": "raw"}
    submitted_topic = app.topic(topics.FEEDBACK_SUBMITTED, **raw)
    scored_topic = app.topic(topics.FEEDBACK_SCORED, **raw)
    # One thread: the model already uses every core; batches are scored one after another.
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sentiment-model")
    recent = RecentIds()
    lag_gauge = LagGauge(metrics.SENTIMENT_CONSUMER_LAG)

    @app.agent(submitted_topic, name="score_comments")
    async def score_comments(stream):
        loop = asyncio.get_running_loop()
        batches = stream.take_events(settings.sentiment_batch_size, within=settings.sentiment_batch_within_seconds)
        async for taken in batches:
            for event in taken:
                lag_gauge.taken(event.message.tp, event.message.offset)
            events, outcomes = comments_to_score([e.value for e in taken], known_centers, recent)
            for outcome, count in outcomes.items():
                if count:
                    metrics.SENTIMENT_EVENTS_TOTAL.labels(outcome).inc(count)
            if not events:
                continue
            started = time.perf_counter()
            try:
                sentiments = await loop.run_in_executor(executor, model.predict, [e.comment for e in events])
            except Exception:  # noqa: BLE001 - a model bug must not stop the agent for good
                log.exception("scoring a batch of %d comments failed; skipped", len(events))
                metrics.SENTIMENT_EVENTS_TOTAL.labels("failed").inc(len(events))
                continue
            metrics.SENTIMENT_BATCH_SECONDS.observe(time.perf_counter() - started)
            metrics.SENTIMENT_BATCH_COMMENTS.observe(len(events))
            for event, sentiment in zip(events, sentiments):
                await scored_topic.send(key=event.center_id.encode(),
                                        value=json.dumps(scored_record(event, sentiment)).encode())
                metrics.COMMENT_SENTIMENT_TOTAL.labels(event.center_id, sentiment.label).inc()

    @app.timer(interval=settings.metrics_refresh_seconds)
    async def report_lag():
        # The same lag as the rating worker's (streams/consumer_lag.py), for this group.
        lag_gauge.report(app, owned_partitions(app, topics.FEEDBACK_SUBMITTED))
