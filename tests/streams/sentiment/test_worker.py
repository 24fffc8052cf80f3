"""The sentiment worker against a real broker, the real model, the real rating worker and web.

Every rating sent here is satisfied (4 or 5), whatever its comment says: the session's
alert tests must not see a center pushed below target by these tests.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from datetime import datetime, timezone

import httpx
import pytest

from dost_contract import topics
from dost_contract.events import FeedbackSubmitted
from streams.partitioning import partition_for_center
from tests.conftest import bearer, metric_value, read_topic, wait_for

pytestmark = pytest.mark.services


def produce(producer, center_id: str, comment: str | None, rating: int = 5, feedback_id=None) -> str:
    now = datetime.now(timezone.utc)
    feedback_id = feedback_id or uuid.uuid4()
    value = FeedbackSubmitted(feedback_id=feedback_id, center_id=center_id, channel="sms", rating=rating,
                              comment=comment, submitted_at=now, received_at=now).model_dump_json().encode()
    producer.send(topics.FEEDBACK_SUBMITTED, key=center_id.encode(), value=value)
    producer.flush()
    return str(feedback_id)


def scored(settings, feedback_ids) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for _, value in read_topic(settings, topics.FEEDBACK_SCORED):
        if value.get("feedback_id") in feedback_ids:
            found.setdefault(value["feedback_id"], []).append(value)
    return found


def wait_scored(settings, feedback_ids, timeout=90) -> dict[str, list[dict]]:
    return wait_for(lambda: (lambda f: len(f) == len(feedback_ids) and f)(scored(settings, set(feedback_ids))),
                    timeout, f"{len(feedback_ids)} comments in feedback.scored")


def sentiment_count(sentiment_worker, center_id: str, label: str) -> float:
    text = httpx.get(sentiment_worker.url).text
    return metric_value(text, "dost_comment_sentiment_total", center_id=center_id, label=label) or 0.0


def test_comments_are_scored_into_feedback_scored_with_the_counter(sentiment_worker, producer, services_settings):
    center = "karabakh-shusha"
    negatives_before = sentiment_count(sentiment_worker, center, "negative")
    positives_before = sentiment_count(sentiment_worker, center, "positive")
    comments = {
        produce(producer, center, "Üç saat növbədə gözlədim, işçilər çox kobud idi.", rating=4): ("negative", "az"),
        produce(producer, center, "Огромное спасибо, всё сделали быстро и вежливо!", rating=5): ("positive", "ru"),
        produce(producer, center, "Terrible organisation, I wasted the whole day.", rating=4): ("negative", "en"),
        produce(producer, center, "Çox sağ olun! " + "Hər şey əla idi. " * 57, rating=5): ("positive", "az"),
    }
    found = wait_scored(services_settings, comments)
    for feedback_id, (label, language) in comments.items():
        (record,) = found[feedback_id]
        assert record["sentiment"]["label"] == label, record
        assert record["sentiment"]["language"] == language
        assert 0 < record["sentiment"]["score"] <= 1
        assert record["center_id"] == center and record["channel"] == "sms" and record["schema_version"] == 1
    # A rating of 4 with a strongly negative comment still counts as negative sentiment.
    # At least: the sentiment worker may still be scoring earlier comments of this center
    # (other tests' traffic) when the "before" values were read.
    wait_for(lambda: sentiment_count(sentiment_worker, center, "negative") >= negatives_before + 2, 15,
             "negative counter +2")
    assert sentiment_count(sentiment_worker, center, "positive") >= positives_before + 2
    text = httpx.get(sentiment_worker.url).text
    assert metric_value(text, "dost_sentiment_batch_seconds_count") >= 1
    # Its lag, for DostSentimentBacklog: reported for the partition it read from, caught up.
    partition = str(partition_for_center(center, services_settings.topic_partitions))
    wait_for(lambda: metric_value(httpx.get(sentiment_worker.url).text, "dost_sentiment_consumer_lag_messages",
                                  partition=partition) == 0, 15, "sentiment lag 0 after catching up")


def test_ratings_without_comments_and_duplicates_are_not_scored(sentiment_worker, producer, services_settings):
    center = "karabakh-shusha"
    silent = produce(producer, center, None)
    blank = produce(producer, center, "   ")
    emoji = produce(producer, center, "😡😡😡", rating=4)
    repeated = uuid.uuid4()
    for _ in range(3):  # a redelivery or a client retry
        produce(producer, center, "Növbə çox uzun idi", feedback_id=repeated)
    found = wait_scored(services_settings, [emoji, str(repeated)])
    assert found[emoji][0]["sentiment"]["language"] is None
    time.sleep(2)  # anything else from that partition would have been scored by now
    found = scored(services_settings, {silent, blank, emoji, str(repeated)})
    assert set(found) == {emoji, str(repeated)}
    assert len(found[str(repeated)]) == 1


def test_a_stopped_sentiment_worker_does_not_delay_rating_counts(sentiment_worker, worker, producer,
                                                                 services_settings):
    """The slowest model there is: a frozen process. Ratings must still count at once."""
    center = "baku-6"

    def counted() -> float:
        text = httpx.get(worker.url).text
        return metric_value(text, "dost_feedback_ratings_total", center_id=center, channel="sms", rating="4") or 0.0

    # Make sure the sentiment worker has joined and is consuming before freezing it.
    wait_scored(services_settings, [produce(producer, center, "Gözləmə zalı təmiz idi, sağ olun.", rating=5)])
    before = counted()
    os.kill(sentiment_worker.process.pid, signal.SIGSTOP)
    try:
        ids = [produce(producer, center, "İşçilər kobud idi, çox gözlədim.", rating=4) for _ in range(5)]
        wait_for(lambda: counted() == before + 5, 20, "ratings counted while the sentiment worker is frozen")
        assert scored(services_settings, set(ids)) == {}
    finally:
        os.kill(sentiment_worker.process.pid, signal.SIGCONT)
    # Thawed, it catches up: nothing was lost.
    found = wait_scored(services_settings, ids, timeout=120)
    assert {records[0]["sentiment"]["label"] for records in found.values()} == {"negative"}


def test_a_comment_posted_to_the_web_is_scored(sentiment_worker, worker, web, services_settings, client_key):
    body = {"center_id": "karabakh-barda", "rating": 4, "channel": "web",
            "comment": "Sənədlərimi itirdilər, ikinci dəfə gəlməli oldum."}
    response = httpx.post(f"{web.url}/api/v1/feedback", json=body, headers=bearer(client_key), timeout=15)
    assert response.status_code == 202, response.text
    feedback_id = response.json()["feedback_id"]
    (record,) = wait_scored(services_settings, [feedback_id])[feedback_id]
    assert record["sentiment"]["label"] == "negative" and record["sentiment"]["language"] == "az"
    assert record["comment"] == body["comment"]
