// The graph player: draws a computation graph as SVG and plays its steps in the browser.
// The server sends data (viz/graph_player.py) and hears back only a node click, as the trigger
// "clicked" = {node, frame}. Stepping, playing and pausing never rerun the script. The step is
// kept across reruns until data.graph_id changes, and written to the address bar as frame=N.
const players = new Map(); // component key -> {graphId, frame, playing, timer, speed}
const listeners = new Map(); // component key -> function that removes its page-wide listeners
const SVG = "http://www.w3.org/2000/svg";
const SPEEDS = { slow: 1600, normal: 800, fast: 300 };

function el(name, attrs, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (parent) parent.appendChild(node);
  return node;
}

function pathOf(points) {
  return points.map((p, i) => `${i ? "L" : "M"}${p[0]},${p[1]}`).join(" ");
}

function writeUrl(frame) {
  const url = new URL(window.location.href);
  if (frame > 0) url.searchParams.set("frame", String(frame));
  else url.searchParams.delete("frame");
  if (url.href !== window.location.href) history.replaceState(history.state, "", url.href);
}

function build(root, data, state, setTriggerValue) {
  root.innerHTML = `
    <div class="gp-bar">
      <button class="gp-first" title="First step (Home)">|◀</button>
      <button class="gp-back" title="Step back (←)">◀ Step</button>
      <button class="gp-play" title="Play / pause (Space)">▶ Play</button>
      <button class="gp-next" title="Step forward (→)">Step ▶</button>
      <button class="gp-last" title="Last step (End)">▶|</button>
      <select class="gp-speed" title="Speed">
        <option value="slow">slow</option><option value="normal">normal</option>
        <option value="fast">fast</option></select>
      <input class="gp-scrub" type="range" min="0" step="1" aria-label="step">
      <button class="gp-help" title="Keys (?)">?</button>
    </div>
    <div class="gp-keys" hidden>Keys: Space play / pause · → one step on · ← one step back ·
      Home / End first / last step · R back to the start · ? shows / hides these keys (Esc hides)</div>
    <div class="gp-step" aria-live="polite"></div>
    <div class="gp-lines"></div>
    <div class="gp-graph"></div>`;
  const n = data.frames.length;
  const scrub = root.querySelector(".gp-scrub");
  scrub.max = String(n - 1);
  root.querySelector(".gp-speed").value = state.speed;
  const svg = el("svg", { viewBox: `0 0 ${data.width} ${data.height}`, class: "gp-svg",
                          role: "img", "aria-label": "computation graph" });
  svg.style.height = `${Math.min(data.height * data.scale, data.max_height)}px`; // fits the screen
  root.querySelector(".gp-graph").appendChild(svg);
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
    rings.push(el("circle", { cx: node.x, cy: node.y, r: r + 8, class: "gp-selected" }, g));
    shapes.push(node.square
      ? el("rect", { x: node.x - r, y: node.y - r, width: 2 * r, height: 2 * r, rx: 4 }, g)
      : el("circle", { cx: node.x, cy: node.y, r }, g));
    el("text", { x: node.x, y: node.y, class: "gp-inner", "dominant-baseline": "central" }, g)
      .textContent = node.label;
    if (node.top) el("text", { x: node.x, y: node.y - r - 8, class: "gp-top" }, g)
      .textContent = node.top;
    values.push(el("text", { x: node.x, y: node.y + r + 17, class: "gp-value" }, g));
    grads.push(el("text", { x: node.x, y: node.y + r + 35, class: "gp-grad" }, g));
    g.addEventListener("click", () => {
      setTriggerValue("clicked", { node: i, frame: state.frame });
    });
  });
  return { scrub, show(k) {
    const f = data.frames[k];
    shapes.forEach((s, i) => { s.setAttribute("fill", f.fills[i]);
                               s.setAttribute("stroke", f.rings[i]); });
    values.forEach((t, i) => { t.textContent = f.values[i]; });
    grads.forEach((t, i) => { t.textContent = f.grads[i]; });
    rings.forEach((c, i) => { c.style.display = i === state.selected ? "" : "none"; });
    const on = new Set(f.lit);
    lit.forEach((p, i) => { p.style.display = on.has(i) ? "" : "none";
                            p.setAttribute("stroke", f.lit_colour); });
    edgeTexts.forEach((t, i) => { t.textContent = f.edge_texts[String(i)] || ""; });
    root.querySelector(".gp-step").textContent = f.label;
    const lines = root.querySelector(".gp-lines");
    lines.replaceChildren(...f.lines.map((line) => {
      const div = document.createElement("div"); div.textContent = line; return div; }));
    scrub.value = String(k);
  } };
}

