"""The GLiNER backend against the real gliner package (0.2.24, the `test` extra's pin).

A tiny model is built here, from nothing on any hub: a WordPiece tokenizer trained with
`tokenizers` on the sentences below, a two-layer BERT of width 32, a GLiNER span model on
it, fine-tuned for a few seconds until it tags the people and street addresses of those
sentences, then saved with `save_pretrained`. Honing loads that directory as `gliner:PATH`,
through `detect`, the backend loader and the workspace setting, with every socket refused
where a test says nothing may be fetched."""

from __future__ import annotations

import json
import random
import re
import shutil
import socket
from pathlib import Path

import pytest
import torch
from gliner import GLiNER
from huggingface_hub import constants as hub
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
from transformers import BertConfig, BertModel, BertTokenizerFast

from honing import ingest
from honing._errors import InvalidInput
from honing.accounts import get_workspace
from honing.datasets import pii
from honing.datasets.pii._ner import GLINER_LABELS
from honing.domain import Item

PEOPLE = ["Anna Schmidt", "Marco Rossi", "Maria Garcia", "Rahul Sharma", "John Miller",
          "Emma Brown"]
STREETS = ["12 Baker Street", "450 Oak Avenue", "88 Elm Road", "7 Mill Lane", "301 Pine Street",
           "19 Park Road"]
TEMPLATES = [
    # characters of several bytes before the name, so byte offsets would be off
    "Grüße aus Köln — Dear {p}, your parcel will go to {a} tomorrow.",
    "Please ask {p} to confirm the address {a} before Friday.",
    "Thanks! {p} lives at {a} now.",
    "The refund for {p} was sent to {a} last week.",
]
FILLER = ["The ticket is closed and the refund was processed today.",
          "Your order has shipped and should arrive before Friday.",
          "We could not reproduce the error after the last update."]
PLACEHOLDER = re.compile(r"<[A-Z_]+_\d+>")
LABELS = list(GLINER_LABELS)  # the labels Honing asks for, in the order it asks


def pairs(shift: int) -> list[tuple[str, str, str]]:
    """(sentence, person, street): every template with each person beside the street
    `shift` places on, so shift 0 is what the model learned and other shifts pair people and
    streets it never saw together."""
    return [(t.format(p=p, a=STREETS[(i + shift) % len(STREETS)]), p,
             STREETS[(i + shift) % len(STREETS)])
            for t in TEMPLATES for i, p in enumerate(PEOPLE)]


SENTENCES = [pairs(0)[k] for k in (2, 9, 16, 23)]  # one per template


def build_model(root: Path) -> Path:
    """Train the tokenizer and the model; returns the directory `save_pretrained` wrote."""
    sentences = [s for s, _, _ in pairs(0)] + FILLER
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=False)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokenizer.train_from_iterator(sentences + LABELS, trainers.WordPieceTrainer(
        vocab_size=500, special_tokens=specials))
    backbone = root / "backbone"
    BertTokenizerFast(tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]",
                      cls_token="[CLS]", sep_token="[SEP]",
                      mask_token="[MASK]").save_pretrained(backbone)
    BertModel(BertConfig(vocab_size=tokenizer.get_vocab_size(), hidden_size=32,
                         num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
                         max_position_embeddings=512)).save_pretrained(backbone)

    # From a plain dict: gliner 0.2.24's GLiNER(config) and GLiNER.from_config(GLiNERConfig)
    # both fail on their own arguments; the dict path is the one that works.
    model = GLiNER.from_config({"model_name": str(backbone), "hidden_size": 32, "max_width": 4,
                                "dropout": 0.0})
    split = model.data_processor.words_splitter

    def example(text: str, spans: list[tuple[str, str]]) -> dict:
        words = list(split(text))
        starts = {start: k for k, (_, start, _) in enumerate(words)}
        ends = {end: k for k, (_, _, end) in enumerate(words)}
        ner = [[starts[text.index(value)], ends[text.index(value) + len(value)], label]
               for value, label in spans]
        return {"tokenized_text": [w for w, _, _ in words], "ner": ner}

    # Each sentence alone and after another, so a sentence in a longer text still reads
    # as one the model knows.
    data = [example(s, [(p, "person"), (a, "street address")]) for s, p, a in pairs(0)]
    data += [example(f"{FILLER[k % 3]} {s}", [(p, "person"), (a, "street address")])
             for k, (s, p, a) in enumerate(pairs(0))]
    data += [example(s, []) for s in FILLER]
    # A plain loop over gliner's own collator and loss: its `train_model` wraps the HF
    # Trainer, which costs more to set up than these few hundred steps take.
    collate = model.data_collator_class(model.config, data_processor=model.data_processor,
                                        prepare_labels=True)
    optimiser = torch.optim.AdamW(model.parameters(), lr=3e-3)
    rng = random.Random(0)
    everything = collate(data, entity_types=[LABELS] * len(data))
    loss = float("inf")
    for step in range(1, 601):
        model.train()
        batch = rng.sample(data, 8)
        model(**collate(batch, entity_types=[LABELS] * len(batch))).loss.backward()
        optimiser.step()
        optimiser.zero_grad()
        if step % 25 == 0:  # stop once every sentence fits, not one lucky batch
            model.eval()
            with torch.no_grad():
                loss = model(**everything).loss.item()
            if loss < 0.1:
                break
    assert loss < 0.1, f"the tiny model did not fit its sentences (summed loss {loss})"
    model.eval()
    saved = root / "gliner"
    model.save_pretrained(saved)
    return saved


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Matrices this small gain nothing from more threads, and one thread makes training
    repeatable; the process's setting is put back after this file."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    torch.manual_seed(0)
    return build_model(tmp_path_factory.mktemp("gliner"))


