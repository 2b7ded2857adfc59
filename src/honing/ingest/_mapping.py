"""`--map FIELD=COLUMN`: which source column fills which Honing field, checked against the
fields Honing knows and the columns the file has. A mapping that cannot be honoured is an
error before anything is written: a misspelt column used to leave every item without the
field (`responses: []`), which nobody notices until the labels are missing."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from honing._errors import InvalidInput, Problem
from honing.ingest._records import MAPPABLE_FIELDS

_LISTED = 40  # column names shown in an error; a wide file would bury the message


def parse_mapping(values: Iterable[str]) -> dict[str, str]:
    """FIELD=COLUMN strings as {field: column}; the field must be one Honing imports and
    may be named once."""
    mapping: dict[str, str] = {}
    for value in values:
        field, sep, column = value.partition("=")
        field, column = field.strip(), column.strip()
        if not sep or not field or not column:
            raise InvalidInput(f"mapping {value!r} is not FIELD=COLUMN",
                               hint="for example --map prompt=question")
        if field in mapping:
            raise InvalidInput(f"--map {field}={mapping[field]} and --map {field}={column} map "
                               f"two columns to the field {field!r}", hint="keep one of them")
        mapping[field] = column
    check_fields(mapping)
    return mapping


def check_fields(mapping: dict[str, str]) -> None:
    """Every mapped field is one Honing imports (or metadata.KEY): an unknown one would
    otherwise land, renamed, in metadata."""
    problems = [Problem(f"--map {field}={column}: {field!r} is not a field Honing imports",
                        field=field, hint=_did_you_mean(field, MAPPABLE_FIELDS))
                for field, column in mapping.items()
                if field not in MAPPABLE_FIELDS and not _metadata_key(field)]
    _refuse(problems, "", "fields: " + ", ".join(MAPPABLE_FIELDS) + ", metadata.KEY")


def apply_mapping(record: dict[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
    """Rename source columns to Honing fields: mapping is {field: column}. Values are read
    from the record as it came, so two fields may share a column and fields may swap."""
    if not mapping:
        return record
    sources = set(mapping.values())
    renamed = {k: v for k, v in record.items() if k not in sources}
    for field, column in mapping.items():
        if column in record:
            renamed[field] = record[column]
    return renamed


class ColumnCheck:
    """Checks a mapping against one file while its records stream past.

    `declared` is the file's columns when its format declares them (a CSV header, a Parquet
    schema); for JSON Lines the columns are the records' top-level keys, known only at the
    end of the pass. Either way the check ends before anything is written."""

    def __init__(self, file: str, mapping: dict[str, str], declared: list[str] | None) -> None:
        self.file, self.mapping, self.declared = file, mapping, declared
        self._seen: dict[str, None] = {}  # keys of JSON Lines records, in order of appearance
        self._filled: set[str] = set()  # mapped columns holding a value in some row
        self._records = 0

    def before(self) -> None:
        if self.declared is not None and self.mapping:
            self._check_columns(self.declared)

    def see(self, record: dict[str, Any]) -> None:
        if not self.mapping:
            return
        self._records += 1
        if self.declared is None:
            self._seen.update(dict.fromkeys(record))
        for column in self.mapping.values():
            if column not in self._filled and not _blank(record.get(column)):
                self._filled.add(column)

    def after(self) -> None:
        if not self.mapping or not self._records:
            return  # no readable record: the reader's problems say why
        if self.declared is None:
            self._check_columns(list(self._seen))
        _refuse([Problem(f"--map {f}={c}: column {c!r} of {self.file} is empty in every row, so "
                         "nothing would be imported from it", file=self.file, field=f)
                 for f, c in self.mapping.items() if c not in self._filled],
                "", "map a column that holds the values, or leave this --map out")

    def _check_columns(self, columns: list[str]) -> None:
        present = set(columns)
        problems = [Problem(f"--map {f}={c}: {self.file} has no column {c!r}", file=self.file, field=f,
                            hint=_did_you_mean(c, columns))
                    for f, c in self.mapping.items() if c not in present]
        mapped = set(self.mapping.values())
        # A column named like a mapped field, and not itself mapped, would be overwritten.
        problems += [Problem(f"--map {f}={c}: {self.file} also has a column {f!r}, which this mapping "
                             "would overwrite", file=self.file, field=f,
                             hint=f"map it too (e.g. --map metadata.{f}={f}) or rename it")
                     for f, c in self.mapping.items() if f in present and f not in mapped and f != c]
        if not problems:
            return
        listed = ", ".join(columns[:_LISTED]) or "(none)"
        if len(columns) > _LISTED:
            listed += f" and {len(columns) - _LISTED} more"
        kind = "columns" if self.declared is not None else "records' keys"
        _refuse(problems, f"; its {kind} are: {listed}", "column names are case-sensitive")


def _refuse(problems: list[Problem], tail: str, hint: str) -> None:
    """One problem is said in the message itself; several are listed under it."""
    if not problems:
        return
    if len(problems) == 1:
        only = problems[0]
        raise InvalidInput(only.message + tail, hint=" ".join(h for h in (only.hint, hint) if h))
    raise InvalidInput(f"{len(problems)} --map options cannot be honoured{tail}", problems=problems, hint=hint)


def _metadata_key(field: str) -> bool:
    return field.startswith("metadata.") and len(field) > len("metadata.")


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | dict):
        return not value
    return False


def _did_you_mean(name: str, choices: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None