export default function mountPlayer(component) {
  const { data, setTriggerValue, parentElement, key } = component;
  let root = parentElement.querySelector(".gp-root");
  if (!root) {
    root = document.createElement("div");
    root.className = "gp-root";
    parentElement.appendChild(root);
  }
  root.classList.toggle("gp-big", data.scale > 1);
  let state = players.get(key);
  const n = data.frames.length;
  if (!state || state.graphId !== data.graph_id) {
    if (state) clearInterval(state.timer);
    state = { graphId: data.graph_id, frame: data.frame, playing: false, timer: null,
              speed: state ? state.speed : "normal", keysShown: state ? state.keysShown : false };
    players.set(key, state);
  }
  state.selected = data.selected;
  state.frame = Math.min(state.frame, n - 1);
  const view = build(root, data, state, setTriggerValue);
  const playButton = root.querySelector(".gp-play");
  const go = (k) => {
    if (!root.isConnected) { stop(); return; } // the page changed under a playing player
    state.frame = Math.max(0, Math.min(n - 1, k));
    view.show(state.frame);
    writeUrl(state.frame);
  };
  const stop = () => {
    clearInterval(state.timer); state.timer = null; state.playing = false;
    playButton.textContent = "▶ Play";
  };
  const start = () => {
    if (state.frame >= n - 1) go(0);
    state.playing = true; playButton.textContent = "❚❚ Pause";
    clearInterval(state.timer);
    state.timer = setInterval(() => {
      if (state.frame >= n - 1) stop(); else go(state.frame + 1);
    }, SPEEDS[state.speed]);
  };
  state.toggle = () => (state.playing ? stop() : start());
  state.step = (d) => { stop(); go(state.frame + d); };
  state.jump = (k) => { stop(); go(k); };
  const keyList = root.querySelector(".gp-keys");
  keyList.hidden = !state.keysShown;
  state.showKeys = (shown) => { state.keysShown = shown; keyList.hidden = !shown; };
  root.querySelector(".gp-help").onclick = () => state.showKeys(!state.keysShown);
  root.querySelector(".gp-first").onclick = () => state.jump(0);
  root.querySelector(".gp-last").onclick = () => state.jump(n - 1);
  root.querySelector(".gp-back").onclick = () => state.step(-1);
  root.querySelector(".gp-next").onclick = () => state.step(1);
  playButton.onclick = () => state.toggle();
  root.querySelector(".gp-speed").onchange = (e) => {
    state.speed = e.target.value; if (state.playing) start(); };
  view.scrub.oninput = (e) => state.jump(Number(e.target.value));
  if (state.playing) start(); // a rerun while playing: play on with the new drawing
  view.show(state.frame);
  writeUrl(state.frame);
  // Keys on the whole page, except while typing in a field.
  const onKey = (e) => {
    const t = e.target;
    if (e.altKey || e.ctrlKey || e.metaKey || !root.isConnected) return;
    if (t && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName))) return;
    const actions = { " ": () => state.toggle(), ArrowLeft: () => state.step(-1),
      ArrowRight: () => state.step(1), Home: () => state.jump(0), End: () => state.jump(n - 1),
      r: () => state.jump(0), R: () => state.jump(0), "?": () => state.showKeys(!state.keysShown),
      Escape: state.keysShown ? () => state.showKeys(false) : null };
    const act = actions[e.key];
    if (act) { e.preventDefault(); act(); }
  };
  // Streamlit may rewrite the address bar from a rerun: keep frame=N in it.
  const keepUrl = setInterval(() => {
    if (root.isConnected) writeUrl(state.frame);
    else if (listeners.has(key)) listeners.get(key)(); // gone (another page): stop, unhook
  }, 400);
  if (listeners.has(key)) listeners.get(key)();
  document.addEventListener("keydown", onKey);
  const remove = () => {
    document.removeEventListener("keydown", onKey);
    clearInterval(keepUrl);
    listeners.delete(key);
  };
  listeners.set(key, remove);
  return remove;
}
