"""Index partitions spread over shards, so no index has one hot partition key.

A constant partition key ("every video", "every processing video", "every running run") puts all the
writes of a busy table on one index partition, which DynamoDB throttles at about 1,000 writes/s
whatever the table's capacity. Items instead carry `<name>#<shard>` with the shard a stable hash of
their id: writes spread over SHARDS partitions, and a reader asks every shard and merges the answers
newest first (each shard's query is already sorted by created_at), which keeps skip/limit paging.
The indexes project keys only (and what filters need), so progress and heartbeat writes, which touch
no projected attribute, cost no index write at all; a page of keys is then read whole in one batch."""

from __future__ import annotations

import heapq
import itertools
import zlib
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from pynamodb.models import Model

SHARDS = 8
M = TypeVar("M", bound=Model)


def shard_of(item_id: str) -> int:
    return zlib.crc32(item_id.encode("utf-8")) % SHARDS


def sharded_key(name: str, item_id: str) -> str:
    """The index partition an item with this id lives in under `name` (e.g. "processing#3")."""
    return f"{name}#{shard_of(item_id)}"


def newest_first(index: Any, name: str, **query: Any) -> Iterator[Any]:
    """Every item of `name` across the shards, newest created_at first (lazily: one page per shard
    at a time). `query` goes to each shard's Query (e.g. filter_condition)."""
    shards = [index.query(f"{name}#{shard}", scan_index_forward=False, **query) for shard in range(SHARDS)]
    return heapq.merge(*shards, key=lambda item: item.created_at, reverse=True)


def count_all(index: Any, name: str) -> int:
    """How many items of `name` there are across the shards: one COUNT query per shard (an index read,
    eventually consistent)."""
    return sum(index.count(f"{name}#{shard}") for shard in range(SHARDS))


def page(model: type[M], keys: Iterable[Any], hash_key: str, skip: int, limit: int) -> list[M]:
    """Items `skip`..`skip+limit` of an index's key-only answer, read whole (BatchGetItem) in order.
    An item deleted between the index read and the batch read is left out."""
    wanted = [getattr(item, hash_key) for item in itertools.islice(keys, skip, skip + limit)]
    if not wanted:
        return []
    found = {getattr(item, hash_key): item for item in model.batch_get(wanted)}
    return [found[key] for key in wanted if key in found]
