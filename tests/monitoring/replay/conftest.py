"""The replay's timeline, built once per session: pure and deterministic for its seed."""

from __future__ import annotations

import pytest

from dost_contract.centers import load_registry
from dost_contract.settings import Settings
from monitoring.alerting import shipped
from monitoring.alerting.parameters import rule_parameters
from monitoring.replay.timeline import Scenario, build_timeline

SEED = Settings().replay_seed  # DOST_REPLAY_SEED
DEFAULT_SEED = Settings.model_fields["replay_seed"].default


@pytest.fixture(scope="session")
def timeline():
    print(f"\nreplay seed {SEED} (replay with DOST_REPLAY_SEED={SEED})")
    params = rule_parameters(shipped.shipped_settings(), shipped.SHIPPED_PROFILE)
    return build_timeline(Scenario(seed=SEED), load_registry(shipped.shipped_settings()).centers, params)
