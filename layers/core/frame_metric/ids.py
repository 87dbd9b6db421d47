"""What an id the API takes may look like, checked at the edge before it reaches a table.

Every id this system gives out is a UUID (36 characters), but stored data and tests may use other
short names, so the rule is about what can be a key at all: DynamoDB refuses a partition key over 2048
bytes and a sort key over 1024 bytes with a ValidationException, which would surface as a 500. An id
outside this rule cannot name anything: a path id is answered 404, a body field 422.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

# Characters, so at most 4x as many UTF-8 bytes: far below both key limits.
MAX_ID_LENGTH = 128

EntityId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_ID_LENGTH)]


def is_possible_id(value: str) -> bool:
    return 0 < len(value) <= MAX_ID_LENGTH and value.isprintable()
