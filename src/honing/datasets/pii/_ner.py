"""NER backends: a spaCy pipeline or a GLiNER model whose entities join the rule detectors.

A backend is named by a spec, `spacy:NAME_OR_PATH` (an installed pipeline package or a
pipeline directory) or `gliner:PATH` (a model directory). Models are only ever read from
this machine: spaCy through `spacy.load` (which never downloads), GLiNER with
`local_files_only=True`. A loaded backend is kept for the life of the process, so a server
or a scan pays the load once.

Scores: the model's own where it gives one (capped at `NER_SCORE`), else `NER_SCORE`, below
the validated structured types, so a checked card number or e-mail wins an overlap with a
model's guess."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from honing._errors import InvalidInput
from honing.datasets.pii._model_names import person_in_disguise
from honing.datasets.pii._span import Span

NER_SCORE = 0.75
SCHEMES = ("spacy", "gliner")
# Types that come from a model rather than a pattern; LOCATION and ORGANIZATION come only
# from a backend. Asking for one with nothing to provide it explains how to add one.
MODEL_ENTITIES = ("PERSON", "STREET_ADDRESS", "LOCATION", "ORGANIZATION")
INSTALL_HINT = ("pip install 'honing[ner]' and a spaCy pipeline package, then "
                "`honing pii backend add spacy:PIPELINE -w WORKSPACE`")

SPACY_LABELS = {"PERSON": "PERSON", "PER": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION",
                "FAC": "LOCATION", "ORG": "ORGANIZATION"}
GLINER_LABELS = {"person": "PERSON", "street address": "STREET_ADDRESS",
                 "location": "LOCATION", "organization": "ORGANIZATION"}
_MAYBE_PEOPLE = ("ORGANIZATION", "LOCATION")
_SPACY_CHUNK = 100_000  # characters per call: bounds memory whatever the pipeline's max_length
_GLINER_CHUNK = 1_500   # GLiNER reads a few hundred words at a time; longer input is cut off
_GLINER_THRESHOLD = 0.5


@dataclass
class NerBackend:
    """A loaded model: `find(text)` returns its spans, mapped to Honing's entity types."""

    spec: str
    kind: str
    name: str
    version: str
    entities: tuple[str, ...]
    find_chunk: Callable[[str], Iterable[Span]] = field(repr=False)
    chunk: Callable[[], int] = field(repr=False)

    @property
    def description(self) -> str:
        return f"{self.spec} ({self.version})" if self.version else self.spec

    def find(self, text: str) -> list[Span]:
        spans: list[Span] = []
        for offset, piece in chunks(text, self.chunk()):
            for span in self.find_chunk(piece):
                start, end, entity = span.start + offset, span.end + offset, span.entity
                # a "company" that reads as a known given name and a surname is a person
                # (see _model_names; `detect` checks every PERSON guess)
                if entity in _MAYBE_PEOPLE and person_in_disguise(text, start, end):
                    entity = "PERSON"
                spans.append(Span(start, end, entity, span.score))
        return spans

    def as_dict(self) -> dict[str, Any]:
        return {"spec": self.spec, "kind": self.kind, "name": self.name, "version": self.version,
                "entities": list(self.entities)}


def chunks(text: str, size: int) -> Iterator[tuple[int, str]]:
    """(offset, piece) covering `text` in pieces of at most `size` characters, cut at a line
    break where there is one in the second half of a piece, else after a sentence, else at
    a space, so a name is rarely split between two pieces."""
    start, n = 0, len(text)
    while n - start > size:
        limit = start + size
        floor = start + size // 2
        cut = text.rfind("\n", floor, limit)
        if cut < 0:
            cut = max(text.rfind(". ", floor, limit - 1), text.rfind("? ", floor, limit - 1),
                      text.rfind("! ", floor, limit - 1))
            cut = cut + 1 if cut >= 0 else text.rfind(" ", floor, limit)
        end = cut + 1 if cut >= 0 else limit
        yield start, text[start:end]
        start = end
    if start < n:
        yield start, text[start:]


