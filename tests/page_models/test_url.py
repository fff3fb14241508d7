"""page_models.url: a page's params and their URL form in both directions."""

from hypothesis import given
from hypothesis import strategies as st

from engine.errors import PlaygroundError
from page_models.url import Param, encode, over_cap, parse_query, rejected, to_query

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


def _even(text: str) -> None:
    if len(text) % 2:
        raise PlaygroundError(f"‘{text}’ has an odd length.")


def test_a_value_the_params_check_rejects_falls_back_to_the_default_and_says_why():
    params = {"word": Param("ab", check=_even), "epochs": PARAMS["epochs"]}
    assert params["word"].parse("abcd") == "abcd"
    assert params["word"].parse("abc") == "ab" and not params["word"].allows("abc")
    assert rejected(params, {"word": "abc", "epochs": "x"}) == ["word: ‘abc’ has an odd length."]
    assert rejected(params, {"word": "abcd"}) == []


def test_the_pages_text_params_reject_what_their_pages_cannot_build():
    from page_models import network_builder, optimizer_lab

    assert network_builder.PARAMS["net"].parse("2-banana-2") == (
        network_builder.PARAMS["net"].default)
    assert network_builder.PARAMS["opt"].parse("sgd adam") == (
        network_builder.PARAMS["opt"].default)  # it trains with one optimizer
    assert network_builder.PARAMS["opt"].parse("sgd:lr=0.5") == "sgd:lr=0.5"
    for name in ("opt", "sopt"):
        assert optimizer_lab.PARAMS[name].parse("sgd:lr=abc") == optimizer_lab.PARAMS[name].default
