"""The Network Builder page through streamlit.testing (no browser).

The live player is a browser component; here its requests (the frames it asks for) and its
pauses are written into its session state, as the browser would send them.
"""

import base64
import json

import numpy as np
import plotly.io as pio
from streamlit.testing.v1 import AppTest

from engine.limits import MAX_HIDDEN_LAYERS, MAX_WIDTH
from page_models.live import model_at
from page_models.network_builder import PARAMS, build
from viz.palette import optimizer_style

from .helpers import open_app, player_element, run

PAGE = "pages/2_Network_Builder.py"
DEFAULTS = {name: param.default for name, param in PARAMS.items()}


def open_page(**query) -> AppTest:
    return open_app(PAGE, **query)


def player(at: AppTest) -> tuple[str, dict]:
    """The live player's key and the data this run sent it."""
    element = player_element(at, "live_player")
    data = json.loads(element.proto.json)
    data["frames"] = [json.loads(frame) for frame in data["frames"]]  # each sent as JSON text
    return element.proto.id.rsplit("-", 1)[-1], data


def browser_says(at: AppTest, **values) -> dict:
    """The player reports (need={"from", "to"} or paused_at=N); the page reruns."""
    key, _ = player(at)
    at.session_state[key] = values
    run(at)
    return player(at)[1]


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def network_line(at: AppTest) -> str:
    return next(e.label for e in at.expander if e.label.startswith("**Network:**"))


def url(at: AppTest) -> dict[str, str]:
    return {k: v if isinstance(v, str) else v[-1] for k, v in at.query_params.items()}


def chart(at: AppTest, key_part: str):
    for element in at.get("plotly_chart"):
        if key_part in element.proto.id:
            return pio.from_json(element.proto.spec)
    raise AssertionError(f"no chart with {key_part!r} in its id")


def values(array) -> np.ndarray:
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    return np.asarray(array)


def test_the_page_builds_the_default_network_and_an_idle_player():
    at = open_page()
    assert [t.value for t in at.title] == ["Network Builder"]
    assert network_line(at).startswith("**Network:** 2 → 8 tanh → 8 tanh → 2")
    _, data = player(at)
    assert data["start"] == 0 and data["frames"] == [] and data["end"] is None
    assert data["setup"]["columns"] == [2, 8, 8, 2]
    assert len(at.get("plotly_chart")) == 2  # neurons, dropout bars (the graph: a graph player)


def test_the_player_gets_the_frames_it_asks_for():
    at = open_page()
    data = browser_says(at, need={"from": 0, "to": 6})
    assert [f["epoch"] for f in data["frames"]] == list(range(7))
    losses = [f["loss"][0] for f in data["frames"][1:]]
    assert losses[-1] < 0.8 * losses[0]
    again = browser_says(at, need={"from": 3, "to": 4})  # a repeated request: the same frames
    assert again["frames"] == data["frames"][3:5]
    assert browser_says(at, need={"from": 9, "to": 2})["frames"] == []  # nonsense: nothing


def test_the_point_picker_draws_the_points_graph_and_the_player_feeds_it():
    at = open_page()
    assert graph_data_or_none(at, "nb_point_graph") is None  # off until asked for
    at.toggle(key="point_graph").set_value(True)
    run(at)
    at.number_input(key="point").set_value(12)
    run(at)
    assert url(at) == {"point_graph": "1", "point": "12"}
    graph = graph_data(at, "nb_point_graph")
    assert graph["live_key"] == "nb_point_graph" and graph["frame"] == len(graph["frames"]) - 1
    assert {"x", "y", "W1", "CE"} <= {node["label"] for node in graph["nodes"]}
    _, data = player(at)
    assert data["graph"]["key"] == "nb_point_graph" and data["graph"]["point"].endswith("-12")
    data = browser_says(at, need={"from": 0, "to": 4, "pointFrom": 2})
    points = [json.loads(text) for text in data["points"]]
    assert [p["epoch"] for p in points] == [2, 3, 4] and len(data["frames"]) == 5
    assert points[0]["values"] != points[-1]["values"]
    data = browser_says(at, need={"from": 5, "to": 4, "pointFrom": 0})  # the frames it has
    assert data["frames"] == [] and len(data["points"]) == 5
    assert points[0]["values"] == json.loads(data["points"][2])["values"]
    assert graph["frames"][-1]["values"] == json.loads(data["points"][0])["values"]  # epoch 0


