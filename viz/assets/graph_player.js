// The graph player: draws a computation graph as SVG and plays its steps in the browser, on the
// player core (Transport, ownKeys, keyList). The server sends data (viz/graph_player.py) and hears
// back only a node click, as the trigger "clicked" = {node, frame}. Stepping, playing and pausing
// never rerun the script. The step is kept across reruns until data.graph_id changes, and written
// to the address bar as data.url_param (if any).
const graphPlayers = new Map(); // component key -> {root, transport, view, graphId, frames}
const SVG = "http://www.w3.org/2000/svg";
const GRAPH_SPEEDS = [["slow", 0.625], ["normal", 1.25], ["fast", 3.3]]; // steps a second
const GRAPH_MAX_ZOOM = 1.4; // pixels a unit a small graph grows to (times data.scale)
const GRAPH_MIN_HEIGHT = 240; // px, however little of the first screen is left
const GRAPH_SMALLEST_FONT = 14; // units, if the CSS cannot be read yet

// Live values (the Network Builder's live player, ui/static/live_player.js): the window event
// "bp-graph-live" with detail {key, frame} writes `frame` (the fields of a step: label, values,
// grads, fills, rings) over the last step of each player whose data.live_key is that key, and
// shows it if that step is on screen. A rerun draws the data the server sent again.
window.addEventListener("bp-graph-live", (event) => {
  for (const player of graphPlayers.values()) {
    if (!player.data || player.data.live_key !== event.detail.key) continue;
    const last = player.frames - 1;
    Object.assign(player.data.frames[last], event.detail.frame);
    if (player.transport.position === last) player.view.show(last);
  }
});

function el(name, attrs, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (parent) parent.appendChild(node);
  return node;
}

function pathOf(points) {
  return points.map((p, i) => `${i ? "L" : "M"}${p[0]},${p[1]}`).join(" ");
}

// How tall the graph may be: down to the first screen's bottom (from where the box starts on
// the page), at least GRAPH_MIN_HEIGHT, at most data.max_height.
function roomBelow(box, data) {
  const top = box.getBoundingClientRect().top + window.scrollY;
  return Math.min(data.max_height, Math.max(GRAPH_MIN_HEIGHT, window.innerHeight - top - 16));
}

// The box (in drawing units) around the ends of the step's lit edges, with their texts.
function litBox(data, lit) {
  const ends = lit.flatMap((i) => [data.edges[i].from, data.edges[i].to]).map((n) => data.nodes[n]);
  const xs = ends.map((n) => n.x), ys = ends.map((n) => n.y);
  const r = data.node_r;
  return [Math.min(...xs) - r, Math.min(...ys) - r - 20, Math.max(...xs) + r,
          Math.max(...ys) + r + 40];
}

// A line of arithmetic as text and spans: each number in `exact` (3 significant digits -> in
// full) a span whose hover gives it in full; a shape, (2,3), stays text.
function exactOnHover(line, exact) {
  const numbers = Object.keys(exact).sort((a, b) => b.length - a.length)
    .map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  if (!numbers.length) return [line];
  const shape = "\\(\\d+(?:,\\d+)*,?\\)";
  const pattern = new RegExp(`${shape}|(?<![\\w.])(?:${numbers.join("|")})(?![\\w.])`, "g");
  const parts = [];
  let at = 0;
  for (const match of line.matchAll(pattern)) {
    if (!(match[0] in exact)) continue; // a shape
    parts.push(line.slice(at, match.index));
    const span = document.createElement("span");
    span.className = "gp-number";
    span.textContent = match[0];
    span.title = `exactly ${exact[match[0]]}`;
    parts.push(span);
    at = match.index + match[0].length;
  }
  parts.push(line.slice(at));
  return parts;
}

