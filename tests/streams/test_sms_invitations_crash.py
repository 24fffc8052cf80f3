"""The SMS-invitation agent killed with SIGKILL at random moments: no invitation is lost,
none is sent twice.

The real agent process (``dost-feedback sms-inviter``, its own consumer group) on the real
broker and the dev log gateway. Each round publishes visits, lets the agent start sending,
kills it at a random moment (while it consumes, enqueues and sends), and starts it again.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections import Counter

import pytest

from dost_channels.store import ChannelStore
from dost_contract.visits import VisitCompleted
from dost_feedback.queue_system import publish_visits
from dost_feedback.stack import services as stack
from dost_feedback.stack.processes import Supervisor, free_port
from tests.conftest import wait_for

pytestmark = [pytest.mark.services, pytest.mark.timeout(240)]

ROUNDS = 3
VISITS_PER_ROUND = 150


def delivered(outbox) -> Counter:
    if not outbox.exists():
        return Counter()
    return Counter(json.loads(line)["message_id"] for line in outbox.read_text().splitlines())


def test_sigkill_at_random_moments_loses_no_invitation_and_sends_none_twice(kafka, services_settings, tmp_path):
    settings = services_settings.model_copy(update={
        "state_dir": tmp_path, "faust_app_id": f"dost-crash-{uuid.uuid4().hex[:8]}",
        "sms_inviter_metrics_port": free_port(), "sms_outbox_poll_seconds": 0.2,
        "sms_retry_initial_seconds": 1.0, "channels_db_file": tmp_path / "channels.sqlite3",
        "sms_outbox_file": tmp_path / "sms-outbox.jsonl",
    })
    outbox = settings.sms_outbox_path
    rng = random.Random(20261201)
    run = uuid.uuid4().hex[:6]
    visit_ids: list[str] = []
    supervisor = Supervisor()
    kills = 0
    cut_short: list[bool] = []  # per round: did the kill land before the round was all sent?
    try:
        for round_ in range(ROUNDS):
            visits = [VisitCompleted.create(settings, center_id=rng.choice(["baku-1", "baku-2", "karabakh-barda"]),
                                            phone=f"+99450{rng.randrange(10**7):07d}", language="az",
                                            visit_id=f"crash-{run}-{round_}-{i}")
                      for i in range(VISITS_PER_ROUND)]
            asyncio.run(publish_visits(settings, visits))
            visit_ids += [v.visit_id for v in visits]
            before = sum(delivered(outbox).values())
            agent = supervisor.start(stack.sms_inviter(settings), timeout=120)
            # Kill it while it is busy: once a random share of this round is sent (polled
            # closely, so a fast machine does not finish the round before the kill).
            kill_after = before + rng.randrange(1, VISITS_PER_ROUND // 2)
            wait_for(lambda: sum(delivered(outbox).values()) >= kill_after, timeout=90,
                     message="the agent sends", interval=0.005)
            agent.kill()
            kills += 1
            cut_short.append(sum(delivered(outbox).values()) - before < VISITS_PER_ROUND)
        agent = supervisor.start(stack.sms_inviter(settings), timeout=120)
        wait_for(lambda: set(delivered(outbox)) >= set(visit_ids), timeout=120,
                 message=f"all {len(visit_ids)} invitations delivered")
        time.sleep(1.0)  # a last pass would show a resend
        counts = delivered(outbox)
        assert {visit_id: counts[visit_id] for visit_id in visit_ids if counts[visit_id] != 1} == {}
        # The topic may hold other tests' visits too (this group reads it from the start): judge ours.
        store = ChannelStore(settings.channels_db_path)
        assert [v for v in visit_ids if store.invitation(v) is None or store.invitation(v).sent_at is None] == []
        assert kills == ROUNDS and any(cut_short), cut_short  # the kills did interrupt sending
    finally:
        supervisor.stop_all()