def test_junk_point_numbers_fall_back_or_say_which_points_there_are():
    for junk in ("abc", "-4", "1e9", "99999"):
        at = open_page(point_graph="1", point=junk)
        assert at.number_input(key="point").value == 0
        assert graph_data(at, "nb_point_graph")["live_key"] == "nb_point_graph"
    at = open_page(point_graph="1", point="500")  # allowed in a URL (own data may hold it)
    assert any("There is no point 500: the data has 200 points" in e.value for e in at.error)
    assert graph_data_or_none(at, "nb_point_graph") is None and player(at)[1]["graph"] is None
    at.number_input(key="point").set_value(199)
    run(at)
    assert not at.error and graph_data(at, "nb_point_graph")


def test_a_pause_puts_the_epoch_in_the_url_and_the_tabs_follow_it():
    at = open_page()
    browser_says(at, need={"from": 0, "to": 8})
    browser_says(at, paused_at=8)
    assert url(at) == {"epoch": "8"}
    assert any(c.value.startswith("Epoch 8:") for c in at.caption)
    weight = model_at(build(DEFAULTS), 8).layers[0].weight.data[0, 0]
    hover = chart(at, "nb_neurons").data[-3].text  # edges, their hover labels, nodes, colour bar
    assert f"layer 1, 1 → 1<br>weight = {weight:.4g}" in hover  # epoch 8's weights
    assert any("at epoch 8" in c.value for c in at.caption)


def test_a_link_with_an_epoch_opens_the_player_paused_there():
    at = open_page(epoch="12", seed="3")
    _, data = player(at)
    assert data["start"] == 12 and data["frames"] == []  # the player asks for 0..12 itself
    data = browser_says(at, need={"from": 0, "to": 12})
    assert data["frames"][-1]["epoch"] == 12
    assert url(at) == {"epoch": "12", "seed": "3"}


def test_a_new_setting_starts_a_new_run_from_epoch_zero():
    at = open_page(epoch="5")
    key, first = player(at)
    at.number_input(key="seed").set_value(4)
    run(at)
    new_key, data = player(at)
    assert new_key != key and data["run"] != first["run"] and data["start"] == 0
    assert url(at) == {"seed": "4"}


def test_removing_every_hidden_layer_leaves_logistic_regression():
    at = open_page()
    for _ in range(2):
        next(b for b in at.button if b.key and b.key.startswith("nb_remove")).click()
        run(at)
    assert network_line(at).startswith("**Network:** 2 → 2 ·")
    assert any("logistic" in c.value for c in at.caption)
    assert url(at)["net"] == "2-2"
    assert browser_says(at, need={"from": 0, "to": 3})["frames"][-1]["epoch"] == 3


def test_adding_layers_stops_at_the_depth_cap_and_names_it():
    at = open_page()
    for _ in range(MAX_HIDDEN_LAYERS + 2):
        if not button(at, "Add layer").disabled:
            button(at, "Add layer").click()
            run(at)
    assert button(at, "Add layer").disabled
    assert network_line(at).count("tanh") == MAX_HIDDEN_LAYERS
    assert any(f"at most {MAX_HIDDEN_LAYERS} hidden layers" in c.value for c in at.caption)


def test_a_layer_widget_edits_the_network_in_the_url():
    at = open_page(net="2-4-6-3-2:relu,sigmoid,tanh:0,0.5,0.2")
    assert network_line(at).startswith(
        "**Network:** 2 → 4 relu → 6 sigmoid (dropout 0.5) → 3 tanh (dropout 0.2) → 2")
    assert at.number_input(key="nb_w1").value == 6
    at.selectbox(key="nb_a0").set_value("tanh")
    run(at)
    assert url(at)["net"] == "2-4-6-3-2:tanh,sigmoid,tanh:0,0.5,0.2"


def test_the_configuration_round_trips_through_the_url():
    query = {"data": "circles", "noise": "0.2", "features": "x1,x2,x1sq,x2sq",
             "net": "4-4-6-2:relu,sigmoid:0,0.5", "opt": "momentum:lr=0.1~cosine:T_max=300",
             "batch": "16", "seed": "7"}
    at = open_page(**query)
    assert url(at) == query
    assert at.selectbox(key="opt0_key").value == "momentum"
    assert at.selectbox(key="opt0_schedule").value == "cosine"
    assert url(open_page()) == {}


