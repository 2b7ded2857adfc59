"""Figures as JSON and back, exactly: the dataclasses of a report (estimates, scorecards,
windows), `Undefined` with its reason, NaN, dates and datetimes, tuples and sets, and
dicts with non-text keys, so a stored report renders the same page as a fresh one.

Only dataclasses of the `honing` package are rebuilt; a payload naming anything else is
refused, so a stored row can never make the server import or build something arbitrary.
"""

from __future__ import annotations

import dataclasses
import importlib
import math
from datetime import date, datetime
from typing import Any

import orjson

from honing._errors import HoningError
from honing.stats._estimate import Undefined

TAG = "~"


def dumps(value: Any) -> str:
    return orjson.dumps(_encode(value)).decode()


def loads(text: str) -> Any:
    return _decode(orjson.loads(text))


def _encode(v: Any) -> Any:
    if isinstance(v, Undefined):
        return {TAG: "undefined", "reason": v.reason}
    if v is None or isinstance(v, bool | int | str):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else {TAG: "float", "v": repr(v)}
    if isinstance(v, datetime):
        return {TAG: "datetime", "v": v.isoformat()}
    if isinstance(v, date):
        return {TAG: "date", "v": v.isoformat()}
    if isinstance(v, list):
        return [_encode(x) for x in v]
    if isinstance(v, tuple):
        return {TAG: "tuple", "v": [_encode(x) for x in v]}
    if isinstance(v, set | frozenset):
        return {TAG: "set", "v": [_encode(x) for x in sorted(v, key=repr)]}
    if isinstance(v, dict):
        if all(isinstance(k, str) for k in v) and TAG not in v:
            return {k: _encode(x) for k, x in v.items()}
        return {TAG: "dict", "v": [[_encode(k), _encode(x)] for k, x in v.items()]}
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        cls = type(v)
        return {TAG: "dataclass", "type": f"{cls.__module__}:{cls.__qualname__}",
                "fields": {f.name: _encode(getattr(v, f.name)) for f in dataclasses.fields(v) if f.init}}
    raise HoningError(f"cannot store a {type(v).__name__} among cached figures")


def _decode(v: Any) -> Any:
    if isinstance(v, list):
        return [_decode(x) for x in v]
    if not isinstance(v, dict):
        return v
    tag = v.get(TAG)
    if tag is None:
        return {k: _decode(x) for k, x in v.items()}
    if tag == "undefined":
        return Undefined(v["reason"])
    if tag == "float":
        return float(v["v"])
    if tag == "datetime":
        return datetime.fromisoformat(v["v"])
    if tag == "date":
        return date.fromisoformat(v["v"])
    if tag == "tuple":
        return tuple(_decode(x) for x in v["v"])
    if tag == "set":
        return {_decode(x) for x in v["v"]}
    if tag == "dict":
        return {_decode(k): _decode(x) for k, x in v["v"]}
    if tag == "dataclass":
        return _class(v["type"])(**{k: _decode(x) for k, x in v["fields"].items()})
    raise HoningError(f"cached figures hold an unknown value tag {tag!r}")


def _class(name: str) -> type:
    module, _, qualname = name.partition(":")
    if not (module == "honing" or module.startswith("honing.")):
        raise HoningError(f"cached figures name {name!r}, which is not a Honing figure")
    found: Any = importlib.import_module(module)
    for part in qualname.split("."):
        found = getattr(found, part)
    if not (isinstance(found, type) and dataclasses.is_dataclass(found)):
        raise HoningError(f"cached figures name {name!r}, which is not a Honing figure")
    return found
