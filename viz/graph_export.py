"""The graph player's drawing as files: a standalone HTML page that plays offline (slides) and
an SVG of one step. Both read the player's JSON (viz.graph_player.player_data).

    html = standalone_html(data)        # the player's JS and CSS inlined, the data embedded
    svg = graph_svg(data)                # the last step: every value and gradient

The player's JS and CSS live in viz/assets/ (PLAYER_JS, PLAYER_CSS) and reach the browser with
the player core before them (viz.player_core.player_code), here and in the Streamlit component
(ui.graph_player) alike.
"""

from __future__ import annotations

import html
import json
import math
import xml.etree.ElementTree as ET

from viz.player_core import ASSETS, player_code

PLAYER_JS = ASSETS / "graph_player.js"
PLAYER_CSS = ASSETS / "graph_player.css"
MOUNT = "mountPlayer"  # the name of the player's default export (graph_player.js)
STANDALONE_MAX_HEIGHT_PX = 520  # the drawing's height in a browser window of 1280 × 720
STANDALONE_MAX_SCALE = 2.0  # how far a small graph is enlarged to fill that height
SVG_NS = "http://www.w3.org/2000/svg"

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ margin: 16px 24px; background: white; }}
{css}
</style>
</head>
<body>
<div id="player"></div>
<script type="application/json" id="player-data">{data}</script>
<script type="module">
{js}
{mount}({{ data: JSON.parse(document.getElementById("player-data").textContent),
  parentElement: document.getElementById("player"), key: "standalone",
  setTriggerValue: () => {{}} }});
</script>
</body>
</html>
"""


def standalone_html(data: dict, title: str = "Backprop Playground: computation graph") -> str:
    """One self-contained page that plays the graph as the app does (buttons, scrub bar, Space,
    ← →, Home/End), opening at the bare graph, drawn as large as a 1280 × 720 window allows; no
    network, no Streamlit."""
    js, css = player_code(PLAYER_JS, PLAYER_CSS)
    if f"export default function {MOUNT}(" not in js or "</script" in js:
        raise ValueError(f"{PLAYER_JS.name} must export default function {MOUNT}")
    fill = min(STANDALONE_MAX_HEIGHT_PX / data["height"], STANDALONE_MAX_SCALE)
    opening = {**data, "frame": 0, "selected": -1, "graph_id": "standalone",
               "scale": max(data["scale"], fill), "max_height": STANDALONE_MAX_HEIGHT_PX}
    embedded = json.dumps(opening, ensure_ascii=False).replace("<", "\\u003c")  # no </script>
    return _PAGE.format(title=html.escape(title), css=css,
                        data=embedded, js=js, mount=MOUNT)


def graph_svg(data: dict, frame: int = -1) -> str:
    """The drawing at step `frame` (default: the last, every value and gradient) as an SVG file
    styled by the player's CSS: one <g class="gp-node"> per node, an arrow per edge."""
    step = data["frames"][frame]
    r = data["node_r"]
    svg = _el(None, "svg", {"xmlns": SVG_NS, "viewBox": f"0 0 {data['width']} {data['height']}",
                            "width": data["width"], "height": data["height"],
                            "class": "bp gp-root gp-svg", "role": "img",
                            "aria-label": "computation graph"})
    _el(svg, "style").text = player_code(PLAYER_JS, PLAYER_CSS)[1]
    _el(svg, "rect", {"width": "100%", "height": "100%", "fill": "white"})
    marker = _el(_el(svg, "defs"), "marker", {
        "id": "gp-arrow", "viewBox": "0 0 10 10", "refX": 10, "refY": 5, "markerWidth": 7,
        "markerHeight": 7, "orient": "auto-start-reverse"})
    _el(marker, "path", {"d": "M0,0 L10,5 L0,10 z", "fill": data["colours"]["edge"]})
    edges, lit, nodes, labels = (_el(svg, "g") for _ in range(4))
    for i, edge in enumerate(data["edges"]):
        d = _path(_trim(edge["points"], r))
        _el(edges, "path", {"d": d, "class": "gp-edge", "stroke": data["colours"]["edge"],
                            "marker-end": "url(#gp-arrow)"})
        if i in step["lit"]:
            _el(lit, "path", {"d": d, "class": "gp-lit", "stroke": step["lit_colour"]})
        if text := step["edge_texts"].get(str(i)):
            x, y = edge["label"]
            _el(labels, "text", {"x": x, "y": y, "class": "gp-edge-text"}).text = text
    for i, node in enumerate(data["nodes"]):
        g = _el(nodes, "g", {"class": "gp-node", "data-node": i})
        _el(g, "title").text = node["hover"]
        x, y = node["x"], node["y"]
        colours = {"fill": step["fills"][i], "stroke": step["rings"][i]}
        if node["square"]:
            _el(g, "rect", {"x": x - r, "y": y - r, "width": 2 * r, "height": 2 * r, "rx": 4,
                            **colours})
        else:
            _el(g, "circle", {"cx": x, "cy": y, "r": r, **colours})
        dys = data["text_dy"]
        for dy, kind, text in ((0, "gp-inner", node["label"]), (dys["top"], "gp-top", node["top"]),
                               (dys["value"], "gp-value", step["values"][i]),
                               (dys["grad"], "gp-grad", step["grads"][i])):
            if text:
                _el(g, "text", {"x": x, "y": y + dy, "class": kind}).text = text
    return ET.tostring(svg, encoding="unicode", xml_declaration=True) + "\n"


def _el(parent, tag: str, attrs: dict | None = None) -> ET.Element:
    attrs = {k: str(v) for k, v in (attrs or {}).items()}
    return ET.Element(tag, attrs) if parent is None else ET.SubElement(parent, tag, attrs)


# The edge geometry of the player (graph_player.js: pathOf, trim, middle), for the SVG file.
def _path(points) -> str:
    return " ".join(f"{'L' if i else 'M'}{x:g},{y:g}" for i, (x, y) in enumerate(points))


def _trim(points, r: float) -> list:
    """Stop the line at the child's rim, so the arrow shows."""
    (ax, ay), (bx, by) = points[-2], points[-1]
    cut = (r + 3) / (math.hypot(bx - ax, by - ay) or 1)
    return [*points[:-1], (bx - (bx - ax) * cut, by - (by - ay) * cut)]