// Draw the graph of `data` into the player's pan/zoom box, state.zoom (the step's texts go to
// `text`); returns show(k) and reserveText().
function drawGraph(text, data, state, setTriggerValue) {
  const svg = el("svg", { viewBox: `0 0 ${data.width} ${data.height}`, class: "gp-svg",
                          "data-direction": data.direction,
                          role: "group", "aria-label": "computation graph" });
  const defs = el("defs", {}, svg);
  const marker = el("marker", { id: "gp-arrow", viewBox: "0 0 10 10", refX: "10", refY: "5",
    markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" }, defs);
  el("path", { d: "M0,0 L10,5 L0,10 z", fill: data.colours.edge }, marker);
  const r = data.node_r;
  const trim = (points) => { // stop the line at the child's rim, so the arrow is visible
    const p = points.map((q) => q.slice());
    const [a, b] = [p[p.length - 2], p[p.length - 1]];
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]) || 1;
    b[0] -= (b[0] - a[0]) * (r + 3) / len; b[1] -= (b[1] - a[1]) * (r + 3) / len;
    return p;
  };
  const edgeLayer = el("g", {}, svg);
  const litLayer = el("g", {}, svg);
  const nodeLayer = el("g", {}, svg);
  const labelLayer = el("g", {}, svg);
  data.edges.forEach((e) => el("path", { d: pathOf(trim(e.points)), class: "gp-edge",
    stroke: data.colours.edge, "marker-end": "url(#gp-arrow)" }, edgeLayer));
  const lit = data.edges.map((e) => el("path", { d: pathOf(trim(e.points)), class: "gp-lit" },
                                        litLayer));
  const edgeTexts = data.edges.map((e) => // beside its line, clear of it (viz.graph_player)
    el("text", { x: e.label[0], y: e.label[1], class: "gp-edge-text" }, labelLayer));
  const shapes = [], values = [], grads = [], rings = [];
  data.nodes.forEach((node, i) => {
    const g = el("g", { class: "gp-node", "data-node": String(i), tabindex: "-1" }, nodeLayer);
    el("title", {}, g).textContent = node.hover;
    el("circle", { cx: node.x, cy: node.y, r: r + 8, fill: "transparent", class: "gp-hit" }, g);
    rings.push(el("circle", { cx: node.x, cy: node.y, r: r + 8, class: "gp-selected" }, g));
    shapes.push(node.square
      ? el("rect", { x: node.x - r, y: node.y - r, width: 2 * r, height: 2 * r, rx: 4 }, g)
      : el("circle", { cx: node.x, cy: node.y, r }, g));
    el("text", { x: node.x, y: node.y, class: "gp-inner", "dominant-baseline": "central" }, g)
      .textContent = node.label;
    const text = (kind) => { // where data.text_at puts it: above/under, or left/right of the node
      const [dx, dy, anchor] = data.text_at[kind];
      const t = el("text", { x: node.x + dx, y: node.y + dy, class: `gp-${kind}` }, g);
      t.style.textAnchor = anchor;
      return t;
    };
    if (node.top) text("top").textContent = node.top;
    values.push(text("value"));
    grads.push(text("grad"));
    g.addEventListener("click", () => {
      setTriggerValue("clicked", { node: i, frame: state.transport.position });
    });
  });
  state.zoom.draw(svg, () => ({ // the smallest text decides how small the drawing may get
    width: data.width, height: data.height, maxHeight: () => roomBelow(state.zoom.box, data),
    maxZoom: GRAPH_MAX_ZOOM * data.scale,
    minZoom: data.text_floor / Math.min(...[...svg.querySelectorAll("text")].map(
      (t) => parseFloat(getComputedStyle(t).fontSize) || GRAPH_SMALLEST_FONT)),
  }));
  const writeText = (f) => {
    text.querySelector(".gp-step").textContent = f.label;
    text.querySelector(".gp-lines").replaceChildren(...f.lines.map((line) => {
      const div = document.createElement("div"); div.append(...exactOnHover(line, f.exact || {}));
      return div; }));
  };
  return {
    show(k) {
      const f = data.frames[k];
      shapes.forEach((s, i) => { s.setAttribute("fill", f.fills[i]);
                                 s.setAttribute("stroke", f.rings[i]); });
      values.forEach((t, i) => { t.textContent = f.values[i]; });
      grads.forEach((t, i) => { t.textContent = f.grads[i]; });
      rings.forEach((c, i) => { c.style.display = i === state.selected ? "" : "none"; });
      const on = new Set(f.lit);
      lit.forEach((p, i) => { p.style.display = on.has(i) ? "" : "none";
                              p.setAttribute("stroke", f.lit_colour); });
      edgeTexts.forEach((t, i) => { // the exact contribution on hover
        t.textContent = f.edge_texts[String(i)] || "";
        if (t.textContent && data.edges[i].exact) el("title", {}, t).textContent = data.edges[i].exact;
      });
      writeText(f);
      this.reveal(k);
    },
    reveal(k) { // the step's lit edges into view (again after the box was sized: it fits anew)
      const f = data.frames[k];
      if (f.lit.length) state.zoom.reveal(litBox(data, f.lit));
    },
    // The step's text keeps the height of its tallest step (up to its CSS cap), so stepping
    // never moves the graph under it; then it shows the current step's again.
    reserveText() {
      text.style.height = "auto";
      let tallest = 0;
      for (const f of data.frames) { writeText(f); tallest = Math.max(tallest, text.scrollHeight); }
      text.style.height = `${tallest}px`;
      writeText(data.frames[state.transport.position]);
    },
  };
}

