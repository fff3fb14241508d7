"""The Network Builder page through streamlit.testing (no browser)."""

import base64

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from streamlit.testing.v1 import AppTest

from engine.limits import MAX_EPOCHS, MAX_HIDDEN_LAYERS, MAX_WIDTH
from viz.live_charts import MARKED_EPOCHS, MAX_LINE_POINTS

from .helpers import open_app, run

PAGE = "pages/2_Network_Builder.py"


def open_page(**query) -> AppTest:
    """The page as a visitor opening its link with these query params sees it."""
    return open_app(PAGE, **query)



def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def network_line(at: AppTest) -> str:
    """The network's name: the label of the expander that holds the layer editor."""
    return next(e.label for e in at.expander if e.label.startswith("**Network:**"))


def values(array) -> np.ndarray:
    """A trace's data array; plotly sends NumPy arrays as base64 ({"dtype", "bdata"})."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    return np.asarray(array)


def url(at: AppTest) -> dict[str, str]:
    """The page's query string as a plain dict."""
    return {k: v if isinstance(v, str) else v[-1] for k, v in at.query_params.items()}


def click(at: AppTest, label: str, times: int = 1) -> AppTest:
    for _ in range(times):
        button(at, label).click()
        run(at)
    return at


def chart(at: AppTest, key_part: str) -> go.Figure:
    """The plotly figure of the chart whose element id contains `key_part`."""
    for element in at.get("plotly_chart"):
        if key_part in element.proto.id:
            return pio.from_json(element.proto.spec)
    raise AssertionError(f"no chart with {key_part!r} in its id")


def test_the_page_builds_the_default_network():
    at = open_page()
    assert [t.value for t in at.title] == ["Network Builder"]
    assert network_line(at).startswith("**Network:** 2 → 8 tanh → 8 tanh → 2")
    assert metric(at, "Epoch") == f"0 / {MAX_EPOCHS}"
    assert len(at.get("plotly_chart")) == 4  # boundary, neurons, graph, dropout bars


def test_stepping_trains_and_the_loss_falls():
    at = click(open_page(), "Step")
    assert metric(at, "Epoch") == f"1 / {MAX_EPOCHS}"
    first = float(metric(at, "Training loss"))
    click(at, "Step", times=5)
    assert metric(at, "Epoch") == f"6 / {MAX_EPOCHS}"
    assert float(metric(at, "Training loss")) < 0.8 * first


def test_play_trains_on_every_live_update_and_pause_stops():
    at = click(open_page(), "Play")
    after_one = int(metric(at, "Epoch").split(" / ")[0])
    assert after_one > 0
    run(at)  # one more live update
    assert int(metric(at, "Epoch").split(" / ")[0]) > after_one
    click(at, "Pause")
    paused = metric(at, "Epoch")
    run(at)
    assert metric(at, "Epoch") == paused


def test_the_loss_of_the_first_epochs_is_drawn_with_markers():
    at = click(open_page(), "Step")  # one epoch: one point per curve, which a line cannot show
    assert [t.mode for t in chart(at, "nb_loss").data] == ["lines+markers"] * 2
    at.session_state["nb_run"].advance(MARKED_EPOCHS)
    click(at, "Step")
    assert [t.mode for t in chart(at, "nb_loss").data] == ["lines"] * 2


def test_reset_starts_again_from_the_same_weights():
    at = click(open_page(), "Step", times=2)
    click(at, "Reset")
    assert metric(at, "Epoch") == f"0 / {MAX_EPOCHS}"
    click(at, "Step")
    loss_after_one = metric(at, "Training loss")
    click(at, "Reset")
    click(at, "Step")
    assert metric(at, "Training loss") == loss_after_one


def test_removing_every_hidden_layer_leaves_logistic_regression():
    at = open_page()
    for _ in range(2):
        next(b for b in at.button if b.key and b.key.startswith("nb_remove")).click()
        run(at)
    assert network_line(at).startswith("**Network:** 2 → 2 ·")
    assert any("logistic" in c.value for c in at.caption)
    click(at, "Step", times=3)
    assert metric(at, "Epoch") == f"3 / {MAX_EPOCHS}"
    assert url(at)["widths"] == ""


def test_adding_layers_stops_at_the_depth_cap_and_names_it():
    at = open_page()
    for _ in range(MAX_HIDDEN_LAYERS + 2):
        if not button(at, "Add layer").disabled:
            click(at, "Add layer")
    assert button(at, "Add layer").disabled
    assert network_line(at).count("tanh") == MAX_HIDDEN_LAYERS
    assert any(f"at most {MAX_HIDDEN_LAYERS} hidden layers" in c.value for c in at.caption)


def test_a_link_beyond_the_caps_is_cut_to_them_with_the_cap_named():
    at = open_page(widths=",".join(["4"] * (MAX_HIDDEN_LAYERS + 3)))
    assert any(f"the cap on this public instance is {MAX_HIDDEN_LAYERS}" in w.value
               for w in at.warning)
    assert network_line(at).count("→") == MAX_HIDDEN_LAYERS + 1
    too_wide = open_page(widths=f"{MAX_WIDTH + 1},4")
    assert network_line(too_wide).startswith("**Network:** 2 → 8 tanh → 8 tanh")  # the default
    at_cap = open_page(widths=f"{MAX_WIDTH}")
    assert any(f"at most {MAX_WIDTH} neurons" in c.value for c in at_cap.caption)


