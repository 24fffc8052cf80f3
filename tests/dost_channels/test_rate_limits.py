"""The token-bucket arithmetic."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from dost_channels.rate_limits import take_token
from dost_channels.store import ChannelStore


@pytest.mark.parametrize("tokens,updated,now,expected", [
    (3.0, 0.0, 0.0, (2.0, 0.0)),
    (0.0, 0.0, 0.0, (0.0, 5.0)),
    (0.0, 0.0, 2.5, (0.5, 2.5)),
    (0.0, 0.0, 5.0, (0.0, 0.0)),
    (0.0, 0.0, 1e6, (2.0, 0.0)),      # refills to the burst only
    (1.0, 10.0, 5.0, (0.0, 0.0)),     # a clock that went back earns nothing
])
def test_take_token(tokens, updated, now, expected):
    assert take_token(tokens, updated, now, interval=5.0, burst=3) == pytest.approx(expected)


def test_two_stores_spending_one_bucket_at_once_never_overspend(db_target):
    """Two web processes' connections (two stores, four threads each) race for one bucket."""
    stores = [ChannelStore(db_target), ChannelStore(db_target)]
    start = threading.Barrier(8)

    def spend(store: ChannelStore) -> int:
        start.wait()
        return sum(store.acquire_rate("client:c1", interval=1e9, burst=30) == 0.0 for _ in range(15))

    with ThreadPoolExecutor(8) as pool:
        allowed = sum(pool.map(spend, stores * 4))
    assert allowed == 30  # 120 tries, exactly the burst granted
