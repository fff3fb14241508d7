"""page_models.url: a page's params and their URL form in both directions."""

from hypothesis import given
from hypothesis import strategies as st

from page_models.url import Param, encode, over_cap, parse_query, to_query

PARAMS = {
    "epochs": Param(60, lo=1, hi=500),
    "lr": Param(0.1, lo=1e-4, hi=10.0),
    "widths": Param((8, 8), lo=1, hi=128),
    "points": Param(200, choices=(100, 200, 400)),
    "name": Param("moons", choices=("moons", "xor")),
    "log": Param(False),
}


def test_defaults_stay_out_of_the_query_and_come_back_from_an_empty_one():
    defaults = {name: param.default for name, param in PARAMS.items()}
    assert to_query(PARAMS, defaults) == {}
    assert parse_query(PARAMS, {}) == defaults


@given(epochs=st.integers(1, 500), lr=st.floats(1e-4, 10.0),
       widths=st.lists(st.integers(1, 128), max_size=6).map(tuple),
       points=st.sampled_from((100, 200, 400)), log=st.booleans())
def test_values_round_trip_through_the_query(epochs, lr, widths, points, log):
    values = {"epochs": epochs, "lr": lr, "widths": widths, "points": points, "name": "xor",
              "log": log}
    assert parse_query(PARAMS, to_query(PARAMS, values)) == values


@given(st.text(max_size=30))
def test_any_text_in_a_link_gives_an_allowed_value(text):
    for name, param in PARAMS.items():
        value = param.parse(text)
        assert value == param.default or param.allows(value), (name, text)


def test_encode_writes_what_parse_reads():
    assert encode(True) == "1" and encode((1, 2)) == "1,2" and encode(0.1) == "0.1"


def test_over_cap_names_each_value_above_a_cap_choices_included():
    query = {"epochs": "5000", "widths": "8,200", "points": "5000", "lr": "0.5", "name": "x"}
    assert over_cap(PARAMS, query) == [
        "epochs=5000 (at most 500)", "widths=8,200 (at most 128)", "points=5000 (at most 400)"]
