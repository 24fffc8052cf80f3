import json
import uuid
from datetime import datetime, timezone

import pytest
from pydantic import ValidationError

from dost_contract.events import FeedbackSubmitted
from streams.dedup import fingerprint
from streams.validation import (
    REJECTION_REASONS,
    ParsedRating,
    Rejection,
    deadletter_record,
    parse_rating,
    validate_record,
)

CENTERS = {"baku-1"}


def record(**overrides) -> bytes:
    body = {
        "schema_version": 1,
        "feedback_id": str(uuid.uuid4()),
        "center_id": "baku-1",
        "channel": "kiosk",
        "rating": 5,
        "submitted_at": "2026-11-22T10:00:00Z",
        "received_at": "2026-11-22T10:00:01Z",
    }
    body.update(overrides)
    return json.dumps(body).encode()


def test_valid_record_parses():
    result = parse_rating(record(), CENTERS)
    assert not isinstance(result, Rejection)
    assert result.rating == 5 and result.channel == "kiosk" and result.service_group is None
    assert result.submitted_at == datetime(2026, 11, 22, 10, tzinfo=timezone.utc).timestamp()
    assert result.received_at == result.submitted_at + 1


def test_every_spelling_of_one_uuid_is_one_feedback_id():
    ident = uuid.uuid4()
    spellings = [str(ident), str(ident).upper(), ident.hex, f"urn:uuid:{ident}"]
    assert {parse_rating(record(feedback_id=s), CENTERS).feedback_id for s in spellings} == {ident.bytes}


def test_the_fingerprint_covers_what_a_rating_says_not_when_it_was_stamped():
    base = parse_rating(record(feedback_id="4b5d2d4c-5d8f-4a55-9a57-3a1b34b2c7a1"), CENTERS)
    restamped = parse_rating(record(feedback_id="4b5d2d4c-5d8f-4a55-9a57-3a1b34b2c7a1",
                                       submitted_at="2026-11-21T09:00:00+04:00"), CENTERS)
    assert restamped.content == base.content
    for change in ({"rating": 4}, {"channel": "sms"}, {"service_group": "pensions"}, {"comment": "slow"}):
        assert parse_rating(record(**change), CENTERS).content != base.content, change
    assert base.content == fingerprint("baku-1", None, "kiosk", 5, None)  # stable across processes


# The hand-written check must agree with the event contract's pydantic model.
CASES = [
    {}, {"rating": 0}, {"rating": 6}, {"rating": "5"}, {"rating": True}, {"rating": 4.0}, {"schema_version": 2},
    {"schema_version": None}, {"feedback_id": "nope"}, {"feedback_id": 7}, {"center_id": 5}, {"channel": "fax"},
    {"channel": None}, {"service_group": "pensions"}, {"service_group": "astrology"}, {"comment": "x" * 1000},
    {"comment": "x" * 1001}, {"comment": 5}, {"submitted_at": "2026-11-22T10:00:00"}, {"submitted_at": "yesterday"},
    {"received_at": None}, {"submitted_at": "2026-11-22T14:00:00+04:00"}, {"extra_field": 1}, {"suspect": 5}, {"suspect": None},
]


@pytest.mark.parametrize("change", CASES, ids=[json.dumps(c)[:40] for c in CASES])
def test_the_fast_check_gives_the_event_models_verdict(change):
    raw = record(**change)
    try:
        model = FeedbackSubmitted.from_kafka(raw)
    except ValidationError:
        model = None
    result = parse_rating(raw, CENTERS)
    if model is None:
        assert isinstance(result, Rejection) and result.reason == "invalid_schema", result
    else:
        assert isinstance(result, ParsedRating), result
        assert (result.rating, result.channel, result.submitted_at) == (
            model.rating, model.channel.value, model.submitted_at.timestamp())


def test_a_missing_field_is_invalid_and_conflicting_duplicate_is_a_reason():
    body = json.loads(record())
    del body["rating"]
    assert parse_rating(json.dumps(body).encode(), CENTERS).reason == "invalid_schema"
    assert "conflicting_duplicate" in REJECTION_REASONS


def test_rejections_have_stable_reasons():
    assert parse_rating(None, CENTERS).reason == "empty"
    assert parse_rating(b"\xff{", CENTERS).reason == "not_json"
    assert parse_rating(b"[1, 2]", CENTERS).reason == "invalid_schema"
    assert parse_rating(record(rating=7), CENTERS).reason == "invalid_schema"
    assert parse_rating(record(schema_version=2), CENTERS).reason == "invalid_schema"
    assert parse_rating(record(center_id="mars-1"), CENTERS).reason == "unknown_center"


def test_rejection_detail_names_the_field():
    assert "rating" in parse_rating(record(rating=0), CENTERS).detail


def test_deadletter_keeps_the_original_and_where_it_came_from():
    raw = record(rating=9)
    rejection = parse_rating(raw, CENTERS)
    letter = deadletter_record(raw, rejection, "feedback.submitted", 3, 42, datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert letter["reason"] == "invalid_schema"
    assert letter["source"] == {"topic": "feedback.submitted", "partition": 3, "offset": 42}
    assert json.loads(letter["original"])["rating"] == 9


def test_timeliness_uses_ingest_delay_not_processing_time():
    from streams.validation import check_timeliness

    ok = parse_rating(record(submitted_at="2020-01-01T00:00:00Z", received_at="2020-01-03T23:00:00Z"), CENTERS)
    assert check_timeliness(ok, 72 * 3600, 300) is None  # 71 h late, years ago: still fine
    late = parse_rating(record(submitted_at="2026-11-18T00:00:00Z", received_at="2026-11-21T00:00:01Z"), CENTERS)
    assert check_timeliness(late, 72 * 3600, 300).reason == "too_late"
    future = parse_rating(record(submitted_at="2026-11-22T11:00:00Z", received_at="2026-11-22T10:00:00Z"), CENTERS)
    assert check_timeliness(future, 72 * 3600, 300).reason == "in_future"


def test_a_rating_the_web_marked_suspect_goes_to_the_dead_letters_as_suspect_burst():
    rejection = validate_record(record(suspect="repeat_press"), CENTERS)
    assert rejection.reason == "suspect_burst" and "repeat_press" in rejection.detail
    assert parse_rating(record(suspect="repeat_press"), CENTERS) == rejection  # the worker's fast check agrees
    assert validate_record(record(channel="qr", suspect=None), CENTERS).channel.value == "qr"


def test_the_model_check_gives_the_whole_event_for_the_sentiment_worker():
    event = validate_record(record(comment="Növbə uzun idi"), CENTERS)
    assert isinstance(event, FeedbackSubmitted) and event.comment == "Növbə uzun idi"
    assert validate_record(record(rating=9), CENTERS).reason == "invalid_schema"
    assert validate_record(b"\xff{", CENTERS).reason == "not_json"
    assert validate_record(record(center_id="mars-1"), CENTERS).reason == "unknown_center"
