"""The sentiment agent's pure parts: which records are scored, and what feedback.scored carries."""

import json
import uuid
from datetime import datetime, timezone

from dost_contract.events import FeedbackSubmitted
from models.sentiment import Sentiment
from streams.sentiment.agent import RecentIds, comments_to_score, scored_record


def event(comment, center="baku-1", feedback_id=None) -> FeedbackSubmitted:
    now = datetime.now(timezone.utc)
    return FeedbackSubmitted(feedback_id=feedback_id or uuid.uuid4(), center_id=center, channel="web", rating=2,
                             comment=comment, submitted_at=now, received_at=now)


def raw(e: FeedbackSubmitted) -> bytes:
    return e.model_dump_json().encode()


def test_only_new_valid_commented_events_are_scored():
    duplicate = event("Again the queue")
    records = [raw(event("Long queue")), raw(event(None)), b"not json", raw(event("hi", center="mars-1")),
               raw(duplicate), raw(duplicate), None]
    selected, outcomes = comments_to_score(records, {"baku-1"}, RecentIds())
    assert [e.comment for e in selected] == ["Long queue", "Again the queue"]
    assert outcomes == {"scored": 2, "no_comment": 1, "duplicate": 1, "invalid": 3}


def test_recent_ids_forget_the_oldest():
    recent = RecentIds(capacity=2)
    assert recent.add("a") and recent.add("b") and not recent.add("a")
    assert recent.add("c")  # evicts "b", the least recently seen
    assert recent.add("b") and not recent.add("c")


def test_scored_record_is_the_event_plus_sentiment():
    e = event("Çox sağ olun")
    record = scored_record(e, Sentiment("positive", 0.97, "az"))
    assert json.loads(e.model_dump_json()).items() <= record.items()
    assert record["sentiment"] == {"label": "positive", "score": 0.97, "language": "az"}
    assert datetime.fromisoformat(record["scored_at"]).tzinfo is not None
