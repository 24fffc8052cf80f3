"""``LocalStack``, what ``stack up`` runs: every service comes up, the degraded center pages, a dead
service is reported, and leaving it stops everything."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from dost_contract.settings import Settings
from dost_feedback.stack.local import LocalStack, Simulation
from dost_feedback.stack.processes import Service, ServiceError, free_port
from monitoring.names import SATISFACTION_ALERT
from monitoring.oncall.journal import wait_for_received_alert

pytestmark = [pytest.mark.services, pytest.mark.timeout(300)]

SERVICES = ["kafka", "oncall-receiver", "alertmanager", "worker-1", "sentiment-worker", "sms-inviter", "cases-worker",
            "web", "prometheus", "simulator"]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def stack_settings(tmp_path: Path) -> Settings:
    """A stack of its own: every port free, its own state, a consumer group of its own."""
    return Settings(
        profile="dev", state_dir=tmp_path, kafka_bootstrap_servers=f"127.0.0.1:{free_port()}",
        kafka_controller_port=free_port(), web_port=free_port(), worker_metrics_port=free_port(),
        sentiment_metrics_port=free_port(), prometheus_port=free_port(), alertmanager_port=free_port(),
        receiver_port=free_port(), sms_inviter_metrics_port=free_port(), followup_metrics_port=free_port(),
        faust_app_id=f"dost-stack-test-{uuid.uuid4().hex[:8]}",
    )


def test_the_stack_comes_up_pages_on_the_degraded_center_reports_a_death_and_stops(stack_settings: Settings):
    s = stack_settings
    said: list[str] = []
    with LocalStack(s, echo=said.append) as stack:
        stack.start(Simulation(rate=20, degrade=["baku-3=0.5"]))
        assert list(stack.services) == SERVICES
        endpoints = dict(stack.endpoints())
        assert endpoints["Web API"] == f"http://127.0.0.1:{s.web_port}/docs"
        assert endpoints["Worker metrics"] == f"http://127.0.0.1:{s.worker_metrics_port}/metrics"
        assert endpoints["Prometheus"].startswith(f"http://127.0.0.1:{s.prometheus_port}/graph?g0.expr=")
        stack.print_endpoints()
        assert "\nSimulating 20 ratings/s; degraded: baku-3=0.5." in said
        assert said.count("starting stream worker ...") == 1

        page = wait_for_received_alert(s.receiver_log_file, timeout=120, status="firing",
                                       alertname=SATISFACTION_ALERT, center_id="baku-3", severity="page")
        assert page.labels["region"] == "baku"

        stack.watch(poll_seconds=0.1, until=lambda: True)  # all alive: returns
        stack.services["simulator"].kill()
        with pytest.raises(ServiceError, match=r"service stopped unexpectedly: simulator \(exit -9"):
            stack.watch(poll_seconds=0.1)
        pids = [service.process.pid for service in stack.services.values()]
    assert stack.services == {}
    assert [pid for pid in pids if alive(pid)] == []


def sleeper(tmp_path: Path, name: str) -> Service:
    """A real child process standing in for a worker: alive until killed."""
    import sys

    return Service(name, [sys.executable, "-c", "import time; time.sleep(600)"], tmp_path / f"{name}.log",
                   ready=lambda: True)


def test_a_crashed_worker_is_restarted_with_backoff_and_repeated_fast_crashes_stop_the_stack(tmp_path: Path):
    from dost_feedback.stack.restarts import RestartPolicy

    said: list[str] = []
    policy = RestartPolicy(base_delay_seconds=0.2, stable_after_seconds=60, give_up_after=3)
    with LocalStack(Settings(state_dir=tmp_path), echo=said.append, restarts=policy) as stack:
        stack._start("stream worker", lambda: sleeper(tmp_path, "worker-1"))
        worker = stack.services["worker-1"]
        first_pid = worker.process.pid
        worker.kill()  # SIGKILL, as a crash
        stack.watch(poll_seconds=0.05, until=lambda: worker.running)
        assert worker.process.pid != first_pid and alive(worker.process.pid)
        assert any(line.startswith("worker-1 exited with code -9 after 0s; restarting it in 0.2s") for line in said)
        assert f"worker-1 restarted (pid {worker.process.pid})" in said
        worker.kill()
        stack.watch(poll_seconds=0.05, until=lambda: worker.running)
        assert any("restarting it in 0.4s (fast crash 2 of 2 allowed" in line for line in said)
        worker.kill()  # the third fast crash in a row
        with pytest.raises(ServiceError, match=r"worker-1 \(exit -9.*3 crashes in a row.*giving up"):
            stack.watch(poll_seconds=0.05)


def test_60k_ratings_for_one_center_and_2500_resends_through_kcat_count_exactly_and_the_worker_stays_up(
        stack_settings: Settings, tmp_path: Path):
    """Issue 12's reproduction on `stack up --no-simulator`: one center-day of 60,000 ratings (it
    once crash-looped the worker) plus re-sends of 2,500 ids, restamped earlier or with another rating."""
    import json
    import random
    import time
    from datetime import datetime, timedelta, timezone

    import httpx

    from dost_contract import topics
    from tests.conftest import kcat_produce, metric_value, wait_for

    seed = int(os.environ.get("DOST_TEST_SEED", random.randrange(1 << 30)))
    print(f"\nstack volume test seed: {seed} (replay with DOST_TEST_SEED={seed})")
    rng = random.Random(seed)
    center = "smart-agali"
    hour = datetime.fromtimestamp((int(time.time()) // 3600 - 1) * 3600, timezone.utc)

    def payload(feedback_id: str, rating: int, submitted: datetime, received: datetime) -> tuple[bytes, bytes]:
        return center.encode(), json.dumps({
            "schema_version": 1, "feedback_id": feedback_id, "center_id": center, "channel": "kiosk",
            "rating": rating, "submitted_at": submitted.isoformat(), "received_at": received.isoformat()}).encode()

    firsts = []
    for _ in range(60_000):
        submitted = hour + timedelta(seconds=rng.uniform(0, 3599))
        firsts.append((str(uuid.UUID(int=rng.getrandbits(128), version=4)), rng.choice((5, 5, 4, 3, 1)), submitted))
    records = [payload(i, r, t, t + timedelta(seconds=2)) for i, r, t in firsts]
    for number, (feedback_id, rating, submitted) in enumerate(rng.sample(firsts, 2_500)):
        received = submitted + timedelta(minutes=30)
        if number % 2:
            records.append(payload(feedback_id, rating, submitted - timedelta(hours=rng.uniform(1, 48)), received))
        else:
            records.append(payload(feedback_id, rating % 5 + 1, submitted, received))
    said: list[str] = []
    with LocalStack(stack_settings, echo=said.append) as stack:
        stack.start(None)
        worker = stack.services["worker-1"]
        pid = worker.process.pid
        kcat_produce(stack_settings, topics.FEEDBACK_SUBMITTED, records, tmp_path)

        def in_prometheus() -> float | None:
            assert not stack.supervisor.dead(), [s.name for s in stack.supervisor.dead()]
            result = httpx.get(f"{stack.services['prometheus'].url}/api/v1/query", timeout=10, params={
                "query": f'dost_center_ratings{{center_id="{center}",window="24h"}}'}).json()["data"]["result"]
            return float(result[0]["value"][1]) if result else None

        def processed() -> float:
            text = httpx.get(worker.url, timeout=5).text
            return sum(metric_value(text, "dost_worker_events_processed_total", outcome=o) or 0
                       for o in ("counted", "duplicate", "replayed", "deadletter"))

        wait_for(lambda: processed() >= len(records), 240, f"the worker to take all {len(records)} records", interval=1)
        wait_for(lambda: in_prometheus() == 60_000, 60, "Prometheus to show 60,000 ratings in 24h", interval=1)
        text = httpx.get(worker.url, timeout=5).text
        assert metric_value(text, "dost_center_ratings", center_id=center, window="24h") == 60_000
        assert metric_value(text, "dost_worker_deadletters_total", reason="conflicting_duplicate") == 1_250
        assert worker.process.pid == pid and worker.running
        assert not [line for line in said if "restarting" in line]