def test_a_bad_network_in_a_link_is_named_and_the_default_is_used():
    at = open_page(net="2-banana-2")
    assert any("link's net: Cannot read the network" in w.value for w in at.warning)
    assert network_line(at).startswith("**Network:** 2 → 8 tanh → 8 tanh → 2")
    assert "net" not in at.query_params  # the default, left out of the address
    wide = open_page(net=f"2-{MAX_WIDTH + 72}-2")
    assert any(f"{MAX_WIDTH}" in w.value for w in wide.warning)
    assert not wide.exception and not wide.error


def test_regression_gets_one_mse_output_and_only_features_of_x1():
    at = open_page(data="regression")
    assert "output: MSE" in network_line(at)
    assert network_line(at).startswith("**Network:** 1 → 8 tanh")
    pills = next(g for g in at.get("button_group") if g.proto.label == "Input features")
    assert {option.content for option in pills.proto.options} == {"x₁", "x₁²", "sin x₁"}
    assert browser_says(at, need={"from": 0, "to": 2})["frames"][-1]["acc"] is None


def test_a_diverging_run_ends_with_one_message_and_its_last_epoch():
    at = open_page(data="regression", opt="sgd:lr=1", net="1-8-1")
    data = browser_says(at, need={"from": 0, "to": 60})
    assert data["end"]["epoch"] == data["frames"][-1]["epoch"] < 60
    assert data["end"]["reason"].startswith("Training diverged at step")


def test_the_dropout_switch_shows_different_outputs_in_training_mode_only():
    at = open_page(net="2-8-8-2:tanh:0.5")
    bars = [values(t.y) for t in chart(at, "nb_dropout").data]
    assert not np.allclose(bars[0], bars[1])
    at.toggle(key="nb_train_mode").set_value(False)
    run(at)
    bars = [values(t.y) for t in chart(at, "nb_dropout").data]
    np.testing.assert_array_equal(bars[0], bars[1])


def test_the_neuron_diagram_switches_from_weights_to_gradients():
    at = open_page()
    assert chart(at, "nb_neurons").data[-1].marker.colorbar.title.text == "weight"
    at.toggle(key="nb_show_grads").set_value(True)
    run(at)
    assert chart(at, "nb_neurons").data[-1].marker.colorbar.title.text == "gradient"


def test_the_vanishing_gradient_lesson_compares_deep_sigmoid_and_relu():
    at = open_page()
    button(at, "Run the lesson").click()
    run(at)
    for activation in ("sigmoid", "relu"):
        per_step = chart(at, f"nb_lesson_{activation}")
        assert len(per_step.data) == 7  # one line per layer: 6 hidden + output
        assert per_step.layout.yaxis.type == "log"
    norms = {t.name: values(t.y) for t in chart(at, "nb_lesson_chart").data}
    assert norms["sigmoid"][0] < 1e-2 * norms["sigmoid"][-1]
    assert any("smaller" in m.value for m in at.markdown)


def graph_data_or_none(at: AppTest, key: str) -> dict | None:
    """The data a graph player of the page (by its key) got in this run, if it was drawn."""
    found = [e for e in at.get("bidi_component")
             if e.proto.component_name.endswith("graph_player") and key in e.proto.id]
    assert len(found) <= 1
    return json.loads(found[0].proto.json) if found else None


def graph_data(at: AppTest, key: str) -> dict:
    data = graph_data_or_none(at, key)
    assert data is not None, f"no graph player {key!r}"
    return data


def test_the_graph_of_one_step_is_a_graph_player_with_shapes_and_a_legend():
    at = open_page(net="2-8-8-2:tanh:0.5,0")
    data = graph_data(at, "nb_graph")
    shapes = {node["top"].split()[-1] for node in data["nodes"]}  # after a name (t1 …), if any
    labels = [node["label"] for node in data["nodes"]]
    assert {"(32,2)", "(32,8)", "(8,2)", "scalar"} <= shapes
    assert {"linear", "tanh", "drop", "CE"} <= set(labels)
    assert len(data["frames"]) > 10 and data["frame"] == 0  # opens on the bare graph
    legend = next(c.value for c in at.caption if "Above a node: its shape" in c.value)
    assert "“(32,8) ±" in legend and "is a 32 × 8 array whose entries all lie between" in legend


