"""The per-device token bucket."""

from feedback_web.rate_limit import TokenBucket


def test_burst_then_one_per_interval():
    bucket = TokenBucket(interval=5.0, burst=3)
    assert [bucket.acquire("a", now=100.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.acquire("a", now=100.0) == 5.0
    assert bucket.acquire("a", now=102.0) == 3.0  # 2 s earned 0.4 of a token
    assert bucket.acquire("a", now=105.0) == 0.0
    assert bucket.acquire("a", now=105.1) > 0


def test_devices_are_independent_and_buckets_refill_to_burst_only():
    bucket = TokenBucket(interval=1.0, burst=2)
    assert bucket.acquire("a", now=0.0) == bucket.acquire("a", now=0.0) == 0.0
    assert bucket.acquire("a", now=0.0) > 0
    assert bucket.acquire("b", now=0.0) == 0.0
    assert [bucket.acquire("a", now=1000.0) for _ in range(3)][2] > 0
