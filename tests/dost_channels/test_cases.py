"""The cases store on SQLite and PostgreSQL: one case per feedback_id, scoped lists, actions with history."""

from __future__ import annotations

import threading

import pytest

from dost_channels.cases import CaseCounts, CaseStore
from dost_contract.followup import (
    CaseAction,
    CaseError,
    CaseNotFound,
    CaseStatus,
    OpenReason,
    RootCause,
    new_case,
)

T0 = 1_764_576_000.0  # 2025-12-01 08:00 UTC


def a_case(feedback_id: str, center_id: str = "baku-1", due: float = T0 + 3600, **fields):
    return new_case(feedback_id=feedback_id, center_id=center_id, reason=OpenReason.LOW_RATING,
                    rating=fields.pop("rating", 1), channel=fields.pop("channel", "kiosk"), opened_at=T0, due=due,
                    **fields)


def test_a_feedback_id_opens_one_case_however_often_it_comes(db_target):
    store = CaseStore(db_target)
    first, opened = store.open_case(a_case("f-1", comment="waited 2 hours", service_group="pensions"))
    again, opened_again = store.open_case(a_case("f-1", rating=2))  # a redelivery or a replay
    assert opened and not opened_again and again == first and again.rating == 1
    assert [c.case_id for c in store.list_cases()] == [first.case_id]
    (entry,) = store.history(first.case_id)
    assert (entry.action, entry.actor, entry.to_status, entry.note) == (CaseAction.OPENED, "system",
                                                                        CaseStatus.OPEN, "low_rating")
    assert store.get(first.case_id) == first == store.get_by_feedback("f-1")
    assert store.get_by_feedback("f-2") is None


