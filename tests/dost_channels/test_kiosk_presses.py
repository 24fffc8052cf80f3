"""A tablet's recent presses and its center's completed visits, as the burst rules read them."""

from __future__ import annotations

from dost_channels.store import ChannelStore

T0 = 1_790_000_000.0


def test_press_history_counts_the_window_the_last_minute_and_the_visits(db_target):
    store = ChannelStore(db_target)
    assert store.press_history("d1", "baku-1", T0, 600, 300).visits_in_window is None  # no feed yet
    for i, at in enumerate([T0 - 1000, T0 - 700, T0 - 100]):
        store.record_completed_visit(f"v{i}", "baku-1", at)
    store.record_completed_visit("v0", "baku-1", T0)  # redelivered: once
    store.record_completed_visit("x", "baku-2", T0 - 10)
    for i, at in enumerate([T0 - 900, T0 - 500, T0 - 30, T0 - 5]):
        assert store.record_press(f"f{i}", "d1", at, 5 if i < 3 else 1, None) == (True, None)
    store.record_press("other", "d2", T0 - 1, 3, "repeat_press")
    past = store.press_history("d1", "baku-1", T0, 600, 300)
    assert (past.last_at, past.last_rating) == (T0 - 5, 1)
    assert (past.presses_in_window, past.presses_last_minute, past.visits_in_window) == (3, 2, 2)


def test_a_retried_press_keeps_its_first_verdict_and_old_rows_are_pruned(db_target):
    store = ChannelStore(db_target)
    assert store.record_press("f1", "d1", T0, 1, "over_rate") == (True, "over_rate")
    assert store.record_press("f1", "d1", T0 + 9, 1, None) == (False, "over_rate")
    assert store.press_verdict("f1") == (True, "over_rate") and store.press_verdict("f2") == (False, None)
    store.record_completed_visit("v1", "baku-1", T0)
    store.prune_presses(now=T0 + 2 * 86400)
    assert store.press_verdict("f1") == (False, None)
    assert store.press_history("d1", "baku-1", T0 + 2 * 86400, 600, 300).visits_in_window is None
