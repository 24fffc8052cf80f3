"""Token buckets in the shared store: the arithmetic, and one limit across two processes' stores."""

from dost_channels.store import ChannelStore
from feedback_web.rate_limit import TokenBucket


def test_burst_then_one_per_interval(tmp_path):
    bucket = TokenBucket(ChannelStore(tmp_path / "c.sqlite3"), interval=5.0, burst=3)
    assert [bucket.acquire("a", now=100.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.acquire("a", now=100.0) == 5.0
    assert bucket.acquire("a", now=102.0) == 3.0  # 2 s earned 0.4 of a token
    assert bucket.acquire("a", now=105.0) == 0.0
    assert bucket.acquire("a", now=105.1) > 0


def test_keys_are_independent_and_buckets_refill_to_burst_only(tmp_path):
    bucket = TokenBucket(ChannelStore(tmp_path / "c.sqlite3"), interval=1.0, burst=2)
    assert bucket.acquire("a", now=0.0) == bucket.acquire("a", now=0.0) == 0.0
    assert bucket.acquire("a", now=0.0) > 0
    assert bucket.acquire("b", now=0.0) == 0.0
    assert [bucket.acquire("a", now=1000.0) for _ in range(3)][2] > 0


def test_two_web_processes_share_one_limit(tmp_path):
    first = TokenBucket(ChannelStore(tmp_path / "c.sqlite3"), interval=5.0, burst=4)
    second = TokenBucket(ChannelStore(tmp_path / "c.sqlite3"), interval=5.0, burst=4)
    answers = [(first if i % 2 else second).acquire("device:d1", now=100.0) for i in range(6)]
    assert answers[:4] == [0.0] * 4 and all(wait > 0 for wait in answers[4:])
    assert first.store.prune_rate_buckets(older_than=101.0) == 1
    assert second.acquire("device:d1", now=100.5) == 0.0  # forgotten: a full bucket again
