"""The pipeline dashboard shows every scraped job and the workers' lag, dead letters and batch times."""

from __future__ import annotations

from dost_contract import metric_names
from dost_contract.settings import Settings
from monitoring.dashboards.panels import dashboard_targets
from monitoring.dashboards.pipeline import pipeline_dashboard
from monitoring.names import SENTIMENT_JOB, WEB_JOB, WORKER_JOB


def test_pipeline_dashboard_covers_every_job_and_the_health_series():
    exprs = " ".join(target["expr"] for _, target in dashboard_targets(pipeline_dashboard(Settings())))
    for job in (WORKER_JOB, WEB_JOB, SENTIMENT_JOB):
        assert f'up{{job="{job}"}}' in exprs, job
    for series in (metric_names.WORKER_DEADLETTERS_TOTAL, metric_names.bucket(metric_names.WORKER_BATCH_PROCESSING_SECONDS),
                   metric_names.bucket(metric_names.WEB_PUBLISH_SECONDS), metric_names.WORKER_ASSIGNED_PARTITIONS):
        assert series in exprs, series
