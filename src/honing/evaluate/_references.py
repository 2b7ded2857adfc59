"""Callables named in files users write ("package.module:function"): Python targets,
custom scorers and tool mocks all name code this way, and find it the same way. Each
caller words the failure for its own context."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


class UnresolvedReference(ValueError):
    """Why "module:attribute" names no callable: `kind` is "import" (`cause` is what the
    import raised), "attribute" or "not_callable" (`found` is what was there)."""

    def __init__(self, kind: str, module: str, attribute: str, *, cause: BaseException | None = None,
                 found: Any = None):
        super().__init__(f"{module}:{attribute}: {kind}")
        self.kind, self.module, self.attribute, self.cause, self.found = kind, module, attribute, cause, found


def find_callable(module: str, attribute: str) -> Callable[..., Any]:
    try:
        found: Any = importlib.import_module(module)
    except Exception as error:  # importing runs user code; any failure is the user's to fix
        raise UnresolvedReference("import", module, attribute, cause=error) from None
    for part in attribute.split("."):
        if not hasattr(found, part):
            raise UnresolvedReference("attribute", module, attribute)
        found = getattr(found, part)
    if not callable(found):
        raise UnresolvedReference("not_callable", module, attribute, found=found)
    return found
