"""What on-call reads: the route of a notification and its SMS, e-mail and dev-file forms. Pure.

An SMS is one short line: what, where, how sure, where to look::

    PAGE CenterSatisfactionBelowTarget baku-2 (baku) 24h: ratio 0.9000 n=400 upper 0.9312 < target 0.985 http://grafana/d/...

Resolved notifications start with ``RESOLVED``. A notification with several alerts (one
group) names the first and adds ``(+N more)``.
"""

from __future__ import annotations

from email.message import EmailMessage

from dost_contract.settings.profiles import SEVERITIES
from monitoring.alerting.alertmanager_config import parse_receiver_name
from monitoring.oncall.payload import WebhookAlert, WebhookPayload

SMS_MAX_CHARS = 320  # two concatenated SMS segments
NO_SEVERITY = "none"


def notification_route(payload: WebhookPayload) -> tuple[str | None, str | None]:
    """(severity, region) of a notification: from the Alertmanager receiver (the route) it
    came through, else from the alerts' common labels (a receiver named otherwise)."""
    severity, region = parse_receiver_name(payload.receiver)
    if severity is not None:
        return severity, region
    labels = payload.common_labels or payload.alerts[0].labels
    severity = labels.get("severity")
    if severity not in SEVERITIES:
        return None, None
    return severity, labels.get("region")


def _where(alert: WebhookAlert) -> str:
    labels = alert.labels
    parts = []
    if "center_id" in labels:
        parts.append(labels["center_id"] + (f" ({labels['region']})" if "region" in labels else ""))
    for name in ("window", "burn_window", "instance"):
        if name in labels:
            parts.append(labels[name])
    return " ".join(parts)


def _evidence(alert: WebhookAlert) -> str:
    """ratio, count and bound, as the alert's annotations give them (those present).

    "< target" follows the number the alert compared: the Wilson upper bound for a page,
    the observed ratio otherwise. The change detectors' alerts carry ``evidence_short`` instead.
    """
    a = alert.annotations
    if a.get("evidence_short"):
        # The change detectors' page and warning say it in plain words already.
        return a["evidence_short"]
    compared = "wilson_upper" if alert.labels.get("severity") == "page" and "wilson_upper" in a else "ratio"
    below_target = f" < target {a['target']}" if "target" in a else ""
    parts = []
    if "ratio" in a:
        parts.append(f"ratio {a['ratio']}" + (below_target if compared == "ratio" else ""))
    if "count" in a:
        parts.append(f"n={a['count']}")
    if "wilson_upper" in a:
        parts.append(f"upper {a['wilson_upper']}" + (below_target if compared == "wilson_upper" else ""))
    if below_target and "ratio" not in a and compared == "ratio":
        parts.append(below_target.strip())
    if not parts:
        return a.get("summary", "")
    return " ".join(parts)


def alert_line(alert: WebhookAlert) -> str:
    """One line for one alert, without the link."""
    severity = alert.labels.get("severity", NO_SEVERITY).upper()
    head = "RESOLVED" if alert.status == "resolved" else severity
    name = alert.labels.get("alertname", "alert")
    where = _where(alert)
    evidence = _evidence(alert)
    text = " ".join(part for part in (head, name, where) if part)
    return f"{text}: {evidence}" if evidence else text


def alert_link(alert: WebhookAlert) -> str:
    return alert.annotations.get("dashboard_url") or alert.annotations.get("runbook_url") or alert.generator_url


def sms_text(payload: WebhookPayload, max_chars: int = SMS_MAX_CHARS) -> str:
    """The short message: the first alert's line, how many more, and its link; at most ``max_chars``."""
    first = payload.alerts[0]
    text = alert_line(first)
    if len(payload.alerts) > 1:
        text += f" (+{len(payload.alerts) - 1} more)"
    link = alert_link(first)
    if link:
        text += f" {link}"
    if len(text) > max_chars:
        text = text[: max_chars - 1] + "…"
    return text


def email_subject(payload: WebhookPayload) -> str:
    severity, region = notification_route(payload)
    first = payload.alerts[0]
    tag = f"[DOST {(severity or NO_SEVERITY).upper()}{'/' + region if region else ''}]"
    more = f" (+{len(payload.alerts) - 1} more)" if len(payload.alerts) > 1 else ""
    return f"{tag} {payload.status.upper()} {first.labels.get('alertname', 'alert')} {_where(first)}{more}".rstrip()


def email_body(payload: WebhookPayload) -> str:
    blocks = []
    for alert in payload.alerts:
        lines = [alert_line(alert), ""]
        for key in ("summary", "description"):
            if key in alert.annotations:
                lines.append(alert.annotations[key])
        lines.append("")
        lines.append(f"started: {alert.starts_at.isoformat()}")
        if alert.status == "resolved" and alert.ends_at is not None:
            lines.append(f"resolved: {alert.ends_at.isoformat()}")
        for key in ("dashboard_url", "runbook_url"):
            if key in alert.annotations:
                lines.append(f"{key.removesuffix('_url')}: {alert.annotations[key]}")
        if alert.generator_url:
            lines.append(f"query: {alert.generator_url}")
        lines.append("labels: " + ", ".join(f"{k}={v}" for k, v in sorted(alert.labels.items())))
        blocks.append("\n".join(lines))
    footer = f"\n\n-- \nAlertmanager {payload.external_url} route {payload.receiver}\n"
    return "\n\n".join(blocks) + footer


def email_message(payload: WebhookPayload, sender: str, recipients: list[str]) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = email_subject(payload)
    message.set_content(email_body(payload))
    return message


def dev_record(payload: WebhookPayload, channel: str, delivery_id: int) -> dict:
    """One JSON line of the dev channel: what an SMS would say, plus the alerts' labels."""
    severity, region = notification_route(payload)
    return {
        "delivery_id": delivery_id,
        "channel": channel,
        "receiver": payload.receiver,
        "severity": severity,
        "region": region,
        "status": payload.status,
        "text": sms_text(payload),
        "alerts": [
            {"status": alert.status, "labels": alert.labels, "fingerprint": alert.fingerprint}
            for alert in payload.alerts
        ],
    }
