"""The Alertmanager configuration (alertmanager.yml), rendered from parameters. Pure.

Routing (docs/operations.md, "On-call routing and channels"):

- Every alert goes to the on-call receiver service (``monitoring.oncall.receiver``), through one
  Alertmanager receiver per route; the receiver service picks the channels (SMS, e-mail,
  webhook, dev file) from the route's name and ``config/oncall.yaml``.
- The root route (receiver ``oncall``) catches alerts without a known ``severity``.
  Under it, one route per severity (``page``, ``warning``, ``ticket``), each with its own
  group/repeat timings (pages repeat most often); under each, one route per region of the
  center registry (receiver ``page@karabakh`` ...), matched on the ``region`` label that
  center alerts carry. Pipeline and network alerts have no region and stay on the
  severity route.
- Alerts are grouped by ``alertname`` and ``center_id``: one notification per alert and
  center.
- Inhibition: a center's page silences the same alert's warning for that center; a
  ``NetworkSatisfactionBudgetBurn`` page silences its ticket.
- ``FollowupCasesOverdue`` (a ticket for the centers, not an outage) goes, before the severity
  routes, to ``managers`` with one sub-route per region (``managers@karabakh`` ...): the
  receiver service sends it to that region's center managers by e-mail (``managers:`` in
  ``config/oncall.yaml``), never to the on-call SMS.
- Every receiver sends resolved notifications too.
- The ``Watchdog`` alert (always firing) goes, first and only, to ``deadmans-switch``: the
  receiver's ``/heartbeat`` (next to its ``/alertmanager``), re-sent every group interval,
  which the receiver relays to an external heartbeat service (docs/operations.md#watchdog).
- Every webhook carries ``Authorization: Bearer <DOST_ONCALL_WEBHOOK_TOKEN>``, read by
  Alertmanager from ``credentials_file`` (never written into this config); the receiver
  answers 401 without it.
"""

from __future__ import annotations

from typing import Any, Sequence

from dost_contract.settings.profiles import SEVERITIES, MonitoringProfile, RouteTimings
from monitoring.names import BURN_ALERT, FOLLOWUP_OVERDUE_ALERT, WATCHDOG_ALERT

ONCALL_RECEIVER = "oncall"  # the root route: alerts without a known severity
DEADMANS_SWITCH_RECEIVER = "deadmans-switch"  # the Watchdog, to the receiver's /heartbeat
MANAGERS_RECEIVER = "managers"  # FollowupCasesOverdue: the region's center managers, by e-mail
GROUP_BY = ("alertname", "center_id")
REGION_SEPARATOR = "@"


def receiver_name(severity: str | None, region: str | None = None) -> str:
    """The Alertmanager receiver (= route name) for a severity and optional region."""
    if severity is None:
        return ONCALL_RECEIVER
    return f"{severity}{REGION_SEPARATOR}{region}" if region else severity


def parse_receiver_name(name: str) -> tuple[str | None, str | None]:
    """(severity, region) from a receiver name; (None, None) for the root or an unknown name."""
    severity, _, region = name.partition(REGION_SEPARATOR)
    if severity not in SEVERITIES:
        return None, None
    return severity, region or None


def managers_receiver_name(region: str | None = None) -> str:
    return f"{MANAGERS_RECEIVER}{REGION_SEPARATOR}{region}" if region else MANAGERS_RECEIVER


def parse_managers_receiver_name(name: str) -> tuple[bool, str | None]:
    """(is it a managers route?, its region)."""
    kind, _, region = name.partition(REGION_SEPARATOR)
    return (True, region or None) if kind == MANAGERS_RECEIVER else (False, None)


def _timings(timings: RouteTimings) -> dict[str, str]:
    return {
        "group_wait": timings.group_wait,
        "group_interval": timings.group_interval,
        "repeat_interval": timings.repeat_interval,
    }


def _severity_route(severity: str, timings: RouteTimings, regions: Sequence[str]) -> dict[str, Any]:
    route: dict[str, Any] = {
        "receiver": receiver_name(severity),
        "matchers": [f'severity="{severity}"'],
        **_timings(timings),
    }
    if regions:
        route["routes"] = [
            {"receiver": receiver_name(severity, region), "matchers": [f'region="{region}"']} for region in regions
        ]
    return route


def _webhook_receiver(name: str, receiver_url: str, credentials_file: str) -> dict[str, Any]:
    return {"name": name, "webhook_configs": [{
        "url": receiver_url,
        "send_resolved": True,
        "http_config": {"authorization": {"type": "Bearer", "credentials_file": credentials_file}},
    }]}


def render_alertmanager_config(
    receiver_url: str, profile: MonitoringProfile, regions: Sequence[str] = (), *, credentials_file: str,
) -> dict[str, Any]:
    """alertmanager.yml as a dict; route timings from ``profile``, one sub-route per region;
    ``credentials_file``: where Alertmanager reads the receiver's bearer token."""
    regions = sorted(set(regions))
    names = [ONCALL_RECEIVER]
    for severity in SEVERITIES:
        names += [receiver_name(severity)] + [receiver_name(severity, region) for region in regions]
    names += [managers_receiver_name()] + [managers_receiver_name(region) for region in regions]
    managers_route: dict[str, Any] = {
        "receiver": managers_receiver_name(),
        "matchers": [f'alertname="{FOLLOWUP_OVERDUE_ALERT}"'],
        **_timings(profile.route_timings("ticket")),
    }
    if regions:
        managers_route["routes"] = [{"receiver": managers_receiver_name(region), "matchers": [f'region="{region}"']}
                                    for region in regions]
    heartbeat_url = f"{receiver_url.rsplit('/', 1)[0]}/heartbeat"
    watchdog_route = {
        "receiver": DEADMANS_SWITCH_RECEIVER,
        "matchers": [f'alertname="{WATCHDOG_ALERT}"'],
        # A heartbeat every group interval: the external switch expects one that often.
        "group_wait": "0s",
        "group_interval": profile.alertmanager_group_interval,
        "repeat_interval": profile.alertmanager_group_interval,
    }
    return {
        "route": {
            "receiver": ONCALL_RECEIVER,
            "group_by": list(GROUP_BY),
            "group_wait": profile.alertmanager_group_wait,
            "group_interval": profile.alertmanager_group_interval,
            "repeat_interval": profile.alertmanager_repeat_interval,
            "routes": [
                watchdog_route,
                managers_route,
                *(_severity_route(severity, profile.route_timings(severity), regions) for severity in SEVERITIES),
            ],
        },
        "receivers": [
            *(_webhook_receiver(name, receiver_url, credentials_file) for name in names),
            _webhook_receiver(DEADMANS_SWITCH_RECEIVER, heartbeat_url, credentials_file),
        ],
        "inhibit_rules": [
            {
                # A center's page says more than its warning: on-call gets the page only.
                "source_matchers": ['severity="page"', 'center_id=~".+"'],
                "target_matchers": ['severity="warning"'],
                "equal": ["alertname", "center_id"],
            },
            {
                # The fast-burn page covers the slow-burn ticket of the same budget.
                "source_matchers": [f'alertname="{BURN_ALERT}"', 'severity="page"'],
                "target_matchers": [f'alertname="{BURN_ALERT}"', 'severity="ticket"'],
                "equal": ["alertname"],
            },
        ],
    }