def test_training_stops_at_the_epoch_cap_and_says_so():
    at = open_page(batch="64")
    at.session_state["nb_run"].advance(MAX_EPOCHS + 1)
    run(at)
    assert metric(at, "Epoch") == f"{MAX_EPOCHS} / {MAX_EPOCHS}"
    assert any(f"cap of {MAX_EPOCHS} epochs" in i.value for i in at.info)
    assert button(at, "Play").disabled and button(at, "Step").disabled


def test_playing_into_the_epoch_cap_stops_and_says_so():
    at = open_page(batch="64")
    at.session_state["nb_run"].advance(MAX_EPOCHS - 1)
    click(at, "Play")
    assert metric(at, "Epoch") == f"{MAX_EPOCHS} / {MAX_EPOCHS}"
    assert any(f"cap of {MAX_EPOCHS} epochs" in i.value for i in at.info)
    assert button(at, "Play").disabled  # paused for good: the timer is off


def test_the_configuration_round_trips_through_the_url():
    query = {"data": "circles", "noise": "0.2", "features": "x1,x2,x1sq,x2sq",
             "widths": "4,6,3", "acts": "relu,sigmoid,tanh", "drops": "0.0,0.5,0.2",
             "opt": "momentum", "lr": "0.1", "batch": "16", "seed": "7"}
    at = open_page(**query)
    assert url(at) == query
    assert network_line(at).startswith(
        "**Network:** 4 → 4 relu → 6 sigmoid (dropout 0.5) → 3 tanh (dropout 0.2) → 2")
    assert at.selectbox(key="opt").value == "momentum"
    assert at.number_input(key="nb_w1").value == 6
    at.selectbox(key="nb_a0").set_value("tanh")
    run(at)
    assert url(at)["acts"] == "tanh,sigmoid,tanh"
    assert url(open_page()) == {}


def test_regression_gets_one_mse_output_and_only_features_of_x1():
    at = open_page(data="regression")
    assert "output: MSE" in network_line(at)
    assert network_line(at).startswith("**Network:** 1 → 8 tanh")
    assert set(at.get("button_group")[0].proto.options[i].content
               for i in range(3)) == {"x₁", "x₁²", "sin x₁"}
    click(at, "Step", times=2)
    assert metric(at, "Epoch") == f"2 / {MAX_EPOCHS}"


def test_the_dropout_switch_shows_different_outputs_in_training_mode_only():
    at = open_page(drops="0.5,0.5")
    bars = [values(t.y) for t in chart(at, "nb_dropout").data]
    assert not np.allclose(bars[0], bars[1])
    at.toggle(key="nb_train_mode").set_value(False)
    run(at)
    bars = [values(t.y) for t in chart(at, "nb_dropout").data]
    np.testing.assert_array_equal(bars[0], bars[1])


def test_the_neuron_diagram_switches_from_weights_to_gradients():
    at = click(open_page(), "Step")
    assert chart(at, "nb_neurons").data[-1].marker.colorbar.title.text == "weight"
    at.toggle(key="nb_show_grads").set_value(True)
    run(at)
    assert chart(at, "nb_neurons").data[-1].marker.colorbar.title.text == "gradient"


def test_the_vanishing_gradient_lesson_compares_deep_sigmoid_and_relu():
    at = click(open_page(), "Run the lesson")
    for activation in ("sigmoid", "relu"):
        per_step = chart(at, f"nb_lesson_{activation}")
        assert len(per_step.data) == 7  # one line per layer: 6 hidden + output
        assert per_step.layout.yaxis.type == "log"
    norms = {t.name: values(t.y) for t in chart(at, "nb_lesson_chart").data}
    assert norms["sigmoid"][0] < 1e-2 * norms["sigmoid"][-1]
    assert norms["relu"][0] > 1e-1 * norms["relu"][-1]
    assert any("smaller" in m.value for m in at.markdown)
    assert network_line(at).startswith("**Network:** 2 → 8 tanh → 8 tanh → 2")  # untouched


def test_the_graph_of_one_step_labels_every_op_with_its_shapes_and_animates():
    at = open_page(drops="0.5,0.0")
    graph = chart(at, "nb_graph")
    texts = {str(x) for trace in graph.data if trace.text is not None
             for x in ([trace.text] if isinstance(trace.text, str) else trace.text)}
    assert {"(32,2) @ (2,8)<br>→ (32,8)", "(32,8) + (8,)<br>→ (32,8)", "tanh (32,8)<br>→ (32,8)",
            "drop (32,8)<br>→ (32,8)", "(32,8) @ (8,2)<br>→ (32,2)",
            "CE (32,2), (32,)<br>→ ()"} <= texts
    assert len(graph.frames) > 10  # the forward and backward passes, played in the browser


def test_a_long_run_draws_at_most_max_line_points_per_gradient_line_up_to_the_last_step():
    at = click(open_page(), "Step")
    steps = len(values(chart(at, "nb_grads").data[0].x))
    assert steps == at.session_state["nb_run"].step  # a short run: every step
    at.session_state["nb_run"].advance(300)
    click(at, "Step")
    run_steps = at.session_state["nb_run"].step
    assert run_steps > 2 * MAX_LINE_POINTS
    for trace in chart(at, "nb_grads").data:
        x = values(trace.x)
        assert len(x) <= MAX_LINE_POINTS + 1
        assert x[0] == 1 and x[-1] == run_steps


def test_a_link_above_the_width_cap_says_which_cap():
    at = open_page(widths=f"{MAX_WIDTH + 72},4", acts="tanh,tanh", drops="0,0")
    notes = " ".join(i.value for i in at.info)
    assert f"widths={MAX_WIDTH + 72},4 (at most {MAX_WIDTH})" in notes
