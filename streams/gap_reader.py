"""``GapReader``: the rating worker's own reads of ``feedback.submitted``, beside Faust's.

``streams.continuity`` finds the records Faust did not hand over; this reads them, and the
group's committed offsets it checks a partition's first record against. One aiokafka
consumer, started on first use, assigned by hand: it never joins the worker's consumer
group and never commits (``committed`` only reads the group's offsets).
A read that cannot finish in ``timeout_seconds`` raises: counting on past a record that
could not be read would lose it, and a worker that stops is replayed from its commit.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from streams.continuity import OffsetRange
from streams.counting import Incoming


class GapReader:
    def __init__(self, bootstrap_servers: str, group_id: str, topic: str, client_kwargs: dict[str, Any],
                 timeout_seconds: float = 30.0) -> None:
        self.bootstrap_servers, self.group_id, self.topic = bootstrap_servers, group_id, topic
        self.client_kwargs = client_kwargs
        self.timeout_seconds = timeout_seconds
        self._consumer: AIOKafkaConsumer | None = None

    async def _started(self) -> AIOKafkaConsumer:
        if self._consumer is None:
            consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap_servers, group_id=self.group_id,
                                        enable_auto_commit=False, auto_offset_reset="earliest",
                                        **self.client_kwargs)
            async with asyncio.timeout(self.timeout_seconds):  # not wait_for: it can swallow a cancel
                await consumer.start()
            self._consumer = consumer
        return self._consumer

    async def next_offsets(self, partitions: set[int]) -> dict[int, int]:
        """Per partition, the group's committed offset, or its first offset if none is committed."""
        consumer = await self._started()
        result = {}
        for partition in partitions:
            tp = TopicPartition(self.topic, partition)
            async with asyncio.timeout(self.timeout_seconds):
                committed = await consumer.committed(tp)
                if committed is None:
                    committed = (await consumer.beginning_offsets([tp]))[tp]
            result[partition] = committed
        return result

    async def read(self, hole: OffsetRange) -> list[Incoming]:
        """The records at ``hole``'s offsets (fewer if some no longer exist, or never held one)."""
        consumer = await self._started()
        tp = TopicPartition(self.topic, hole.partition)
        consumer.assign([tp])
        consumer.seek(tp, hole.start)
        records: list[Incoming] = []
        deadline = time.monotonic() + self.timeout_seconds
        while await consumer.position(tp) < hole.stop:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.topic}[{hole.partition}] offsets {hole.start}..{hole.stop - 1}: "
                                   f"not read in {self.timeout_seconds:.0f} s")
            fetched = await consumer.getmany(tp, timeout_ms=500, max_records=len(hole))
            for record in fetched.get(tp, []):
                if hole.start <= record.offset < hole.stop:
                    records.append(Incoming(record.key, record.value, self.topic, hole.partition, record.offset))
        return records

    async def stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None
