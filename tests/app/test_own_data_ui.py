"""ui.own_data and ui.export_buttons in a bare script: the panel gives the right dataset from
each source and from a link, says what is wrong, and the export buttons are there."""

from streamlit.testing.v1 import AppTest

from engine.data import make_dataset
from page_models.own_data import from_link, to_csv, to_link


def panel_script():
    import streamlit as st

    from engine.data import make_dataset
    from page_models.own_data import PARAMS
    from ui.own_data import your_data
    from ui.state import publish

    if not st.session_state.get("away"):  # away: a run without the panel (another view)
        st.session_state.result = your_data(make_dataset("moons", n=40, seed=0))
    publish(PARAMS)


def export_script():
    from engine.data import make_dataset
    from engine.nn import MLPSpec
    from engine.train import train
    from page_models.export import Training
    from page_models.optimizers import OptimizerChoice
    from ui.export_buttons import export_buttons, network_uploader

    data, spec = make_dataset("xor", n=30), MLPSpec(n_in=2, hidden=(4,), n_out=2)
    optimizer = OptimizerChoice.of("adam", lr=0.01)
    history = train(spec, optimizer, data, None, 2, 10, 0)
    export_buttons(Training.of(spec, optimizer, data, 2, 10, 0), history.model)
    network_uploader()


def open_panel(**query) -> AppTest:
    at = AppTest.from_function(panel_script, default_timeout=60)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def test_builtin_data_by_default():
    at = open_panel()
    assert len(at.session_state.result) == 40 and at.session_state.result.name == "moons"
    assert at.session_state.my_points == ""


def test_pasted_csv_is_the_data_and_travels_in_the_link():
    at = open_panel()
    at.segmented_control(key="my_data").set_value("csv").run()
    assert at.session_state.result is None and not errors(at)
    at.text_area(key="my_csv_text").input("x1,x2,label\n" + "\n".join(
        f"{i / 7},{i % 3},{'red' if i % 2 else 'blue'}" for i in range(20))).run()
    data = at.session_state.result
    assert len(data) == 20 and data.n_classes == 2
    linked = from_link(at.session_state.my_points)
    assert (linked.X == data.X).all() and (linked.y == data.y).all()
    assert any("classes 0 = blue, 1 = red" in c.value for c in at.caption)


def test_a_csv_mistake_names_its_line_and_column():
    at = open_panel(my_data="csv")
    at.text_area(key="my_csv_text").input("1,2,0\n3,x,1\n").run()
    assert at.session_state.result is None
    assert errors(at) == ["Line 2, column 2: 'x' is not a number."]


def test_a_link_brings_back_the_csv_and_trains_on_the_same_points():
    data = make_dataset("blobs", n=60, k=3, seed=4)
    at = open_panel(my_data="csv", my_points=to_link(data))
    result = at.session_state.result
    assert to_csv(result) == at.text_area(key="my_csv_text").value
    assert result.n_classes == 3 and to_link(result) == to_link(data)


def test_large_csv_is_offered_as_a_file_instead_of_the_link():
    at = open_panel(my_data="csv")
    at.text_area(key="my_csv_text").input(to_csv(make_dataset("moons", n=400))).run()
    assert len(at.session_state.result) == 400 and at.session_state.my_points == ""
    assert any("cannot carry these 400 points" in i.value for i in at.info)


def test_drawn_points_come_back_from_a_link_and_need_enough_points():
    few = make_dataset("xor", n=12, seed=1)
    at = open_panel(my_data="draw", my_points=to_link(few))
    assert len(at.session_state.result) == 12 and at.session_state.my_points == to_link(few)
    at.button[0].click().run()  # start empty
    assert at.session_state.result is None
    assert any("has 0 point(s)" in e for e in errors(at))
    at.button[1].click().run()  # start from the built-in data
    assert len(at.session_state.result) == 40


def test_a_damaged_or_hostile_link_says_so_and_falls_back():
    for source in ("csv", "draw"):
        at = open_panel(my_data=source, my_points="eNpjZGBi4Pn0HwwuO5")
        assert at.session_state.result is None
        assert any("cannot be read" in e for e in errors(at))
    at = open_panel(my_data="<script>", my_fx_n="99999999")
    assert at.session_state.result.name == "moons"


def test_formula_data_and_its_mistakes():
    at = open_panel(my_data="formula", my_fx="x**2 - 1", my_fx_n="100")
    assert len(at.session_state.result) == 100 and at.session_state.result.name == "formula"
    at.text_input(key="my_fx").input("x + y").run()
    assert at.session_state.result is None
    assert any("only the name x, but it uses y" in e for e in errors(at))
    at.text_input(key="my_fx").input("x +").run()
    assert any(e.startswith("f(x), line 1, column") for e in errors(at))


def test_what_was_typed_survives_runs_without_the_panel():
    at = open_panel(my_data="formula")
    at.text_input(key="my_fx").input("abs(x) - 1").run()
    at.session_state.away = True
    at.run().run()
    at.session_state.away = False
    at.run()
    assert at.text_input(key="my_fx").value == "abs(x) - 1"
    assert at.session_state.result.name == "formula" and not errors(at)


def test_export_buttons_and_uploader_render():
    at = AppTest.from_function(export_script, default_timeout=60).run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download PyTorch script", "Download NumPy script",
                      "Download network JSON"]
    assert [u.proto.label for u in at.get("file_uploader")] == ["Load a network (JSON)"]