def parse_spec(spec: str) -> tuple[str, str]:
    """(scheme, target) of a spec; a path target is made absolute, so a setting means the same
    model to every process that reads it."""
    scheme, sep, target = spec.strip().partition(":")
    scheme = scheme.lower()
    if not sep or scheme not in SCHEMES or not target:
        raise InvalidInput(f"PII backend {spec!r} is not a backend spec",
                           hint="use spacy:PIPELINE (an installed package or a directory) or "
                                "gliner:PATH (a local model directory)")
    if scheme == "gliner" or _looks_like_path(target):
        target = str(Path(target).expanduser().resolve())
    return scheme, target


def normalise_spec(spec: str) -> str:
    scheme, target = parse_spec(spec)
    return f"{scheme}:{target}"


def _looks_like_path(target: str) -> bool:
    return target.startswith((".", "~", "/")) or os.sep in target or (
        os.altsep is not None and os.altsep in target)


_LOADED: dict[str, NerBackend] = {}
_LOCK = threading.Lock()


def load_backend(spec: str) -> NerBackend:
    """The backend a spec names, loaded once per process. Refuses, saying how to fix it, when
    the library or the model is not on this machine; never downloads anything."""
    key = normalise_spec(spec)
    backend = _LOADED.get(key)
    if backend is not None:
        return backend
    with _LOCK:  # two server threads asking at once load the model once
        backend = _LOADED.get(key)
        if backend is None:
            scheme, target = key.split(":", 1)
            backend = _load_spacy(key, target) if scheme == "spacy" else _load_gliner(key, target)
            _LOADED[key] = backend
    return backend


def load_backends(specs: Sequence[str]) -> list[NerBackend]:
    return [load_backend(spec) for spec in dict.fromkeys(normalise_spec(s) for s in specs)]


# -- spaCy ----------------------------------------------------------------------------------

def _load_spacy(key: str, target: str) -> NerBackend:
    try:
        import spacy
    except ImportError:
        raise InvalidInput(f"PII backend {key!r} needs spaCy, which is not installed",
                           hint=INSTALL_HINT) from None
    if _looks_like_path(target):
        if not Path(target, "config.cfg").is_file():
            raise InvalidInput(f"no spaCy pipeline at {target} (a pipeline directory holds "
                               "config.cfg)", hint="give the directory `nlp.to_disk` wrote, or "
                               "an installed pipeline package's name")
    elif not spacy.util.is_package(target):
        raise InvalidInput(f"spaCy pipeline {target!r} is not installed",
                           hint=f"pip install the pipeline package {target!r} (Honing never "
                                "downloads models), or give a pipeline directory")
    try:
        nlp = spacy.load(target)
    except Exception as exc:  # a broken or incompatible package: say which, and why
        raise InvalidInput(f"spaCy pipeline {target!r} could not be loaded: {exc}",
                           hint="check that it was built for this spaCy version "
                                f"({spacy.__version__})") from exc
    return spacy_backend(nlp, key)


