"""Monitoring: Prometheus rules, Prometheus/Alertmanager configs and the on-call receiver.

Modules, one concern each:

- ``wilson``: the Wilson score interval, in Python (the reference for the PromQL rule).
- ``profiles``: the "prod" and "dev" timing profiles, read from Settings.
- ``rules``: pure renderers of the Prometheus recording and alerting rules.
- ``prometheus_config`` / ``alertmanager_config``: pure renderers of the two config files.
- ``shipped``: renders the committed production files (``python -m monitoring.shipped``).
- ``local``: writes local configs into a run dir and starts Prometheus, Alertmanager
  and the receiver as child processes (used by ``dost-feedback stack up`` and tests).
- ``receiver``: the on-call webhook receiver (FastAPI).
"""
