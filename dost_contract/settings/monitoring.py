"""Monitoring: alert thresholds, the local Prometheus/Alertmanager/receiver, Grafana, and the
timing profiles (``profiles.py``)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from dost_contract.settings.profiles import DEFAULT_PROFILES, MonitoringProfile, ProfileName


class MonitoringSettings(BaseModel):
    alert_min_ratings: int = Field(30, ge=1)
    # Seed of `dost-feedback replay` (the 30-day alert replay, docs/replay.md): the same
    # seed gives the same ratings, alerts and report on every machine.
    replay_seed: int = 20261001
    # NetworkSatisfactionBudgetBurn (the error budget is 1 - default_target): a burn-rate
    # alert needs at least this many ratings network-wide in its long window, so a nearly
    # empty network (3 ratings at night, one unhappy: burn 22x) never pages. With 100
    # ratings and a true unsatisfied share exactly at budget (1.5%), noise alone crosses
    # a page threshold with probability 2.9e-6 (6x) or 1.8e-19 (14.4x); with 3 ratings,
    # 4.4% (docs/operations.md#network-budget-burn-page).
    alert_burn_min_ratings: int = Field(100, ge=1)
    # DostConsumerLagGrowing: the rating workers' total lag (records) above this ...
    alert_consumer_lag_messages: int = Field(1000, ge=1)
    # DostSentimentBacklog: the sentiment worker's total lag (records) above this ...
    alert_sentiment_backlog_messages: int = Field(500, ge=1)
    # CenterNoRatingsWhileOpen: a silent open center alerts only when its usual volume
    # would have brought at least this many ratings in the lookback; P(0 | Poisson(10))
    # = 4.5e-5, so quiet hours of a small center are never mistaken for an outage.
    alert_no_ratings_min_expected: float = Field(10.0, gt=0)
    prometheus_port: int = 9090
    alertmanager_port: int = 9093
    receiver_host: str = "127.0.0.1"
    receiver_port: int = 9097
    grafana_url: str = "http://127.0.0.1:3000"
    # `dost-feedback dashboards push`: the Grafana folder it uploads into, and how long one
    # Grafana API request may take before the push gives up with a clear error.
    grafana_folder: str = "DOST"
    grafana_api_timeout_seconds: float = Field(10.0, gt=0)
    prometheus_host: str = "127.0.0.1"
    alertmanager_host: str = "127.0.0.1"
    prometheus_binary: str = "prometheus"
    promtool_binary: str = "promtool"
    alertmanager_binary: str = "prometheus-alertmanager"
    amtool_binary: str = "amtool"
    # Where alert annotations point for the runbook (the alerts section of docs/operations.md).
    runbook_base_url: str = "docs/operations.md"
    # How many received notifications the on-call receiver keeps for GET /alerts.
    receiver_history_size: int = Field(1000, ge=1)
    # The timings of each profile; set one with DOST_<TIMING>_<PROFILE> (see profiles.py).
    monitoring_profiles: dict[ProfileName, MonitoringProfile] = Field(default_factory=lambda: dict(DEFAULT_PROFILES))
