"""The series-name catalogue: the contract's names, Prometheus style, and every one exported."""

from __future__ import annotations

import re
from pathlib import Path

import prometheus_client

import feedback_web.metrics  # noqa: F401 (registers the web's metrics)
import streams.followup.metrics  # noqa: F401 (registers the case agent's metrics)
import streams.metrics
import streams.sentiment.metrics  # noqa: F401 (registers the sentiment worker's metrics)
import streams.sms_invitations  # noqa: F401 (registers the SMS-invitation counter)
from dost_contract import metric_names
from monitoring.oncall.outbox import Outbox
from monitoring.oncall.receiver import ReceiverMetrics

# ../shared/CONTRACT.md, "Prometheus metrics": the names other teams query.
CONTRACT_EXPORTED = {
    "dost_feedback_ratings_total",
    "dost_center_satisfaction_ratio",
    "dost_center_ratings",
    "dost_center_satisfied",
    "dost_center_satisfaction_target",
    "dost_comment_sentiment_total",
    "dost_followup_cases_open",
    "dost_followup_cases_overdue",
}
CONTRACT_NOT_YET_EXPORTED: set[str] = set()


def catalogue() -> dict[str, str]:
    return {name: value for name, value in vars(metric_names).items() if name.isupper()}


def families(collectors) -> dict[str, str]:
    """name -> type of every dost_* family, counters named with ``_total`` as Prometheus shows them."""
    out = {}
    for collector in collectors:
        for family in collector.collect():
            if family.name.startswith("dost_"):
                name = family.name + "_total" if family.type == "counter" else family.name
                out[name] = family.type
    return out


def exported(tmp_path: Path) -> dict[str, str]:
    outbox = Outbox(tmp_path / "oncall.sqlite3")
    try:
        return families([prometheus_client.REGISTRY, streams.metrics.SatisfactionCollector(),
                         ReceiverMetrics(outbox).registry])
    finally:
        outbox.close()


def test_the_contract_names_are_in_the_catalogue():
    values = set(catalogue().values())
    assert CONTRACT_EXPORTED <= values
    assert metric_names.FEEDBACK_RATINGS_TOTAL == "dost_feedback_ratings_total"
    assert metric_names.CENTER_SATISFACTION_RATIO == "dost_center_satisfaction_ratio"
    assert metric_names.CENTER_RATINGS == "dost_center_ratings"
    assert metric_names.CENTER_SATISFIED == "dost_center_satisfied"
    assert metric_names.CENTER_SATISFACTION_TARGET == "dost_center_satisfaction_target"
    assert metric_names.COMMENT_SENTIMENT_TOTAL == "dost_comment_sentiment_total"
    assert not CONTRACT_NOT_YET_EXPORTED & values  # not exported yet, so not catalogued yet


def test_every_name_is_prometheus_style_and_unique():
    names = list(catalogue().values())
    assert len(names) == len(set(names))
    for name in names:
        assert name.startswith("dost_"), name
        assert re.fullmatch(r"dost_[a-z0-9]+(?:_[a-z0-9]+)*", name), name


def test_bucket_adds_the_bucket_suffix():
    assert metric_names.bucket(metric_names.WEB_PUBLISH_SECONDS) == "dost_web_publish_seconds_bucket"
    assert metric_names.bucket("x") == "x_bucket"


def test_every_catalogue_name_is_exported_by_some_module(tmp_path: Path):
    assert set(catalogue().values()) - set(exported(tmp_path)) == set()


def test_every_exported_name_is_in_the_catalogue(tmp_path: Path):
    assert set(exported(tmp_path)) - set(catalogue().values()) == set()


def test_counters_and_only_counters_end_in_total(tmp_path: Path):
    kinds = exported(tmp_path)
    counters = {name for name, kind in kinds.items() if kind == "counter"}
    assert counters == {name for name in catalogue().values() if name.endswith("_total")}
    assert "dost_feedback_ratings_total" in counters and "dost_comment_sentiment_total" in counters
    assert kinds["dost_center_satisfaction_ratio"] == "gauge"
    assert kinds["dost_web_publish_seconds"] == "histogram"


def test_the_contract_series_are_exported_with_the_contract_types(tmp_path: Path):
    kinds = exported(tmp_path)
    assert {name: kinds[name] for name in CONTRACT_EXPORTED} == {
        "dost_feedback_ratings_total": "counter",
        "dost_center_satisfaction_ratio": "gauge",
        "dost_center_ratings": "gauge",
        "dost_center_satisfied": "gauge",
        "dost_center_satisfaction_target": "gauge",
        "dost_comment_sentiment_total": "counter",
        "dost_followup_cases_open": "gauge",
        "dost_followup_cases_overdue": "gauge",
    }
