"""Follow-up rules: what opens a case, its deadline, and every status transition."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from dost_contract.centers import load_registry
from dost_contract.followup import (
    CaseAction,
    CaseError,
    CaseEvent,
    CaseStatus,
    FollowupRule,
    OpenReason,
    RootCause,
    due_at,
    new_case,
    opening_reason,
    transition,
)
from dost_contract.opening_hours import load_timezone, parse_opening_hours
from dost_contract.settings import Settings

BAKU = load_timezone("Asia/Baku")
TUESDAY_10_BAKU = datetime(2026, 12, 1, 6, tzinfo=timezone.utc).timestamp()


def a_case(**changes):
    case = new_case(feedback_id="f-1", center_id="baku-1", reason=OpenReason.LOW_RATING, rating=1, channel="kiosk",
                    opened_at=TUESDAY_10_BAKU, due=TUESDAY_10_BAKU + 3600, comment="long wait")
    return case.__class__(**{**case.__dict__, **changes})


@pytest.mark.parametrize("rule,rating,label,reason", [
    (FollowupRule(), 1, None, OpenReason.LOW_RATING),
    (FollowupRule(), 2, "positive", OpenReason.LOW_RATING),
    (FollowupRule(), 3, None, None),
    (FollowupRule(), 3, "negative", OpenReason.NEGATIVE_COMMENT),
    (FollowupRule(), 5, "negative", OpenReason.NEGATIVE_COMMENT),
    (FollowupRule(), 5, "neutral", None),
    (FollowupRule(max_rating=3), 3, None, OpenReason.LOW_RATING),
    (FollowupRule(max_rating=0), 1, None, None),
    (FollowupRule(on_negative_comment=False), 3, "negative", None),
    (FollowupRule(enabled=False), 1, "negative", None),
])
def test_what_opens_a_case(rule, rating, label, reason):
    assert opening_reason(rule, rating, label) == reason


def test_a_center_overrides_only_the_fields_it_sets(tmp_path):
    registry = tmp_path / "centers.yaml"
    registry.write_text(
        "centers:\n"
        "  - {center_id: c-a, name: {az: A, en: A}, region: r, kind: branch,\n"
        "     followup: {max_rating: 3, deadline_working_days: 1}}\n"
        "  - {center_id: c-b, name: {az: B, en: B}, region: r, kind: branch}\n"
    )
    settings = Settings(centers_file=registry, followup_on_negative_comment=False, followup_deadline_working_days=3)
    centers = load_registry(settings).by_id()
    default = settings.followup_default_rule()
    assert centers["c-a"].followup_rule(default) == FollowupRule(max_rating=3, on_negative_comment=False,
                                                                 deadline_working_days=1)
    assert centers["c-b"].followup_rule(default) == default == FollowupRule(on_negative_comment=False,
                                                                            deadline_working_days=3)


def test_the_default_deadline_is_two_working_days_of_the_centers_hours():
    hours = parse_opening_hours("Mon-Fri 09:00-18:00")
    friday_17 = datetime(2026, 12, 4, 13, tzinfo=timezone.utc).timestamp()
    # Fri 1 h + Mon 9 h + Tue 8 h = 18 h = 2 days of 9 h: Tuesday 17:00 Baku
    assert due_at(friday_17, hours, BAKU, 2) == datetime(2026, 12, 8, 13, tzinfo=timezone.utc).timestamp()
    assert due_at(friday_17, hours, BAKU, 0.5) == datetime(2026, 12, 7, 8, 30, tzinfo=timezone.utc).timestamp()


def test_the_whole_life_of_a_case_with_its_history():
    case = a_case()
    taken, entry = transition(case, CaseAction.TAKEN, "aysel@dost.az", 10)
    assert (taken.status, taken.assignee, entry.from_status, entry.to_status) == (
        CaseStatus.OPEN, "aysel@dost.az", CaseStatus.OPEN, CaseStatus.OPEN)
    started, _ = transition(taken, CaseAction.IN_PROGRESS, "aysel@dost.az", 20)
    assert started.status == CaseStatus.IN_PROGRESS
    resolved, entry = transition(started, CaseAction.RESOLVED, "aysel@dost.az", 30,
                                 root_cause="waiting_time", note=" Opened a second window ")
    assert (resolved.status, resolved.root_cause, resolved.resolution_note, resolved.resolved_at) == (
        CaseStatus.RESOLVED, RootCause.WAITING_TIME, "Opened a second window", 30)
    assert (entry.action, entry.root_cause, entry.note) == (CaseAction.RESOLVED, RootCause.WAITING_TIME,
                                                            "Opened a second window")
    reopened, entry = transition(resolved, CaseAction.REOPENED, "region@dost.az", 40)
    assert (reopened.status, reopened.root_cause, reopened.resolved_at) == (CaseStatus.OPEN, None, None)
    assert entry.from_status == CaseStatus.RESOLVED
    closed, _ = transition(transition(reopened, CaseAction.RESOLVED, "x", 50, root_cause="other", note="n")[0],
                           CaseAction.CLOSED, "x", 60)
    assert (closed.status, closed.closed_at) == (CaseStatus.CLOSED, 60)
    assert not closed.is_overdue(10**12) and a_case().is_overdue(TUESDAY_10_BAKU + 3600)
    assert not a_case().is_overdue(TUESDAY_10_BAKU + 3599)


@pytest.mark.parametrize("status,action,kwargs,message", [
    (CaseStatus.OPEN, CaseAction.RESOLVED, {"root_cause": "waiting_time", "note": "  "}, "needs a note"),
    (CaseStatus.OPEN, CaseAction.RESOLVED, {"root_cause": None, "note": "n"}, "root cause None is not one of"),
    (CaseStatus.OPEN, CaseAction.RESOLVED, {"root_cause": "weather", "note": "n"}, "waiting_time, staff_conduct"),
    (CaseStatus.OPEN, CaseAction.RESOLVED, {"root_cause": "other", "note": "x" * 2001}, "at most 2000"),
    (CaseStatus.OPEN, CaseAction.REOPENED, {}, "is open: cannot reopen it"),
    (CaseStatus.OPEN, CaseAction.CLOSED, {}, "only from resolved"),
    (CaseStatus.IN_PROGRESS, CaseAction.IN_PROGRESS, {}, "only from open"),
    (CaseStatus.RESOLVED, CaseAction.TAKEN, {}, "only from open or in_progress"),
    (CaseStatus.CLOSED, CaseAction.RESOLVED, {"root_cause": "other", "note": "n"}, "is closed"),
    (CaseStatus.OPEN, CaseAction.OPENED, {}, "not an action"),
    (CaseStatus.OPEN, CaseAction.SURVEY_SENT, {}, "only from resolved"),
    (CaseStatus.RESOLVED, CaseAction.SURVEY_ANSWERED, {"survey_rating": 1}, "no follow-up survey was sent"),
])
def test_an_action_that_is_not_allowed_says_why(status, action, kwargs, message):
    with pytest.raises(CaseError, match=message):
        transition(a_case(status=status), action, "someone", 1, **kwargs)


def test_an_action_needs_an_actor():
    with pytest.raises(CaseError, match="who does it"):
        transition(a_case(), CaseAction.TAKEN, "  ", 1)


def test_one_reply_to_the_citizen_and_a_survey_answer_that_reopens_or_closes():
    replied, entry = transition(a_case(), CaseAction.REPLY_SENT, "m", 5, note="We are sorry; call us")
    assert replied.reply_sent_at == 5 and entry.note == "We are sorry; call us"
    with pytest.raises(CaseError, match="already been sent"):
        transition(replied, CaseAction.REPLY_SENT, "m", 6, note="again")
    resolved = transition(replied, CaseAction.RESOLVED, "m", 7, root_cause="premises", note="fixed")[0]
    surveyed = transition(resolved, CaseAction.SURVEY_SENT, "system", 8)[0]
    with pytest.raises(CaseError, match="already sent"):
        transition(surveyed, CaseAction.SURVEY_SENT, "system", 9)
    unhappy, entry = transition(surveyed, CaseAction.SURVEY_ANSWERED, "citizen", 9, survey_rating=1)
    assert (unhappy.status, unhappy.survey_rating, unhappy.root_cause) == (CaseStatus.OPEN, 1, None)
    assert (entry.from_status, entry.to_status, entry.note) == (CaseStatus.RESOLVED, CaseStatus.OPEN,
                                                                "citizen answered 1")
    with pytest.raises(CaseError, match="already answered"):
        transition(unhappy, CaseAction.SURVEY_ANSWERED, "citizen", 10, survey_rating=2)
    happy, _ = transition(surveyed, CaseAction.SURVEY_ANSWERED, "citizen", 9, survey_rating=4)
    assert (happy.status, happy.closed_at) == (CaseStatus.CLOSED, 9)
    with pytest.raises(CaseError, match="rating 1-5"):
        transition(surveyed, CaseAction.SURVEY_ANSWERED, "citizen", 9, survey_rating=6)


def test_the_json_has_the_contract_keys_and_no_phone():
    out = a_case().to_json(now=TUESDAY_10_BAKU + 7200)
    assert {"case_id", "center_id", "feedback_id", "status", "opened_at", "due_at"} <= set(out)
    assert out["opened_at"] == "2026-12-01T06:00:00+00:00" and out["due_at"] == "2026-12-01T07:00:00+00:00"
    assert out["status"] == "open" and out["overdue"] is True
    assert not any("phone" in key for key in out)


def test_a_case_event_is_keyed_by_center():
    at = datetime(2026, 12, 1, tzinfo=timezone.utc)
    event = CaseEvent(event=CaseAction.OPENED, case_id="case-1", center_id="baku-1", feedback_id="f", status="open",
                      at=at, actor="system", opened_at=at, due_at=at)
    key, value = event.to_kafka()
    assert key == b"baku-1" and CaseEvent.model_validate_json(value) == event
