"""Row ids in paths and queries: one range for every route and page.

An id outside 1..MAX_ROW_ID (BIGINT on PostgreSQL, INTEGER on SQLite) names a row
that cannot exist. Left unchecked it reached the database driver, which cannot even bind it
(SQLite raises OverflowError: a 500). Every id parameter uses these types, so the check
happens once, while the request is validated; an out-of-range id in a path is answered
like any unknown id (404, see `missing_row`), and a malformed one (`abc`) with a 422.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Path, Query

from honing._errors import NotFound
from honing.storage import MAX_ROW_ID

PathId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)]

_OUT_OF_RANGE = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


def missing_row(errors: Sequence[Any]) -> NotFound | None:
    """A 404 when a path parameter is a number outside its range: the URL names nothing
    that can exist, whatever else is wrong with the request."""
    for error in errors:
        loc = error.get("loc", ())
        if len(loc) == 2 and loc[0] == "path" and error.get("type") in _OUT_OF_RANGE:
            return NotFound(f"there is no {str(loc[1]).replace('_', ' ')} {error.get('input')!s:.40}",
                            hint="ids are whole numbers from 1 to 9223372036854775807")
    return None
