"""Token buckets in the shared store: the arithmetic, and one limit across two processes' stores."""

from dost_channels.store import ChannelStore
from feedback_web.rate_limit import TokenBucket, lease_size


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


def test_only_fast_buckets_lease_and_a_lease_is_a_tenth_of_a_second_of_the_rate():
    assert lease_size(interval=0.001, burst=2000) == 100  # the client limit, 1000/s
    assert lease_size(interval=5.0, burst=10) == 1  # a tablet: every rating checked in the store
    assert lease_size(interval=0.2, burst=60) == 1  # per IP
    assert lease_size(interval=0.0001, burst=50) == 5  # never more than a tenth of the burst


def test_leases_of_two_processes_never_spend_more_than_the_shared_bucket(tmp_path):
    first = TokenBucket(ChannelStore(tmp_path / "c.sqlite3"), interval=0.001, burst=200)
    second = TokenBucket(ChannelStore(tmp_path / "c.sqlite3"), interval=0.001, burst=200)
    granted = sum((first if i % 3 else second).acquire("client:c1", now=100.0) == 0.0 for i in range(500))
    assert granted == 200  # the burst, exactly: leased tokens are spent, never doubled
    assert first.acquire("client:c1", now=100.0) > 0 and second.acquire("client:c1", now=100.0) > 0


def test_an_unspent_lease_expires(tmp_path, monkeypatch):
    import feedback_web.rate_limit as rate_limit

    bucket = TokenBucket(ChannelStore(tmp_path / "c.sqlite3"), interval=0.001, burst=200)
    assert bucket.acquire("client:c1", now=100.0) == 0.0  # leases 20, spends 1
    monkeypatch.setattr(rate_limit, "LEASE_SECONDS", -1.0)  # every lease already stale
    granted = [bucket.acquire("client:c1", now=100.0) == 0.0 for _ in range(20)]
    assert granted == [True] * 9 + [False] * 11  # each new lease of 20 spends 1; 180 / 20 leases


def test_threads_that_run_out_of_a_lease_together_lose_no_tokens(tmp_path):
    """The web's 16 database threads (and the event loop) share a process's leases: when the
    lease runs out under load, only one of them takes the next from the store and nothing
    taken from the shared bucket is dropped, so a client gets its whole limit."""
    import threading

    bucket = TokenBucket(ChannelStore(tmp_path / "c.sqlite3"), interval=0.001, burst=1000)  # leases of 100
    start = threading.Barrier(16)
    granted: list[int] = []

    def client_requests() -> None:
        start.wait()
        granted.append(sum(bucket.acquire("client:c1", now=100.0) == 0.0 for _ in range(60)))

    threads = [threading.Thread(target=client_requests) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(granted) == 960  # all of them: 960 of the burst of 1000
    assert sum(bucket.acquire("client:c1", now=100.0) == 0.0 for _ in range(100)) == 40  # and not one more
