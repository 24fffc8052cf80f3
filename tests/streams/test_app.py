"""The pure piece of the rating worker's app: when a refresh must recompute every center.
(The agent and timer themselves run against real Kafka in test_worker.py.)"""

from __future__ import annotations

from streams.app import RefreshState


def test_first_refresh_then_the_hour_turning_and_a_rebalance_recompute_everything():
    state = RefreshState()
    owned = frozenset({"baku-1", "baku-2"})
    assert state.everything_moved(100, owned)  # the first refresh has seen nothing yet
    assert not state.everything_moved(100, owned)  # same hour, same centers: only changed ones
    assert state.everything_moved(101, owned)  # the windows slid
    assert not state.everything_moved(101, frozenset({"baku-2", "baku-1"}))
    assert state.everything_moved(101, frozenset({"baku-1"}))  # a rebalance moved a center away
    assert (state.hour, state.owned) == (101, frozenset({"baku-1"}))