def test_two_writers_racing_on_one_feedback_id_open_one_case(db_target):
    stores = [CaseStore(db_target) for _ in range(4)]
    results: list[bool] = []

    def open_one(store: CaseStore) -> None:
        results.append(store.open_case(a_case("f-race"))[1])

    threads = [threading.Thread(target=open_one, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]
    assert len(stores[0].list_cases()) == 1 and len(stores[0].unpublished()) == 1


def test_lists_are_by_deadline_filtered_and_scoped_to_centers(db_target):
    store = CaseStore(db_target)
    late = store.open_case(a_case("f-1", "baku-1", due=T0 + 300, service_group="pensions"))[0]
    soon = store.open_case(a_case("f-2", "baku-2", due=T0 + 100))[0]
    later = store.open_case(a_case("f-3", "baku-1", due=T0 + 900, service_group="employment"))[0]
    store.resolve(later.case_id, "m@dost.az", "premises", "fixed the door", now=T0 + 10)
    assert [c.case_id for c in store.list_cases()] == [soon.case_id, late.case_id, later.case_id]
    assert [c.case_id for c in store.list_cases(centers=["baku-1"])] == [late.case_id, later.case_id]
    assert store.list_cases(centers=[]) == []
    assert [c.case_id for c in store.list_cases(status="resolved")] == [later.case_id]
    assert [c.case_id for c in store.list_cases(status=["open", "in_progress"], centers={"baku-1"})] == [late.case_id]
    assert [c.case_id for c in store.list_cases(service_group="employment")] == [later.case_id]
    assert [c.case_id for c in store.list_cases(root_cause=RootCause.PREMISES)] == [later.case_id]
    assert [c.case_id for c in store.list_cases(overdue_at=T0 + 200)] == [soon.case_id]
    assert len(store.list_cases(limit=1)) == 1
    with pytest.raises(CaseError, match="unknown status 'done'"):
        store.list_cases(status="done")
    with pytest.raises(CaseNotFound):
        store.get(late.case_id, centers=["baku-2"])
    with pytest.raises(CaseNotFound):
        store.get("case-missing")


def test_actions_change_the_case_and_write_its_history(db_target):
    store = CaseStore(db_target)
    case = store.open_case(a_case("f-1"))[0]
    store.take(case.case_id, "aysel@dost.az", now=T0 + 1)
    store.start(case.case_id, "aysel@dost.az", now=T0 + 2)
    resolved = store.resolve(case.case_id, "aysel@dost.az", "staff_conduct", "Talked to the clerk", now=T0 + 3)
    assert store.get(case.case_id) == resolved
    assert (resolved.status, resolved.root_cause, resolved.resolution_note, resolved.assignee) == (
        CaseStatus.RESOLVED, RootCause.STAFF_CONDUCT, "Talked to the clerk", "aysel@dost.az")
    store.reopen(case.case_id, "region@dost.az", note="citizen called again", now=T0 + 4)
    store.resolve(case.case_id, "region@dost.az", "other", "Apologised", now=T0 + 5)
    closed = store.close_case(case.case_id, "region@dost.az", now=T0 + 6)
    assert closed.status == CaseStatus.CLOSED
    history = store.history(case.case_id)
    assert [(e.action, e.actor, e.at) for e in history] == [
        (CaseAction.OPENED, "system", T0), (CaseAction.TAKEN, "aysel@dost.az", T0 + 1),
        (CaseAction.IN_PROGRESS, "aysel@dost.az", T0 + 2), (CaseAction.RESOLVED, "aysel@dost.az", T0 + 3),
        (CaseAction.REOPENED, "region@dost.az", T0 + 4), (CaseAction.RESOLVED, "region@dost.az", T0 + 5),
        (CaseAction.CLOSED, "region@dost.az", T0 + 6)]
    assert history[3].root_cause == RootCause.STAFF_CONDUCT and history[4].note == "citizen called again"


def test_a_refused_action_changes_nothing(db_target):
    store = CaseStore(db_target)
    case = store.open_case(a_case("f-1"))[0]
    with pytest.raises(CaseError, match="needs a note"):
        store.resolve(case.case_id, "m", "waiting_time", "")
    with pytest.raises(CaseError, match="unknown action"):
        store.act(case.case_id, "delete", "m")
    with pytest.raises(CaseError, match="opened by the case agent"):
        store.act(case.case_id, "opened", "m")
    with pytest.raises(CaseNotFound):
        store.take(case.case_id, "m", centers=["baku-9"])
    assert store.get(case.case_id) == case and len(store.history(case.case_id)) == 1


def test_counts_of_open_and_overdue_cases_per_center(db_target):
    store = CaseStore(db_target)
    store.open_case(a_case("f-1", "baku-1", due=T0 + 100))
    store.open_case(a_case("f-2", "baku-1", due=T0 + 900))
    store.start(store.open_case(a_case("f-3", "baku-2", due=T0 + 50))[0].case_id, "m")
    done = store.open_case(a_case("f-4", "baku-3", due=T0 + 50))[0]
    store.resolve(done.case_id, "m", "other", "done")
    assert store.counts(now=T0 + 200) == {"baku-1": CaseCounts(2, 1), "baku-2": CaseCounts(1, 1)}
    assert store.counts(now=T0) == {"baku-1": CaseCounts(2, 0), "baku-2": CaseCounts(1, 0)}


def test_the_history_is_the_outbox_of_followup_cases(db_target):
    store = CaseStore(db_target)
    case = store.open_case(a_case("f-1"))[0]
    store.resolve(case.case_id, "m", "waiting_time", "second window", now=T0 + 7200)
    pending = store.unpublished()
    assert [(e.event, e.status, e.from_status) for _, e in pending] == [
        (CaseAction.OPENED, CaseStatus.OPEN, None), (CaseAction.RESOLVED, CaseStatus.RESOLVED, CaseStatus.OPEN)]
    opened, resolved = (event for _, event in pending)
    assert (opened.case_id, opened.center_id, opened.feedback_id, opened.resolution_seconds) == (
        case.case_id, "baku-1", "f-1", None)
    assert resolved.resolution_seconds == 7200 and resolved.root_cause == RootCause.WAITING_TIME
    assert store.mark_published([pending[0][0]]) == 1 and store.mark_published([]) == 0
    assert [entry_id for entry_id, _ in store.unpublished()] == [pending[1][0]]


def test_sentiment_joins_the_case_of_its_feedback(db_target):
    store = CaseStore(db_target)
    case = store.open_case(a_case("f-1", comment="rude clerk"))[0]
    assert store.note_sentiment("f-1", "negative", 0.93, "en") and not store.note_sentiment("f-2", "negative", 1, "en")
    scored = store.get(case.case_id)
    assert (scored.sentiment_label, scored.sentiment_score, scored.language) == ("negative", 0.93, "en")