// Each step's arithmetic and result (its lines; its name if it has none), said once by the
// player's live region.
function speakStep(player) {
  const k = player.transport.position;
  if (k === player.spoken) return;
  player.spoken = k;
  const f = player.data.frames[k];
  player.say(f.lines.length ? f.lines.join(" ") : f.label);
}

// The graph for a keyboard and a screen reader: each node a button named by what it holds at
// the shown step ("w1 = 0.5, gradient 0.492"); Tab reaches the graph (one stop), the arrows,
// Home and End move between its nodes, Enter or Space selects one as a click does, and the
// focus comes back to that node after the rerun redraws the graph.
function nodeAccess(player) {
  const nodes = [...player.root.querySelectorAll(".gp-node")];
  const f = player.data.frames[player.transport.position];
  if (player.entered && !player.entered.isConnected) { // the click's rerun drew the graph anew
    nodes[player.focusNode]?.focus();
    player.entered = null;
  }
  const current = player.root.getRootNode().activeElement;
  const stop = nodes.includes(current) ? nodes.indexOf(current)
    : Math.max(0, player.focusNode ?? player.selected);
  nodes.forEach((g, i) => {
    const [value, grad] = [f.values[i], f.grads[i]];
    g.setAttribute("role", "button");
    g.setAttribute("aria-label", player.data.nodes[i].hover.split("\n")[0]
      + (value ? ` = ${value}` : "") + (grad ? `, gradient ${grad.replace(/^∂\s*/, "")}` : ""));
    g.setAttribute("tabindex", i === stop ? "0" : "-1");
    g.onfocus = () => { player.focusNode = i; };
    g.onkeydown = (event) => {
      const to = { ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1,
                   Home: 0, End: nodes.length - 1 }[event.key];
      if (to !== undefined) {
        const next = nodes[Math.max(0, Math.min(nodes.length - 1, to))];
        g.setAttribute("tabindex", "-1");
        next.setAttribute("tabindex", "0");
        next.focus();
      } else if (event.key === "Enter" || event.key === " ") {
        player.entered = g;
        g.dispatchEvent(new MouseEvent("click"));
      } else {
        return;
      }
      event.preventDefault();
      event.stopPropagation();
    };
  });
}

// The selected node's chain rule (how it got its gradient) above the graph: the CSS shows it only
// where the page stacks the node inspector under the graph (a lesson's view, a phone).
function writeChain(box, data) {
  const node = data.nodes[data.selected];
  const lines = node ? node.chain : [];
  box.hidden = !lines.length;
  if (!node) return;
  const head = document.createElement("div");
  head.className = "gp-chain-head";
  head.textContent = `Inspecting ${node.hover.split("\n")[0]}: its gradient`;
  box.replaceChildren(head, ...lines.map((line) => {
    const div = document.createElement("div");
    div.className = "gp-chain-line";
    div.append(...exactOnHover(line, node.chain_exact));
    return div;
  }));
}

const SHAPE_GAIN = 1.2; // another shape must show the graph that much larger (viz.graph_player)

