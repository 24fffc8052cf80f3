"""Monitoring: what Prometheus, Alertmanager, Grafana and on-call staff run on.

- ``names``: the names the rules, dashboards, replay and on-call share (recording rules,
  alerts, jobs, dashboards, runbook anchors); the exported ``dost_*`` series are in
  ``dost_contract.metric_names``.
- ``alerting/``: the Prometheus rules (by rule group), their parameters, PromQL helpers and
  the Wilson interval; the Prometheus and Alertmanager configs; the shipped files
  (``python -m monitoring.alerting.shipped``) and the configs of a local run.
- ``dashboards/``: the Grafana dashboards as code, one module per dashboard, the
  Grafana-managed alert rules, the committed files (``python -m monitoring.dashboards.files``)
  and ``dashboards push``.
- ``oncall/``: the on-call receiver (intake, outbox, dispatch, channels, messages, config).
- ``replay/``: the 30-day alert replay (timeline, promtool verification, report).
- ``yaml_output``, ``generated_files``: how generated files are written and checked for drift.

The data folders ``prometheus/``, ``alertmanager/`` and ``grafana/`` hold the generated and
hand-written files the services load.
"""
