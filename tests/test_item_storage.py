"""Items stored through `store_items` come back exactly as given, on both databases: the
batch is written as one JSON document that the database reads, so every value takes a
trip through another JSON reader (quotes, backslashes, control characters, non-ASCII,
64-bit integers, floats, nulls, nested metadata)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from honing import accounts
from honing.datasets import load_items, store_items
from honing.domain import Item
from honing.storage import ItemRow, ResponseRow

# PostgreSQL keeps no NUL in text or jsonb, whichever way it is written.
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
               max_size=40)
SCALARS = (st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | TEXT
           | st.floats(allow_nan=False, allow_infinity=False))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(TEXT, inner, max_size=3), max_leaves=8)


@st.composite
def items(draw: st.DrawFn) -> Item:
    messages = [{"role": "user", "content": draw(TEXT)}]
    if draw(st.booleans()):
        messages += [
            {"role": "assistant", "content": None, "tool_calls": [{
                "id": "call_1", "type": "function",
                "function": {"name": "lookup", "arguments": draw(TEXT)}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": draw(TEXT)}]
    responses = [{"content": draw(TEXT), "model": draw(st.none() | TEXT),
                  "latency_ms": draw(st.none() | st.floats(0, 1e9)),
                  "tokens": draw(st.none() | st.fixed_dictionaries({
                      "prompt": st.integers(0, 2**31 - 1),
                      "completion": st.none() | st.integers(0, 2**31 - 1)}))}
                 for _ in range(draw(st.integers(0, 2)))]
    return Item.model_validate({
        "external_id": draw(st.none() | TEXT), "messages": messages, "responses": responses,
        "context": [{"id": "doc-1", "content": draw(TEXT), "title": draw(st.none() | TEXT)}
                    for _ in range(draw(st.integers(0, 1)))],
        "metadata": draw(st.dictionaries(TEXT, VALUES, max_size=4))})


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(items(), min_size=1, max_size=4))
def test_stored_items_load_back_equal(db, workspace, batch):
    with db.writing() as session:
        ws = accounts.get_workspace(session, workspace)
        pairs = [(item.content_hash(), item) for item in batch]
        ids, _ = store_items(session, ws.id, pairs)
        again, new = store_items(session, ws.id, pairs)
    assert again == ids and new == 0
    with db.reading() as session:
        loaded = load_items(session, ids)
    for stored, item in zip(loaded, batch, strict=True):
        assert stored.item == item
        assert stored.item.content_hash() == item.content_hash() == stored.content_hash
        assert len(stored.response_ids) == len(item.responses)


def test_a_batch_with_a_repeated_item_stores_it_once(db, workspace):
    item = Item.model_validate({"messages": [{"role": "user", "content": "hi \"there\" \\ é"}],
                                "responses": [{"content": "a"}, {"content": "b"}]})
    with db.writing() as session:
        ws = accounts.get_workspace(session, workspace)
        ids, new = store_items(session, ws.id, [(item.content_hash(), item)] * 3)
    assert len(set(ids)) == 1 and new == 1
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(ItemRow)) == 1
        assert session.scalar(select(func.count()).select_from(ResponseRow)) == 2


def test_whole_floats_written_with_an_exponent_stay_floats(db, workspace):
    # jsonb reads 1e+16 as the number 10000000000000000 and writes it back without a point
    metadata = {"big": 1e16, "negative": -2.5e17, "huge": 1e300, "small": 1e-20,
                "int": 2**63 - 1, "nested": [{"x": 3e20}]}
    item = Item.model_validate({"messages": [{"role": "user", "content": "q"}],
                                "metadata": metadata})
    with db.writing() as session:
        ws = accounts.get_workspace(session, workspace)
        ids, _ = store_items(session, ws.id, [(item.content_hash(), item)])
    with db.reading() as session:
        stored = load_items(session, ids)[0]
    assert stored.item.metadata == metadata
    assert {k: type(v) for k, v in stored.item.metadata.items()} == {
        k: type(v) for k, v in metadata.items()}
    assert stored.item.content_hash() == item.content_hash()