@pytest.fixture(scope="module")
def spec(model_dir) -> str:
    return f"gliner:{model_dir}"


class NetworkUsed(BaseException):
    """Raised by a refused socket call. Not an Exception, so no retry loop or error wrapper
    on the way up swallows it or waits to try again."""


@pytest.fixture
def no_network(monkeypatch) -> list[str]:
    """Every connection and name lookup refused and recorded; the hub's offline switch off,
    as in an environment that never set HF_HUB_OFFLINE, and its endpoint unreachable."""
    attempts: list[str] = []

    def refuse(what):
        def refused(*args, **kwargs):
            attempts.append(what)
            raise NetworkUsed(what)
        return refused

    monkeypatch.setattr(socket.socket, "connect", refuse("connect"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setattr(hub, "ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setattr(hub, "HF_HUB_OFFLINE", False)
    return attempts


def copy_model(model_dir: Path, to: Path) -> Path:
    shutil.copytree(model_dir, to)
    return to


# -- the model through detect() -------------------------------------------------------------

def test_a_saved_model_tags_people_and_addresses_with_exact_offsets(spec, model_dir):
    backend = pii.load_backend(spec)
    assert (backend.kind, backend.name, backend.version) == ("gliner", "gliner", "gliner 0.2.24")
    assert backend.entities == ("LOCATION", "ORGANIZATION", "PERSON", "STREET_ADDRESS")
    assert pii.detector_names([spec]) == ["rules", f"{spec} (gliner 0.2.24)"]
    assert pii.load_backend(f"GLINER:{model_dir}/.") is backend  # loaded once per process

    assert SENTENCES[0][0].startswith("Grüße aus Köln")  # so byte offsets would be off
    for text, person, street in SENTENCES:
        own = {(s.entity, text[s.start:s.end]) for s in backend.find(text)}
        assert own == {("PERSON", person), ("STREET_ADDRESS", street)}, text
        # detect() merges them with the rule detectors' spans
        spans = {(s.entity, text[s.start:s.end]) for s in pii.detect(text, backends=[spec])}
        assert {("PERSON", person), ("STREET_ADDRESS", street)} <= spans


def test_labels_and_scores_map_from_the_model_own_answer(spec, model_dir):
    raw = GLiNER.from_pretrained(str(model_dir), local_files_only=True)
    sentence = SENTENCES[1][0]
    answer = raw.predict_entities(sentence, LABELS, threshold=0.5)
    assert sorted(e["label"] for e in answer) == ["person", "street address"]
    mapped = sorted((s.start, s.end, s.entity, s.score)
                    for s in pii.load_backend(spec).find(sentence))
    assert mapped == sorted((e["start"], e["end"], GLINER_LABELS[e["label"]],
                             min(e["score"], pii.NER_SCORE)) for e in answer)
    # A span the model is surer of than NER_SCORE is capped, so a validated structured span
    # still wins an overlap with it.
    assert max(e["score"] for e in answer) > pii.NER_SCORE
    assert all(score == pii.NER_SCORE for _, _, _, score in mapped)


def test_long_texts_are_read_in_chunks_with_offsets_past_the_first(spec):
    backend = pii.load_backend(spec)
    pieces: list[str] = []
    expected: set[tuple[int, int, str]] = set()
    for sentence, person, street in SENTENCES * 3:
        pieces.append(" ".join(FILLER * 3) + "\n")
        at = sum(map(len, pieces))
        pieces.append(sentence + "\n")
        expected.add((at + sentence.index(person), at + sentence.index(person) + len(person),
                      "PERSON"))
        expected.add((at + sentence.index(street), at + sentence.index(street) + len(street),
                      "STREET_ADDRESS"))
    text = "".join(pieces)
    assert len(text) > 4 * 1_500  # several chunks
    found = {(s.start, s.end, s.entity) for s in backend.find(text)}
    # Where the spans are is the chunking's work and must be exact. Which of the two labels
    # a two-layer model of width 32 gives in a context it never saw (three filler sentences
    # before) varies with the machine's float kernels, so a label may swap, not a position.
    assert {(start, end) for start, end, _ in found} == {(start, end) for start, end, _ in expected}
    assert {entity for _, _, entity in found} <= {"PERSON", "STREET_ADDRESS"}
    assert len(found & expected) >= len(expected) - 4
    assert sum(start > 1_500 for start, _, _ in found) >= len(expected) - 4


# -- loading: local only, refusals ----------------------------------------------------------

def test_loading_never_reaches_the_network(model_dir, tmp_path, no_network):
    fresh = copy_model(model_dir, tmp_path / "fresh")  # a new spec, so a real load happens
    backend = pii.load_backend(f"gliner:{fresh}")
    sentence, person, _ = SENTENCES[0]
    assert ("PERSON", person) in {(s.entity, sentence[s.start:s.end])
                                  for s in backend.find(sentence)}
    assert no_network == []
    assert hub.HF_HUB_OFFLINE is False  # the switch is put back after the load


def test_a_model_that_needs_the_hub_is_refused_without_trying_it(model_dir, tmp_path,
                                                                  no_network):
    # A directory without its tokenizer files, whose config names a hub encoder: gliner falls
    # back to fetching the tokenizer by that name.
    bare = copy_model(model_dir, tmp_path / "bare")
    for name in ("tokenizer.json", "tokenizer_config.json"):
        (bare / name).unlink()
    config = json.loads((bare / "gliner_config.json").read_text())
    config["model_name"] = "honing-tests/no-such-encoder"
    (bare / "gliner_config.json").write_text(json.dumps(config))

    # gliner on its own tries the hub for it ...
    with pytest.raises(NetworkUsed):
        GLiNER.from_pretrained(str(bare), local_files_only=True)
    assert no_network, "the unguarded load was expected to try the network"
    no_network.clear()
    # ... Honing refuses the directory without a single connection or lookup.
    with pytest.raises(InvalidInput, match="could not be loaded offline") as refused:
        pii.load_backend(f"gliner:{bare}")
    assert "tokenizer" in refused.value.hint
    assert no_network == []
    assert hub.HF_HUB_OFFLINE is False


def test_a_missing_directory_is_refused_and_names_the_path(tmp_path):
    absent = tmp_path / "absent"
    with pytest.raises(InvalidInput, match=f"no GLiNER model directory at {absent}") as refused:
        pii.detect("Dear Anna Schmidt,", backends=[f"gliner:{absent}"])
    assert "never downloaded" in refused.value.hint


# -- the workspace setting ------------------------------------------------------------------

def test_the_workspace_setting_runs_the_model_in_scans_and_redaction(db, workspace, spec,
                                                                     tmp_path):
    texts = [sentence for sentence, _, _ in SENTENCES] + [FILLER[0]]
    items = [Item.model_validate({"messages": [{"role": "user", "content": text}]})
             for text in texts]
    ingest.import_items(db, items, workspace=workspace, dataset="letters", actor="cli:test")
    with db.writing() as session:
        ws = get_workspace(session, workspace)
        with pytest.raises(InvalidInput, match="no GLiNER model directory"):
            pii.add_workspace_backend(session, ws, f"gliner:{tmp_path / 'absent'}",
                                      actor="cli:ann")
        assert pii.workspace_backends(session, ws) == []  # the refusal changed nothing
        assert pii.add_workspace_backend(session, ws, spec, actor="cli:ann") == [spec]
    with db.reading() as session:
        report = pii.scan_version(session, get_workspace(session, workspace), "letters")
    assert report.detectors == ["rules", f"{spec} (gliner 0.2.24)"]
    assert report.items_with_pii == len(SENTENCES)
    assert report.entities["PERSON"].items == report.entities["STREET_ADDRESS"].items == 4
    with db.writing() as session:
        result = pii.redact_version(session, get_workspace(session, workspace), "letters",
                                    "placeholder", actor="cli:test")
    with db.reading() as session:
        after = pii.scan_version(session, get_workspace(session, workspace), result.version.ref)
    assert result.detectors == ("rules", f"{spec} (gliner 0.2.24)")
    assert result.spans["PERSON"] == result.spans["STREET_ADDRESS"] == 4
    assert result.changed_items == 4
    assert "PERSON" not in after.entities


def test_redaction_leaves_nothing_the_model_found(spec):
    for text, person, street in SENTENCES:
        redacted = pii.redact(text, "placeholder", backends=[spec])
        assert person not in redacted and street not in redacted
        assert "<PERSON_1>" in redacted and "<STREET_ADDRESS_1>" in redacted
        # A second look finds nothing: the model would read Honing's own placeholders as
        # addresses, but placeholders are cut out of every model guess.
        assert PLACEHOLDER.search(redacted)
        assert pii.detect(redacted, backends=[spec]) == []
