"""Routing a notification and the SMS / e-mail / dev texts (pure)."""

from __future__ import annotations

import pytest

from monitoring.oncall.messages import (
    SMS_MAX_CHARS,
    dev_record,
    email_message,
    notification_route,
    sms_text,
)
from monitoring.oncall.payload import WebhookPayload
from tests.monitoring.oncall.helpers import webhook_payload


def payload(**kwargs) -> WebhookPayload:
    return WebhookPayload.model_validate(webhook_payload(**kwargs))


@pytest.mark.parametrize(
    ("receiver", "labels", "route"),
    [
        ("page@karabakh", {}, ("page", "karabakh")),
        ("page", {"region": "baku"}, ("page", None)),  # the route Alertmanager chose wins
        ("ticket", {"severity": "ticket", "alertname": "NetworkSatisfactionBudgetBurn"}, ("ticket", None)),
        ("oncall", {"severity": "warning", "region": "baku"}, ("warning", "baku")),  # root: from the labels
        ("oncall", {"severity": "critical"}, (None, None)),  # unknown severity: default channels
        ("my-own-receiver", {"severity": "page", "region": "absheron"}, ("page", "absheron")),
    ],
)
def test_notification_route(receiver: str, labels: dict, route: tuple):
    assert notification_route(payload(receiver=receiver, **labels)) == route


def test_sms_says_what_where_how_sure_and_where_to_look():
    text = sms_text(payload())
    assert text == (
        "PAGE CenterSatisfactionBelowTarget baku-2 (baku) 24h: ratio 0.9000 n=400 upper 0.9312 < target 0.985 "
        "http://grafana.example/d/dost-center?var-center_id=baku-2"
    )


def test_a_warning_says_its_ratio_is_below_target_not_its_bound():
    # A warning compares the observed ratio; its upper bound is usually above target.
    text = sms_text(payload(receiver="warning@baku", severity="warning"))
    assert "ratio 0.9000 < target 0.985 n=400 upper 0.9312 " in text
    assert "upper 0.9312 < target" not in text


def test_resolved_sms_starts_with_resolved():
    assert sms_text(payload(status="resolved")).startswith("RESOLVED CenterSatisfactionBelowTarget baku-2 (baku)")


def test_network_alert_without_center_uses_its_summary():
    p = webhook_payload(receiver="page", alertname="NetworkSatisfactionBudgetBurn", burn_window="1h/5m")
    del p["alerts"][0]["labels"]["center_id"], p["alerts"][0]["labels"]["region"], p["alerts"][0]["labels"]["window"]
    p["alerts"][0]["annotations"] = {"summary": "Network burns its error budget 14.4x", "runbook_url": "docs/ops#burn"}
    assert sms_text(WebhookPayload.model_validate(p)) == (
        "PAGE NetworkSatisfactionBudgetBurn 1h/5m: Network burns its error budget 14.4x docs/ops#burn"
    )


def test_a_group_of_alerts_names_the_first_and_counts_the_rest():
    assert "(+2 more)" in sms_text(payload(n_alerts=3))


def test_sms_is_cut_to_two_segments():
    p = webhook_payload()
    p["alerts"][0]["annotations"]["dashboard_url"] = "http://g/" + "x" * 500
    text = sms_text(WebhookPayload.model_validate(p))
    assert len(text) == SMS_MAX_CHARS and text.endswith("…")


def test_email_subject_and_body():
    message = email_message(payload(receiver="page@baku"), "dost@example.az", ["a@example.az", "b@example.az"])
    assert message["Subject"] == "[DOST PAGE/baku] FIRING CenterSatisfactionBelowTarget baku-2 (baku) 24h"
    assert message["To"] == "a@example.az, b@example.az"
    body = message.get_content()
    assert "ratio 0.9000 over 400 ratings" in body
    assert "dashboard: http://grafana.example/d/dost-center?var-center_id=baku-2" in body
    assert "runbook: docs/operations.md#center-satisfaction-page" in body
    assert "labels: alertname=CenterSatisfactionBelowTarget, center_id=baku-2" in body


def test_resolved_email_says_when():
    body = email_message(payload(status="resolved"), "f@x.az", ["t@x.az"]).get_content()
    assert "resolved: 2026-11-22T11:00:00+00:00" in body


def test_dev_record():
    record = dev_record(payload(receiver="warning@baku", severity="warning"), "dev-file", 42)
    assert record["delivery_id"] == 42 and record["channel"] == "dev-file"
    assert (record["severity"], record["region"], record["status"]) == ("warning", "baku", "firing")
    assert record["text"].startswith("WARNING CenterSatisfactionBelowTarget baku-2")
    assert record["alerts"][0]["labels"]["center_id"] == "baku-2"


def test_a_detector_page_carries_its_plain_words_evidence():
    body = webhook_payload()
    alert = body["alerts"][0]
    del alert["labels"]["window"]
    alert["annotations"]["evidence_short"] = "since Mon 19:00 Baku time, 31 unhappy ratings of 1150 (2.7%); target allows 1.5%"
    text = sms_text(WebhookPayload.model_validate(body))
    assert text == (
        "PAGE CenterSatisfactionBelowTarget baku-2 (baku): since Mon 19:00 Baku time, 31 unhappy ratings of 1150 (2.7%); "
        "target allows 1.5% http://grafana.example/d/dost-center?var-center_id=baku-2"
    )
