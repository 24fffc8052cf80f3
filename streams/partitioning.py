"""How centers map to partitions.

Every topic is keyed by ``center_id`` and our producers use Kafka's default partitioner
(murmur2 of the key, as the Java client and aiokafka do), so one center's ratings land
in one partition and are counted by whichever worker owns that partition. A client with
another partitioner (librdkafka's default is CRC32: kcat, confluent-kafka) may put them
elsewhere; the worker forwards such a rating to its center's partition
(``streams.counting.RatingCounter.take_misrouted``).
"""

from __future__ import annotations

from kafka.partitioner.default import murmur2


def partition_for_center(center_id: str, partitions: int) -> int:
    return (murmur2(center_id.encode()) & 0x7FFFFFFF) % partitions


def centers_in_partitions(center_ids: list[str], partitions: int, owned: set[int]) -> list[str]:
    return [c for c in center_ids if partition_for_center(c, partitions) in owned]
