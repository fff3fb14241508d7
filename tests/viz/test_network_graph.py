"""The Network Builder's graphs in the graph player: shapes on the nodes, the legend of a
tensor's text, and live frames that are the graph player's own last step."""

import numpy as np

from engine import Tensor
from page_models.graph_record import record_backward
from page_models.live import model_at
from page_models.network_builder import PARAMS, build
from page_models.point_graph import PointFrame, point_record
from viz.graph import tensor_graph
from viz.graph_player import player_data
from viz.network_graph import live_frames, shape_legend, with_shapes

DEFAULTS = {name: param.default for name, param in PARAMS.items()}


def test_a_live_frame_is_the_players_last_step_of_that_pass():
    setup = build(DEFAULTS)
    for epoch in (0, 3):
        record = point_record(model_at(setup, epoch), setup, 11)
        last = player_data(tensor_graph(record), "g")["frames"][-1]
        (live,) = live_frames([PointFrame.of(epoch, record)])
        for field in ("values", "grads", "fills", "rings"):
            assert live[field] == last[field], field
        assert live["label"].startswith(f"epoch {epoch}: ")


def test_every_node_shows_its_shape_above_it_and_the_legend_reads_the_largest_tensor():
    W = Tensor(np.linspace(-5.3, 2, 32 * 8).reshape(32, 8), requires_grad=True, name="W")
    v = Tensor(np.ones(8), name="v")
    graph = tensor_graph(record_backward((W @ v).sum()))
    data = with_shapes(player_data(graph, "g"), graph)
    tops = {node["label"]: node["top"] for node in data["nodes"]}
    assert (tops["W"], tops["v"], tops["@"], tops["Σ"]) == ("(32,8)", "(8,)", "t1 (32,)",
                                                           "t2 scalar")  # after its short name
    legend = shape_legend(data)
    assert "“(32,8) ±5.3” is a 32 × 8 array whose entries all lie between −5.3 and 5.3" in legend
    v8 = Tensor(np.full((8, 8), -0.5), requires_grad=True, name="v8")
    assert "“(8,8) ±0.5” is an 8 × 8 array" in shape_legend(
        player_data(tensor_graph(record_backward(v8.sum())), "8"))
    assert shape_legend(player_data(tensor_graph(record_backward(v.sum())), "s")).startswith(
        "Above a node: its shape")