def spacy_backend(nlp: Any, spec: str) -> NerBackend:
    """A backend over a loaded spaCy `Language`. Only the components that set entities (and
    the embedding layers they listen to) run: tagging and parsing cost time and add nothing."""
    setters = [name for name in nlp.pipe_names
               if "doc.ents" in nlp.get_pipe_meta(name).assigns]
    labels = {label for name in setters for label in getattr(nlp.get_pipe(name), "labels", ())}
    entities = tuple(sorted({SPACY_LABELS[label] for label in labels if label in SPACY_LABELS}))
    if not entities:
        raise InvalidInput(f"spaCy pipeline {spec!r} recognises none of the entity labels Honing "
                           f"maps ({', '.join(SPACY_LABELS)})",
                           hint="use a pipeline with an 'ner' component trained on people, "
                                "places or organisations")
    keep = set(setters)
    for name in nlp.pipe_names:
        listeners = getattr(nlp.get_pipe(name), "listening_components", None) or ()
        if keep.intersection(listeners):
            keep.add(name)
    nlp.select_pipes(enable=[name for name in nlp.pipe_names if name in keep])

    def find_chunk(text: str) -> list[Span]:
        return [Span(e.start_char, e.end_char, SPACY_LABELS[e.label_], NER_SCORE)
                for e in nlp(text).ents if e.label_ in SPACY_LABELS and e.text.strip()]

    meta = nlp.meta
    name = f"{meta.get('lang', '')}_{meta['name']}" if meta.get("name") else spec
    return NerBackend(spec=spec, kind="spacy", name=name, version=str(meta.get("version", "")),
                      entities=entities, find_chunk=find_chunk,
                      chunk=lambda: min(nlp.max_length, _SPACY_CHUNK))


# -- GLiNER ---------------------------------------------------------------------------------

GLINER_HINT = ("pip install 'honing[gliner]' (gliner 0.2.24, the last release that accepts the "
               "train extra's transformers; see docs/decisions/0019-pii-ner-backends.md), or "
               "pip install gliner beside a transformers it accepts")


def _load_gliner(key: str, target: str) -> NerBackend:
    if not Path(target).is_dir():
        raise InvalidInput(f"no GLiNER model directory at {target}",
                           hint="give the directory `GLiNER.save_pretrained` wrote; models are "
                                "never downloaded")
    try:
        import gliner
        from gliner import GLiNER
    except ImportError:
        raise InvalidInput(f"PII backend {key!r} needs the gliner package, which is not installed",
                           hint=GLINER_HINT) from None
    # Offline for this load whatever the environment says: a directory without its tokenizer
    # files, or whose config names a hub encoder, must fail here, not fetch them.
    # `local_files_only` does not reach every call gliner makes (its tokenizer falls back to
    # `AutoTokenizer.from_pretrained(config.model_name)`), and huggingface_hub reads
    # HF_HUB_OFFLINE once, at import, so setting the variable now would change nothing: the
    # switch its HTTP layer and transformers consult is flipped instead. `load_backend`
    # holds _LOCK, so two loads never interleave their restores.
    from huggingface_hub import constants

    previous = constants.HF_HUB_OFFLINE
    constants.HF_HUB_OFFLINE = True
    try:
        model = GLiNER.from_pretrained(target, local_files_only=True)
    except Exception as exc:
        raise InvalidInput(f"GLiNER model at {target} could not be loaded offline: {exc}",
                           hint="the directory must hold the model (gliner_config.json and its "
                                "weights) and its tokenizer's files") from exc
    finally:
        constants.HF_HUB_OFFLINE = previous
    return gliner_backend(model, key, version=f"gliner {getattr(gliner, '__version__', '')}".strip())


def gliner_backend(model: Any, spec: str, *, version: str = "") -> NerBackend:
    """A backend over a loaded GLiNER model (anything with GLiNER's `predict_entities`)."""
    labels = list(GLINER_LABELS)

    def find_chunk(text: str) -> list[Span]:
        found = model.predict_entities(text, labels, threshold=_GLINER_THRESHOLD)
        # The model's confidence orders its own spans, capped so that it never outranks a
        # validated structured span in an overlap.
        return [Span(int(e["start"]), int(e["end"]), GLINER_LABELS[e["label"]],
                     min(float(e.get("score", NER_SCORE)), NER_SCORE))
                for e in found if e.get("label") in GLINER_LABELS and e["end"] > e["start"]]

    return NerBackend(spec=spec, kind="gliner", name=Path(spec.split(":", 1)[1]).name,
                      version=version, entities=tuple(sorted(set(GLINER_LABELS.values()))),
                      find_chunk=find_chunk, chunk=lambda: _GLINER_CHUNK)
