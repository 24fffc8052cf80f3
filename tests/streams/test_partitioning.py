from aiokafka.partitioner import DefaultPartitioner

from streams.partitioning import centers_in_partitions, partition_for_center


def test_matches_the_producers_default_partitioner():
    partitioner = DefaultPartitioner()
    for center_id in ("baku-1", "baku-6", "karabakh-barda", "karabakh-shusha", "smart-agali"):
        for partitions in (1, 6, 12):
            available = list(range(partitions))
            assert partition_for_center(center_id, partitions) == partitioner(
                center_id.encode(), available, available
            )


def test_every_center_belongs_to_exactly_one_owner():
    centers = [f"center-{i}" for i in range(50)]
    first = centers_in_partitions(centers, 6, {0, 1, 2})
    second = centers_in_partitions(centers, 6, {3, 4, 5})
    assert sorted(first + second) == sorted(centers)
    assert not set(first) & set(second)
