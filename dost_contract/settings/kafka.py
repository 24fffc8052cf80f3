"""Kafka: where the brokers are, how topics are laid out, and the local broker's resources."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from dost_contract.settings.base import PROJECT_ROOT


class KafkaSettings(BaseModel):
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_controller_port: int = 9095  # local KRaft controller listener
    topic_partitions: int = Field(6, ge=1)
    topic_replication_factor: int = Field(1, ge=1)
    kafka_heap: str = "512m"
    # Jars fetched from Maven Central; shared by every local broker (stack and tests).
    kafka_libs_dir: Path = PROJECT_ROOT / ".dost" / "kafka-libs"
