"""The Prometheus configuration (prometheus.yml), rendered from parameters. Pure."""

from __future__ import annotations

from typing import Any, Sequence

from monitoring.names import (
    ALERTMANAGER_JOB,
    FOLLOWUP_JOB,
    RECEIVER_JOB,
    SENTIMENT_JOB,
    SMS_INVITER_JOB,
    WEB_JOB,
    WORKER_JOB,
)


def _scrape_job(job_name: str, targets: Sequence[str]) -> dict[str, Any]:
    return {"job_name": job_name, "static_configs": [{"targets": list(targets)}]}


def render_prometheus_config(
    worker_targets: Sequence[str],
    web_targets: Sequence[str],
    alertmanager_target: str | None,
    rule_files: Sequence[str],
    scrape_interval: str,
    evaluation_interval: str,
    receiver_targets: Sequence[str] = (),
    sentiment_targets: Sequence[str] = (),
    sms_inviter_targets: Sequence[str] = (),
    followup_targets: Sequence[str] = (),
) -> dict[str, Any]:
    """prometheus.yml as a dict.

    Targets are ``host:port``. ``alertmanager_target=None`` renders no alerting section
    (rules still evaluate). Rule file paths are taken as given; relative ones resolve
    against the directory of the written prometheus.yml.
    """
    scrape_configs = [_scrape_job(WORKER_JOB, worker_targets)]
    if sentiment_targets:
        scrape_configs.append(_scrape_job(SENTIMENT_JOB, sentiment_targets))
    if sms_inviter_targets:
        scrape_configs.append(_scrape_job(SMS_INVITER_JOB, sms_inviter_targets))
    if followup_targets:
        scrape_configs.append(_scrape_job(FOLLOWUP_JOB, followup_targets))
    if web_targets:
        scrape_configs.append(_scrape_job(WEB_JOB, web_targets))
    if receiver_targets:
        scrape_configs.append(_scrape_job(RECEIVER_JOB, receiver_targets))
    if alertmanager_target:
        # DostAlertmanagerDown: Alertmanager's own /metrics.
        scrape_configs.append(_scrape_job(ALERTMANAGER_JOB, [alertmanager_target]))
    config: dict[str, Any] = {
        "global": {"scrape_interval": scrape_interval, "evaluation_interval": evaluation_interval},
        "rule_files": list(rule_files),
    }
    if alertmanager_target:
        config["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": [alertmanager_target]}]}]}
    config["scrape_configs"] = scrape_configs
    return config
