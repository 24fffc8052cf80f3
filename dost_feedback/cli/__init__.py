"""``dost-feedback``: the one command line for every part of the system.

One module per command group; this module lists every command in one place.
"""

from __future__ import annotations

import typer

from dost_feedback.cli import channels, sentiment, services, simulate
from dost_feedback.cli.cases import cases_app
from dost_feedback.cli.dashboards import dashboards_app
from dost_feedback.cli.db import db_app
from dost_feedback.cli.kafka import kafka_app
from dost_feedback.cli.monitoring import monitoring_app
from dost_feedback.cli.oncall import oncall_app
from dost_feedback.cli.replay import replay
from dost_feedback.cli.retention import retention_app
from dost_feedback.cli.stack import stack_app
from dost_feedback.cli.topics import topics_app
from dost_feedback.cli.users import users_app

app = typer.Typer(help="DOST citizen feedback: ingest, stream workers, monitoring and tools.", no_args_is_help=True)

app.add_typer(topics_app, name="topics")
app.add_typer(stack_app, name="stack")
app.add_typer(channels.devices_app, name="devices")
app.add_typer(channels.clients_app, name="clients")
app.add_typer(sentiment.models_app, name="models")
app.add_typer(oncall_app, name="oncall")
app.add_typer(dashboards_app, name="dashboards")
app.add_typer(retention_app, name="retention")
app.add_typer(kafka_app, name="kafka")
app.add_typer(monitoring_app, name="monitoring")
app.add_typer(db_app, name="db")
app.add_typer(cases_app, name="cases")
app.add_typer(users_app, name="users")

app.command()(services.web)
app.command()(services.worker)
app.command("sentiment-worker")(services.sentiment_worker)
app.command("sms-inviter")(services.sms_inviter)
app.command("cases-worker")(services.cases_worker)
app.command()(sentiment.sentiment)
app.command()(services.receiver)
app.command()(simulate.simulate)
app.command()(replay)
app.command("sms-parse")(channels.sms_parse)
app.command()(channels.qr)
app.command("visit-completed")(channels.visit_completed)