// The data as the player draws it: as sent (left to right, cut into bands for the box beside
// the inspector), or in another shape (data.shapes: other cuts, top to bottom) that the graph's
// own box shows larger (a wide presenter's box, a narrow pane); viz.graph_player.drawn_as.
function shaped(data, box) {
  const room = roomBelow(box, data);
  const fit = (d) => Math.min(box.clientWidth / d.width, room / d.height);
  let best = data;
  for (const other of box.clientWidth ? data.shapes || [] : []) {
    if (fit(other) > fit(best) * SHAPE_GAIN) best = other;
  }
  if (best === data) return data;
  return { ...data, direction: best.direction, width: best.width, height: best.height,
    text_at: best.text_at,
    nodes: data.nodes.map((n, i) => ({ ...n, x: best.xy[i][0], y: best.xy[i][1] })),
    edges: data.edges.map((e, i) => ({ ...e, points: best.points[i], label: best.labels[i] })) };
}

// Draw the player's graph (again: a new rerun, or a box that now suits the other direction).
function draw(player) {
  player.shape = shaped(player.data, player.root.querySelector(".gp-graph"));
  player.view = drawGraph(player.root.querySelector(".gp-text"), player.shape, player,
                          player.setTriggerValue);
}

// A new player (a new root: first mount, or back from another page) gets its bar, keys and
// transport; every run draws the graph again (the selected node, the scale may change).
function newPlayer(root, param) {
  root.innerHTML = transportBar(["first", "back", "play", "next", "last", "speed", "scrub"],
                                GRAPH_SPEEDS)
    + keyList(["space", "arrows", "home", "end", "help"])
    + `<div class="gp-text"><div class="gp-step"></div>
       <div class="gp-lines"></div></div><div class="gp-chain" hidden></div>
       <div class="gp-graph"></div>`;
  const player = { root, view: null, zoom: panZoom(root.querySelector(".gp-graph")) };
  const at = () => player.transport.position;
  const address = param ? () => ({ [param]: at() > 0 ? at() : null }) : null;
  player.transport = new Transport(root, {
    last: () => player.frames - 1,
    show: () => { player.view.show(at()); speakStep(player); nodeAccess(player); },
    caption: (k) => player.data.frames[k].label,
    settled: () => { if (address) writeAddress(address()); },
  });
  player.transport.speedSelect.value = String(GRAPH_SPEEDS[1][1]); // normal
  let width = 0; // a new width wraps the step's text anew
  new ResizeObserver(([entry]) => {
    if (entry.contentRect.width !== width && player.view) {
      width = entry.contentRect.width;
      const now = shaped(player.data, root.querySelector(".gp-graph"));
      if (now.width !== player.shape.width || now.direction !== player.shape.direction) {
        draw(player);
        player.transport.show();
      }
      player.view.reserveText();
      player.zoom.resize();
      player.view.reveal(player.transport.position);
    }
  }).observe(root);
  player.say = liveRegion(root);
  ownKeys({ root, act: player.transport.keys(), address,
            position: () => (param ? { [param]: at() } : {}) });
  return player;
}

export default function mountPlayer(component) {
  const { data, setTriggerValue, parentElement, key } = component;
  let root = parentElement.querySelector(".gp-root");
  if (!root) {
    root = document.createElement("div");
    root.className = "bp gp-root";
    parentElement.appendChild(root);
  }
  root.classList.toggle("bp-big", data.scale > 1);
  let player = graphPlayers.get(key);
  if (!player || player.root !== root) {
    player = newPlayer(root, data.url_param);
    graphPlayers.set(key, player);
  }
  const transport = player.transport;
  player.frames = data.frames.length;
  player.data = data;
  player.selected = data.selected;
  player.setTriggerValue = setTriggerValue;
  draw(player);
  writeChain(root.querySelector(".gp-chain"), data);
  if (player.graphId !== data.graph_id) { // a new graph opens paused, at the step asked for
    player.graphId = data.graph_id;
    transport.go(data.frame);
  } else {
    transport.show(); // a rerun while playing plays on, with the new drawing
  }
  player.view.reserveText();
  player.zoom.resize(); // the step's text took its height: the graph gets the room left
  player.view.reveal(transport.position);
}
