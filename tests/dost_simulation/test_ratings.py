import random
from collections import Counter
from datetime import datetime, timezone

import pytest

from dost_contract.centers import load_registry
from dost_contract.events import FeedbackIn
from dost_contract.settings import Settings
from dost_simulation.ratings import draw_feedback, draw_rating, parse_degradations

NOW = datetime(2026, 11, 22, 10, tzinfo=timezone.utc)


def test_draw_rating_hits_the_requested_satisfaction():
    rng = random.Random(1)
    ratings = [draw_rating(rng, 0.9) for _ in range(20000)]
    assert set(ratings) <= {1, 2, 3, 4, 5}
    assert sum(r >= 4 for r in ratings) / len(ratings) == pytest.approx(0.9, abs=0.01)


def test_volume_follows_daily_visitors_and_degraded_center_drops():
    centers = list(load_registry(Settings()).centers)
    rng = random.Random(7)
    draws = [draw_feedback(rng, centers, NOW, 0.99, {"baku-3": 0.8}) for _ in range(30000)]
    per_center = Counter(d.center_id for d in draws)
    assert per_center["baku-1"] > 15 * per_center["smart-agali"]  # 700 vs 25 visitors a day
    baku3 = [d.rating for d in draws if d.center_id == "baku-3"]
    assert sum(r >= 4 for r in baku3) / len(baku3) == pytest.approx(0.8, abs=0.03)


def test_same_seed_same_traffic_and_bodies_are_valid_api_input():
    centers = list(load_registry(Settings()).centers)
    first = [draw_feedback(random.Random(3), centers, NOW, 0.99, {}) for _ in range(3)]
    second = [draw_feedback(random.Random(3), centers, NOW, 0.99, {}) for _ in range(3)]
    assert first == second
    for item in first:
        FeedbackIn.model_validate(item.api_body())


@pytest.mark.parametrize(
    "spec,message",
    [("baku-3", "CENTER=RATIO"), ("mars-1=0.9", "unknown center"), ("baku-3=high", "not a number"), ("baku-3=1.2", "between 0 and 1")],
)
def test_bad_degrade_specs_explain_themselves(spec, message):
    with pytest.raises(ValueError, match=message):
        parse_degradations([spec], ["baku-3"])


def test_degrade_specs_parse():
    assert parse_degradations(["baku-3=0.9", "smart-agali=1"], ["baku-3", "smart-agali"]) == {
        "baku-3": 0.9,
        "smart-agali": 1.0,
    }
