import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from dost_contract.events import FeedbackIn, FeedbackSubmitted, is_satisfied


def body(**overrides):
    data = {"center_id": "baku-1", "rating": 4, "channel": "web"}
    data.update(overrides)
    return data


@pytest.mark.parametrize("rating,satisfied", [(1, False), (3, False), (4, True), (5, True)])
def test_satisfied_means_four_or_five(rating, satisfied):
    assert is_satisfied(rating) is satisfied


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"rating": "5"}, "rating"),  # wrong type is refused, not coerced
        ({"rating": 4.5}, "rating"),
        ({"channel": "fax"}, "channel"),
        ({"comment": "x" * 1001}, "comment"),
        ({"service_group": "astrology"}, "service_group"),
        ({"submitted_at": "2026-11-22T10:00:00"}, "submitted_at"),  # no offset: ambiguous
        ({"feedback_id": "not-a-uuid"}, "feedback_id"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_input_names_the_field(overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        FeedbackIn.model_validate(body(**overrides))
    assert field in {str(part) for error in excinfo.value.errors() for part in error["loc"]}


def test_missing_required_fields():
    with pytest.raises(ValidationError) as excinfo:
        FeedbackIn.model_validate({})
    missing = {error["loc"][0] for error in excinfo.value.errors() if error["type"] == "missing"}
    assert missing == {"center_id", "rating"}


def test_comment_of_exactly_1000_chars_is_accepted_and_blank_becomes_none():
    assert FeedbackIn.model_validate(body(comment="x" * 1000)).comment == "x" * 1000
    assert FeedbackIn.model_validate(body(comment="   ")).comment is None


def test_from_input_keeps_client_id_and_defaults_event_time_to_receipt():
    client_id = uuid.uuid4()
    received = datetime(2026, 11, 22, 10, tzinfo=timezone.utc)
    event = FeedbackSubmitted.from_input(FeedbackIn.model_validate(body(feedback_id=str(client_id))), received)
    assert event.feedback_id == client_id
    assert event.submitted_at == event.received_at == received
    assert event.schema_version == 1


def test_event_times_are_normalised_to_utc_and_round_trip_through_kafka():
    baku = timezone(timedelta(hours=4))
    event = FeedbackSubmitted.from_input(
        FeedbackIn.model_validate(body(submitted_at=datetime(2026, 11, 22, 14, tzinfo=baku).isoformat())),
        datetime(2026, 11, 22, 10, 5, tzinfo=timezone.utc),
    )
    key, value = event.to_kafka()
    assert key == b"baku-1"
    decoded = json.loads(value)
    assert decoded["schema_version"] == 1
    assert decoded["submitted_at"].startswith("2026-11-22T10:00:00")
    assert FeedbackSubmitted.from_kafka(value) == event
