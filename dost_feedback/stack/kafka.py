"""The local Apache Kafka broker: fetch its jars, format KRaft storage, run it, make topics.

The broker is the real Apache Kafka from Maven Central (``infra/kafka/pom.xml``), run as
a single KRaft node with the machine's JDK; docker-compose runs the same version.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import uuid
from pathlib import Path
from string import Template
from typing import Callable

from dost_contract.settings import PROJECT_ROOT, Settings
from dost_feedback.stack.kafka_security import ADMIN, broker_security_properties, principal_grants, scram_format_args
from dost_feedback.stack.processes import Service, port_is_open, require_free_port

KAFKA_INFRA_DIR = PROJECT_ROOT / "infra" / "kafka"
POM_FILE = KAFKA_INFRA_DIR / "pom.xml"
SERVER_PROPERTIES_TEMPLATE = KAFKA_INFRA_DIR / "server.properties"
LOG4J_PROPERTIES = KAFKA_INFRA_DIR / "log4j.properties"


def sentiment_app_id(settings: Settings) -> str:
    return f"{settings.faust_app_id}-sentiment"  # streams/sentiment/worker.py APP_SUFFIX


class KafkaSetupError(RuntimeError):
    """Kafka could not be fetched, formatted or started; the message says what to do."""


def split_host_port(address: str) -> tuple[str, int]:
    host, _, port = address.split(",")[0].strip().rpartition(":")
    if not host or not port.isdigit():
        raise KafkaSetupError(f"expected HOST:PORT, got {address!r}")
    return host, int(port)


def _pom_digest() -> str:
    return hashlib.sha256(POM_FILE.read_bytes()).hexdigest()


def kafka_libs_ready(libs_dir: Path) -> bool:
    stamp = libs_dir / ".pom.sha256"
    return stamp.exists() and stamp.read_text().strip() == _pom_digest()


def ensure_kafka_libs(libs_dir: Path, progress: Callable[[str], None] = print) -> Path:
    """Fetch the broker's jars from Maven Central unless the cached copy matches the pom."""
    if kafka_libs_ready(libs_dir):
        return libs_dir
    for tool in ("java", "mvn"):
        if shutil.which(tool) is None:
            raise KafkaSetupError(f"'{tool}' is not installed; run scripts/setup.sh (it installs a JDK and Maven)")
    progress(f"Fetching Apache Kafka jars from Maven Central into {libs_dir} (once, ~1 min)...")
    staging = libs_dir.with_name(libs_dir.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    command = [
        "mvn", "-q", "-B", "-f", str(POM_FILE), "dependency:copy-dependencies",
        f"-DoutputDirectory={staging}", "-DincludeScope=runtime",
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise KafkaSetupError(
            "fetching Kafka from Maven Central failed:\n" + (result.stdout + result.stderr)[-3000:]
        )
    shutil.rmtree(libs_dir, ignore_errors=True)
    staging.rename(libs_dir)
    (libs_dir / ".pom.sha256").write_text(_pom_digest())
    return libs_dir


def new_cluster_id() -> str:
    """A KRaft cluster id: a UUID in URL-safe base64 without padding, as Kafka writes them."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not cluster_id.startswith("-"):  # Kafka refuses ids that look like a flag
            return cluster_id


SECURED_MARKER = "dost-sasl-scram"  # in the data dir: formatted with the SCRAM users
LISTENER_KEYS = ("listeners=", "advertised.listeners=", "listener.security.protocol.map=",
                 "inter.broker.listener.name=")


def render_server_properties(port: int, controller_port: int, data_dir: Path, partitions: int,
                             secured: bool = False) -> str:
    """server.properties; ``secured``: SASL/SCRAM listeners and ACLs instead of PLAINTEXT."""
    template = Template(SERVER_PROPERTIES_TEMPLATE.read_text())
    text = template.substitute(
        port=port, controller_port=controller_port, data_dir=data_dir, partitions=partitions
    )
    if not secured:
        return text
    kept = [line for line in text.splitlines() if not line.startswith(LISTENER_KEYS)]
    return "\n".join(kept) + "\n\n# SASL/SCRAM and ACLs (dost_feedback/stack/kafka_security.py)\n" + \
        broker_security_properties(port, controller_port)


def _java_command(libs_dir: Path, heap: str, main_class: str, *args: str) -> list[str]:
    return [
        "java", f"-Xmx{heap}", "-Xms128m", "-XX:+UseG1GC",
        f"-Dlog4j.configuration=file:{LOG4J_PROPERTIES}",
        "-cp", f"{libs_dir}/*", main_class, *args,
    ]


def format_storage(libs_dir: Path, properties_file: Path, data_dir: Path, scram_args: list[str] | None = None) -> None:
    """Format KRaft storage once; a formatted directory keeps its data across restarts.
    ``scram_args``: SCRAM users to create (a secured broker), remembered by a marker file."""
    if (data_dir / "meta.properties").exists():
        if scram_args is not None and not (data_dir / SECURED_MARKER).exists():
            raise KafkaSetupError(f"{data_dir} was formatted without Kafka's SCRAM users; delete it to start "
                                  "the broker with DOST_KAFKA_LOCAL_ACLS=true (its topics are lost)")
        return
    command = _java_command(
        libs_dir, "256m", "kafka.tools.StorageTool",
        "format", "-t", new_cluster_id(), "-c", str(properties_file), *(scram_args or []),
    )
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise KafkaSetupError(f"formatting Kafka storage in {data_dir} failed:\n{result.stdout}{result.stderr}")
    if scram_args is not None:
        (data_dir / SECURED_MARKER).write_text("SCRAM users created at format time\n")


def kafka_service(settings: Settings, home: Path, log_path: Path) -> Service:
    """A Service for the local broker, its storage formatted on first start."""
    host, port = split_host_port(settings.kafka_bootstrap_servers)
    require_free_port("kafka", host, port)
    require_free_port("kafka controller", host, settings.kafka_controller_port)
    libs_dir = ensure_kafka_libs(settings.kafka_libs_dir)
    data_dir = home / "data"
    home.mkdir(parents=True, exist_ok=True)
    properties_file = home / "server.properties"
    secured = settings.kafka_local_acls
    properties_file.write_text(
        render_server_properties(port, settings.kafka_controller_port, data_dir, settings.topic_partitions, secured)
    )
    principals = [ADMIN, *principal_grants(settings.faust_app_id, sentiment_app_id(settings))]
    format_storage(libs_dir, properties_file, data_dir, scram_format_args(principals) if secured else None)
    return Service(
        name="kafka",
        argv=_java_command(libs_dir, settings.kafka_heap, "kafka.Kafka", str(properties_file)),
        log_path=log_path,
        ready=lambda: port_is_open(host, port),
        url=f"{host}:{port}",
    )
