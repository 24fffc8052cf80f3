"""The Alertmanager configuration (alertmanager.yml), rendered from parameters. Pure.

Every alert goes to the webhook receiver ``oncall`` (``monitoring.receiver``), grouped
per alert and center. A page for a center inhibits that center's warning: on-call gets
the stronger message only.
"""

from __future__ import annotations

from typing import Any

from monitoring.profiles import MonitoringProfile
from monitoring.rules import SATISFACTION_ALERT

ONCALL_RECEIVER = "oncall"
GROUP_BY = ("alertname", "center_id")


def render_alertmanager_config(receiver_url: str, profile: MonitoringProfile) -> dict[str, Any]:
    """alertmanager.yml as a dict; route timings from ``profile``."""
    return {
        "route": {
            "receiver": ONCALL_RECEIVER,
            "group_by": list(GROUP_BY),
            "group_wait": profile.group_wait,
            "group_interval": profile.group_interval,
            "repeat_interval": profile.repeat_interval,
        },
        "receivers": [
            {
                "name": ONCALL_RECEIVER,
                "webhook_configs": [{"url": receiver_url, "send_resolved": True}],
            }
        ],
        "inhibit_rules": [
            {
                "source_matchers": [f'alertname="{SATISFACTION_ALERT}"', 'severity="page"'],
                "target_matchers": [f'alertname="{SATISFACTION_ALERT}"', 'severity="warning"'],
                "equal": ["center_id"],
            }
        ],
    }
