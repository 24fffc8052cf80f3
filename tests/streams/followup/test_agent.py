"""The case agent's logic on a real database: which records open a case, once, with its deadline."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone

import pytest

from dost_channels.cases import CaseStore
from dost_contract.centers import load_registry
from dost_contract.followup import FollowupRule, OpenReason
from dost_contract.opening_hours import load_timezone
from dost_contract.settings import Settings
from streams.followup.agent import CaseOpener, Scored, case_for, parse_feedback

BAKU = load_timezone("Asia/Baku")
REGISTRY = load_registry(Settings())
# Tuesday 2026-12-01 10:00 in Baku; baku-1 is open 09:00-18:00.
RECEIVED = "2026-12-01T06:00:00+00:00"


def record(rating: int, comment: str | None = None, center_id: str = "baku-1", sentiment: dict | None = None,
           feedback_id: str | None = None, **fields) -> bytes:
    body = {"schema_version": 1, "feedback_id": feedback_id or str(uuid.uuid4()), "center_id": center_id,
            "channel": "kiosk", "rating": rating, "comment": comment, "submitted_at": RECEIVED,
            "received_at": RECEIVED, "service_group": "pensions", **fields}
    if sentiment is not None:
        body |= {"sentiment": sentiment, "scored_at": RECEIVED}
    return json.dumps(body).encode()


@pytest.fixture
def opener(tmp_path) -> CaseOpener:
    return CaseOpener(CaseStore(tmp_path / "c.sqlite3"), REGISTRY, FollowupRule(), BAKU)


def test_parse_keeps_the_sentiment_of_a_scored_record_and_drops_invalid_ones():
    event, scored = parse_feedback(record(3, "rude", sentiment={"label": "negative", "score": 0.9,
                                                               "language": "en"}), REGISTRY)
    assert event.rating == 3 and scored == Scored("negative", 0.9, "en")
    assert parse_feedback(record(3), REGISTRY)[1] is None
    assert parse_feedback(b"not json", REGISTRY) == (None, None)
    assert parse_feedback(record(1, center_id="nowhere"), REGISTRY) == (None, None)
    assert parse_feedback(record(1, suspect="repeat_press"), REGISTRY) == (None, None)


def test_a_low_rating_opens_one_case_however_often_it_is_delivered(opener):
    raw = record(1, "waited two hours")
    assert opener.handle(raw) == "opened"
    assert opener.handle(raw) == "duplicate"  # a redelivery, or a replay of the topic
    (case,) = opener.store.list_cases()
    assert (case.center_id, case.rating, case.comment, case.service_group, case.channel, case.reason) == (
        "baku-1", 1, "waited two hours", "pensions", "kiosk", "low_rating")
    assert case.opened_at == datetime.fromisoformat(RECEIVED).timestamp()
    # Two working days of 9 h from Tuesday 10:00: Thursday 10:00 Baku.
    assert case.due_at == datetime(2026, 12, 3, 6, tzinfo=timezone.utc).timestamp()


def test_a_negative_comment_opens_a_case_when_scored_and_a_score_joins_an_existing_case(opener):
    fid = str(uuid.uuid4())
    assert opener.handle(record(3, "the clerk was rude", feedback_id=fid)) == "no_case"
    negative = {"label": "negative", "score": 0.95, "language": "en"}
    assert opener.handle(record(3, "the clerk was rude", feedback_id=fid, sentiment=negative)) == "opened"
    (case,) = opener.store.list_cases()
    assert (case.reason, case.sentiment_label, case.language) == (OpenReason.NEGATIVE_COMMENT, "negative", "en")

    low = str(uuid.uuid4())
    assert opener.handle(record(2, "slow", feedback_id=low)) == "opened"
    assert opener.handle(record(2, "slow", feedback_id=low, sentiment=negative)) == "duplicate"
    assert opener.store.get_by_feedback(low).sentiment_label == "negative"
    assert opener.handle(record(5, "great", sentiment={"label": "positive", "score": 0.9, "language": "en"})) == \
        "no_case"
    assert opener.handle(record(4)) == "no_case" and opener.handle(b"{}") == "invalid"
    assert len(opener.store.list_cases()) == 2


def test_the_centers_rule_decides(tmp_path):
    registry = tmp_path / "centers.yaml"
    registry.write_text(
        "centers:\n"
        "  - {center_id: strict, name: {az: S, en: S}, region: r, kind: branch, opening_hours: 'Mon-Fri 09:00-18:00',\n"
        "     followup: {max_rating: 3, deadline_working_days: 1}}\n"
        "  - {center_id: quiet, name: {az: Q, en: Q}, region: r, kind: branch, followup: {enabled: false}}\n"
    )
    centers = load_registry(Settings(centers_file=registry))
    event, _ = parse_feedback(record(3, center_id="strict"), centers)
    case = case_for(event, None, centers, FollowupRule(), BAKU)
    assert case.reason == OpenReason.LOW_RATING
    assert case.due_at == datetime(2026, 12, 2, 6, tzinfo=timezone.utc).timestamp()  # one working day
    event, _ = parse_feedback(record(1, center_id="quiet"), centers)
    assert case_for(event, Scored("negative", 1.0, "az"), centers, FollowupRule(), BAKU) is None


def test_a_batch_is_one_transaction_and_the_same_id_twice_in_it_opens_one_case(opener):
    fid = str(uuid.uuid4())
    negative = {"label": "negative", "score": 0.8, "language": "az"}
    outcomes = opener.handle_batch([record(1, "x", feedback_id=fid), record(1, "x", feedback_id=fid), b"[",
                                    record(2, "y", feedback_id=fid, sentiment=negative), record(4)])
    assert outcomes == ["opened", "duplicate", "invalid", "duplicate", "no_case"]
    (case,) = opener.store.list_cases()
    assert case.feedback_id == fid and case.sentiment_label == "negative"