def test_every_registry_optimizer_and_schedule_can_be_chosen_for_the_one_run():
    at = open_page()
    assert not any(b.label in ("Add", "✕") for b in at.button)  # one optimizer, always
    at.selectbox(key="opt0_key").set_value("rmsprop")
    run(at)
    at.selectbox(key="opt0_schedule").set_value("cosine")
    run(at)
    assert url(at)["opt"].startswith("rmsprop:lr=0.03~cosine")
    _, data = player(at)
    assert data["setup"]["lossColor"] == optimizer_style("rmsprop").colour


# ---- your own data and the exports ---------------------------------------------------------
THREE_CLASSES = "x1,x2,label\n" + "\n".join(
    f"{np.cos(t):.3f},{np.sin(t):.3f},{'abc'[i % 3]}"
    for i, t in enumerate(np.linspace(0, 6, 45)))


def test_a_csv_link_trains_on_that_data_with_one_output_per_class():
    from engine.train import train
    from page_models.own_data import from_csv, from_link, to_link

    link = to_link(from_csv(THREE_CLASSES)[0])
    at = open_page(my_data="csv", my_points=link)
    assert network_line(at).startswith("**Network:** 2 → 8 tanh → 8 tanh → 3")
    raw, shared = from_link(link, "csv"), from_link(url(at)["my_points"], "csv")
    assert url(at)["my_data"] == "csv"  # the share link carries the same points
    np.testing.assert_array_equal(shared.X, raw.X)
    np.testing.assert_array_equal(shared.y, raw.y)
    frames = browser_says(at, need={"from": 0, "to": 3})["frames"]
    setup = build(DEFAULTS, raw)
    assert len(setup.train_data) + len(setup.val_data) == 45
    history = train(setup.spec, setup.optimizer, setup.train_data, setup.val_data, 3,
                    setup.batch_size, setup.seed)
    assert [f["epoch"] for f in frames] == [0, 1, 2, 3]
    np.testing.assert_allclose([f["loss"][0] for f in frames[1:]], history.epoch_train_loss,
                               rtol=1e-3)  # the player's numbers have 4 significant digits


def downloads(monkeypatch) -> dict:
    """file name -> the function a download button would call (recorded as the page runs)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    made, original = {}, MediaFileManager.add_deferred

    def record(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        made[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return made


def test_the_numpy_script_prints_the_pages_losses_and_the_json_loads_back(monkeypatch, tmp_path):
    import subprocess
    import sys

    from engine.train import predict, train
    from page_models.export import network_from_json

    made = downloads(monkeypatch)
    at = open_page(data="circles", opt="momentum:lr=0.1", net="2-6-2:tanh:0.2", epoch=3,
                   batch=16)
    labels = [b.label for b in at.get("download_button")]
    assert {"Download PyTorch script", "Download NumPy script",
            "Download network JSON"} <= set(labels)
    script = tmp_path / "train.py"
    script.write_text(made["backprop_playground_numpy.py"]())
    printed = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                             check=True, timeout=120).stdout.split("\n")
    losses = [float(line.split()[-1]) for line in printed if line.startswith("epoch ")]
    values = {**DEFAULTS, "data": "circles", "opt": "momentum:lr=0.1",
              "net": "2-6-2:tanh:0.2", "batch": 16, "epoch": 3}
    setup = build(values)
    page = train(setup.spec, setup.optimizer, setup.train_data, setup.val_data, 3,
                 setup.batch_size, setup.seed).epoch_train_loss
    assert len(losses) == 3
    np.testing.assert_allclose(losses, page, rtol=1e-9)

    network, info = network_from_json(made["backprop_playground_network.json"]())
    assert info["training"]["epochs"] == 3
    X = setup.train_data.X
    np.testing.assert_array_equal(predict(network, X), predict(model_at(setup, 3), X))
    uploader = next(u for u in at.file_uploader if u.proto.label == "Load a network (JSON)")
    uploader.set_value(("network.json", made["backprop_playground_network.json"]().encode(),
                        "application/json"))
    run(at)
    assert not at.error
    assert chart(at, "nb_loaded") is not None
    assert any("The loaded network 2 → 6 tanh" in c.value and "trained 3 epochs" in c.value
               for c in at.caption)
