"""The real promtool agrees with the replay's timeline over 30 days; promtool's sample notation."""

from __future__ import annotations

import pytest

from dost_contract.settings import Settings
from monitoring.alerting.rules import render_rules
from monitoring.replay.promtool import encode_values, verify_timeline

pytestmark = pytest.mark.timeout(420)


@pytest.fixture(scope="module")
def verified(timeline, tmp_path_factory: pytest.TempPathFactory):
    """promtool over the full 30 days for the degraded and the low-volume centers, one
    process each (``dost-feedback replay`` checks every center and the network burn rates;
    a promtool evaluation of the rules every 5 minutes for 30 days costs ~40 s of CPU per center)."""
    s = timeline.scenario
    watched = [s.degraded_center, *(c for c, _ in s.fixed_satisfaction)]
    return verify_timeline(
        timeline,
        render_rules(timeline.params),
        tmp_path_factory.mktemp("replay"),
        Settings().promtool_binary,
        centers=watched,
        centers_per_process=1,
        network=False,
    )


def test_promtool_agrees_with_the_timeline_over_30_days(verified):
    assert verified, "no promtool run"
    for v in verified:
        assert v.result.passed, f"{v.what}:\n{v.result.output[-6000:]}"
        assert v.checks >= 30 * 24, v.what  # at least every hour of the 30 days


def test_expanding_notation_counts_samples_like_promtool():
    assert encode_values([5, 5, 5, 5]) == "5x3"  # four samples
    assert encode_values([None, None, None, 1]) == "_x3 1"  # three absent, then one
    assert encode_values([None, 2, 2]) == "_ 2x1"
