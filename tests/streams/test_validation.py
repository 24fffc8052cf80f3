import json
import uuid
from datetime import datetime, timezone

from streams.validation import Rejection, deadletter_record, validate_record

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
    result = validate_record(record(), CENTERS)
    assert not isinstance(result, Rejection)
    assert result.rating == 5 and result.submitted_at.tzinfo is not None


def test_rejections_have_stable_reasons():
    assert validate_record(None, CENTERS).reason == "empty"
    assert validate_record(b"\xff{", CENTERS).reason == "not_json"
    assert validate_record(b"[1, 2]", CENTERS).reason == "invalid_schema"
    assert validate_record(record(rating=7), CENTERS).reason == "invalid_schema"
    assert validate_record(record(schema_version=2), CENTERS).reason == "invalid_schema"
    assert validate_record(record(center_id="mars-1"), CENTERS).reason == "unknown_center"


def test_rejection_detail_names_the_field():
    assert "rating" in validate_record(record(rating=0), CENTERS).detail


def test_deadletter_keeps_the_original_and_where_it_came_from():
    raw = record(rating=9)
    rejection = validate_record(raw, CENTERS)
    letter = deadletter_record(raw, rejection, "feedback.submitted", 3, 42, datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert letter["reason"] == "invalid_schema"
    assert letter["source"] == {"topic": "feedback.submitted", "partition": 3, "offset": 42}
    assert json.loads(letter["original"])["rating"] == 9


def test_timeliness_uses_ingest_delay_not_processing_time():
    from streams.validation import check_timeliness

    ok = validate_record(record(submitted_at="2020-01-01T00:00:00Z", received_at="2020-01-03T23:00:00Z"), CENTERS)
    assert check_timeliness(ok, 72 * 3600, 300) is None  # 71 h late, years ago: still fine
    late = validate_record(record(submitted_at="2026-11-18T00:00:00Z", received_at="2026-11-21T00:00:01Z"), CENTERS)
    assert check_timeliness(late, 72 * 3600, 300).reason == "too_late"
    future = validate_record(record(submitted_at="2026-11-22T11:00:00Z", received_at="2026-11-22T10:00:00Z"), CENTERS)
    assert check_timeliness(future, 72 * 3600, 300).reason == "in_future"


def test_a_rating_the_web_marked_suspect_goes_to_the_dead_letters_as_suspect_burst():
    rejection = validate_record(record(suspect="repeat_press"), CENTERS)
    assert rejection.reason == "suspect_burst" and "repeat_press" in rejection.detail
    assert validate_record(record(channel="qr", suspect=None), CENTERS).channel.value == "qr"
