"""Scenario.load on any file: a Scenario, or a ValidationError naming the file; never another
exception (a scenario file is something people edit by hand and mail around)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from jbp.errors import ValidationError
from simulation.scenario import Scenario

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8))
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12)
# Documents shaped like a scenario: its real sections and field names, any values.
_doc = Scenario().to_dict()
shaped = st.fixed_dictionaries({}, optional={
    key: (st.fixed_dictionaries({}, optional={k: json_values for k in value})
          if isinstance(value, dict) else json_values)
    for key, value in _doc.items()})


def load_text(text: str | bytes, suffix: str) -> Scenario | ValidationError:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"scenario{suffix}"
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        try:
            return Scenario.load(path)
        except ValidationError as exc:
            assert str(path) in str(exc), str(exc)
            return exc


@settings(max_examples=120)
@given(st.one_of(shaped, json_values))
def test_any_json_document_loads_or_is_refused_by_name(doc):
    out = load_text(json.dumps(doc), ".json")
    if isinstance(out, Scenario):  # what loads saves and loads back the same
        assert Scenario.from_dict(out.to_dict()) == out


@settings(max_examples=100)
@given(st.binary(max_size=200), st.sampled_from([".json", ".toml"]))
def test_any_bytes_load_or_are_refused_by_name(data, suffix):
    load_text(data, suffix)


@settings(max_examples=100)
@given(shaped)
def test_a_loaded_scenario_round_trips_through_toml(doc):
    out = load_text(json.dumps(doc), ".json")
    if isinstance(out, Scenario):
        with tempfile.TemporaryDirectory() as folder:
            assert Scenario.load(out.save(Path(folder) / "s.toml")) == out
