"""The graph as files: the standalone HTML player (offline, data embedded) and the SVG."""

import json
import re
import xml.etree.ElementTree as ET

import pytest

from engine.expr import build
from page_models.examples import EXAMPLES_BY_KEY
from page_models.graph_record import record_backward
from viz.graph import tensor_graph
from viz.graph_export import PLAYER_CSS, PLAYER_JS, graph_svg, standalone_html
from viz.graph_player import at_step, player_data
from viz.player_core import player_code

SVG = "{http://www.w3.org/2000/svg}"
EMBEDDED = re.compile(r'<script type="application/json" id="player-data">(.*?)</script>', re.S)


def data_of(key: str) -> dict:
    example = EXAMPLES_BY_KEY[key]
    built = build(example.source, example.values)
    graph = tensor_graph(record_backward(built.output), {**built.inputs, **built.nodes})
    return player_data(graph, graph_id=key)


def embedded(html: str) -> dict:
    (text,) = EMBEDDED.findall(html)
    return json.loads(text)


@pytest.mark.parametrize("key", ["neuron", "softmax_ce"])
def test_the_page_embeds_the_data_and_inlines_the_player(key):
    data = data_of(key)
    html = standalone_html(at_step(data, frame=5, selected=2))
    shown = embedded(html)
    assert shown["nodes"] == data["nodes"] and shown["edges"] == data["edges"]
    assert shown["frames"] == data["frames"]  # every step's text, arithmetic and colours
    assert (shown["frame"], shown["selected"]) == (0, -1)  # opens at the bare graph
    js, css = player_code(PLAYER_JS, PLAYER_CSS)  # the player core before the player's own
    assert js in html and css in html
    assert "mountPlayer({ data: JSON.parse(" in html  # the shim starts the player


def test_the_page_loads_nothing_from_the_network():
    html = standalone_html(data_of("mlp"))
    loads = r"<(link|img|iframe)\b|<script[^>]*\bsrc=|\bimport\b|fetch\(|url\((?!#)"
    assert not re.search(loads, html)
    urls = set(re.findall(r"https?://[^\s\"'`)]+", html))
    assert urls == {"http://www.w3.org/2000/svg"}  # a namespace name, never fetched


def test_text_in_the_data_cannot_close_the_script():
    data = data_of("fanout")
    data["frames"][0]["label"] = "</script><script>alert(1)</script>"
    html = standalone_html(data)
    assert html.count("</script>") == 2  # the data's and the player's own
    assert embedded(html)["frames"][0]["label"] == data["frames"][0]["label"]


@pytest.mark.parametrize("key", ["neuron", "fanout", "mlp"])
def test_the_svg_has_a_group_and_shape_per_node_with_the_last_steps_texts(key):
    data = data_of(key)
    root = ET.fromstring(graph_svg(data))
    assert root.tag == f"{SVG}svg"
    nodes = root.findall(f".//{SVG}g[@class='gp-node']")
    assert len(nodes) == len(data["nodes"])
    last = data["frames"][-1]
    for i, (group, node) in enumerate(zip(nodes, data["nodes"])):
        shapes = group.findall(f"{SVG}rect") + group.findall(f"{SVG}circle")
        shape = "rect" if node["square"] else "circle"
        assert len(shapes) == 1 and shapes[0].tag == f"{SVG}{shape}"
        assert shapes[0].get("fill") == last["fills"][i]
        texts = [t.text for t in group.findall(f"{SVG}text")]
        wanted = [node["label"], node["top"], last["values"][i], last["grads"][i]]
        assert texts == [t for t in wanted if t]
    edges = root.findall(f".//{SVG}path[@class='gp-edge']")
    assert len(edges) == len(data["edges"])


def test_the_svg_of_a_backward_step_lights_its_edge_and_writes_its_gradient():
    data = data_of("neuron")
    k = next(i for i, f in enumerate(data["frames"]) if f["edge_texts"])
    root = ET.fromstring(graph_svg(data, frame=k))
    lit = root.findall(f".//{SVG}path[@class='gp-lit']")
    assert len(lit) == len(data["frames"][k]["lit"]) >= 1
    texts = [t.text for t in root.findall(f".//{SVG}text[@class='gp-edge-text']")]
    assert texts == list(data["frames"][k]["edge_texts"].values())
