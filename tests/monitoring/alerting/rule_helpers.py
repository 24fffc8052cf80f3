"""What the alerting tests share: running promtool, and picking rules out of a rendered document."""

from __future__ import annotations

import subprocess
from pathlib import Path

from monitoring import names
from monitoring.alerting import shipped
from monitoring.alerting.parameters import RuleParameters, rule_parameters

REQUIRED_SATISFACTION_ANNOTATIONS = {
    "summary",
    "description",
    "ratio",
    "count",
    "evidence_short",
    "dashboard_url",
    "runbook_url",
}


def run_tool(*argv: str | Path) -> str:
    result = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=30)
    output = f"$ {' '.join(map(str, argv))}\n{result.stdout}{result.stderr}"
    assert result.returncode == 0, output
    return output


def alert_rules(document: dict) -> list[dict]:
    return [rule for group in document["groups"] for rule in group["rules"] if "alert" in rule]


def satisfaction_alerts(document: dict) -> dict[str, dict]:
    """The CenterSatisfactionBelowTarget rules, keyed by severity."""
    return {
        rule["labels"]["severity"]: rule
        for group in document["groups"]
        for rule in group["rules"]
        if rule.get("alert") == names.SATISFACTION_ALERT
    }


def recorded_names(document: dict) -> set[str]:
    return {rule["record"] for group in document["groups"] for rule in group["rules"] if "record" in rule}


def prod_parameters(**overrides) -> RuleParameters:
    parameters = rule_parameters(shipped.shipped_settings(), "prod")
    return RuleParameters(**{**parameters.__dict__, **overrides})
