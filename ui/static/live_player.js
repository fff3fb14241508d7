// The Network Builder's live player (ui/live_player.py), on the player core (Transport, ownKeys,
// keyList, fitCanvas): plays recorded training frames at a steady rate; its step is an epoch.
// Play, Pause, Step and speed act here at once; the server is asked for more frames (trigger
// "need" = {from, to}) while the buffered ones play, and told where playback paused (state
// "paused_at": the epoch, or null while playing).
// With data.graph = {key, point}, each frame also has the point's live graph values (data.points,
// asked for with the frames as need.pointFrom): the shown epoch's go to the graph player mounted
// as data.graph.key, as the window event "bp-graph-live" (viz/assets/graph_player.js).

const players = window.__livePlayers || (window.__livePlayers = new Map()); // key -> player
const SPEEDS = [5, 10, 25, 50]; // epochs per second
const AHEAD_S = 3; // ask for frames this far ahead of the shown epoch...
const LOW_S = 1.5; // ...when fewer than this many seconds are buffered
const RETRY_MS = 5000; // ask again if a request brought nothing
const MAX_LINE_POINTS = 400; // steps drawn per gradient line: every k-th step and the last
const FONT_PX = 12; // the charts' text; presenter mode draws text, lines and margins PRESENTER× larger
const PRESENTER = 1.4;
const LABEL_EVERY_MS = 3000; // while playing, the charts' words follow this often
const font = (px, weight = "") => `${weight} ${px}px Inter, 'Segoe UI', Helvetica, Arial, sans-serif`;

function bytes(b64) {
  const text = atob(b64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

function rgb(hex) {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

function niceTicks(lo, hi, count) {
  const span = hi - lo || 1;
  const step0 = span / count;
  const mag = Math.pow(10, Math.floor(Math.log10(step0)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0);
  const ticks = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * span; t += step) ticks.push(t);
  return ticks;
}

function fmt(v) {
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= 1000 || a < 0.01 ? v.toExponential(0) : String(+v.toPrecision(3));
}

const SUPER = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };
function power(k) {
  return "10" + String(k).split("").map((c) => SUPER[c]).join("");
}

class Panel {
  constructor(parent, cls) {
    this.canvas = document.createElement("canvas");
    this.canvas.className = cls;
    parent.appendChild(this.canvas);
    this.ctx = this.canvas.getContext("2d");
    this.k = 1; // the text, line and margin scale (PRESENTER in presenter mode)
  }
  // Size the canvas to its box (cleared); returns [width, height] in CSS pixels.
  begin() {
    const [, w, h] = fitCanvas(this.canvas) || [null, 0, 0];
    this.ctx.font = font(FONT_PX * this.k);
    return [w, h];
  }
  title(text) {
    const c = this.ctx;
    c.fillStyle = PALETTE.ink;
    c.font = font(14 * this.k, 600);
    c.textAlign = "left";
    c.textBaseline = "top";
    c.fillText(text, 4, 2);
    c.font = font(FONT_PX * this.k);
  }
  // Axes box with ticks; sx/sy map data to pixels.
  axes(box, xr, yr, xLabel, yTicks, yFormat) {
    const c = this.ctx, k = this.k;
    const sx = (x) => box.x + ((x - xr[0]) / (xr[1] - xr[0] || 1)) * box.w;
    const sy = (y) => box.y + box.h - ((y - yr[0]) / (yr[1] - yr[0] || 1)) * box.h;
    c.strokeStyle = PALETTE.grid;
    c.fillStyle = PALETTE.muted;
    c.lineWidth = k;
    c.textAlign = "right";
    c.textBaseline = "middle";
    for (const t of yTicks) {
      const y = sy(t);
      c.beginPath(); c.moveTo(box.x, y); c.lineTo(box.x + box.w, y); c.stroke();
      c.fillText(yFormat(t), box.x - 4 * k, y);
    }
    c.textAlign = "center";
    c.textBaseline = "top";
    for (const t of niceTicks(xr[0], xr[1], 4)) {
      if (t < xr[0]) continue;
      c.fillText(fmt(t), sx(t), box.y + box.h + 3 * k);
    }
    c.fillText(xLabel, box.x + box.w / 2, box.y + box.h + 21 * k);
    c.strokeStyle = PALETTE.frame;
    c.strokeRect(box.x, box.y, box.w, box.h);
    return [sx, sy];
  }
}

class Player {
  constructor(parent, api, param) {
    this.api = api;
    this.root = document.createElement("div");
    this.root.className = "bp lp";
    const views = `<span class="lp-views">
        <button class="lp-view lp-on" data-view="curves">Loss &amp; gradients</button><button
          class="lp-view" data-view="neurons" title="One edge per weight: red +, blue −, width = size">Neurons</button>
      </span>
      <span class="lp-epoch" data-testid="live-epoch">Epoch 0</span>
      <span class="lp-metrics"></span>`;
    this.root.innerHTML = transportBar(["first", "back", "play", "next", "speed"],
                                       SPEEDS.map((v) => [`${v} epochs/s`, v]), views)
      + keyList(["space", "arrows", "home", "help"])
      + `<div class="lp-note"></div><div class="lp-row"><div class="lp-side"></div></div>`;
    parent.appendChild(this.root);
    const q = (s) => this.root.querySelector(s);
    this.epochText = q(".lp-epoch");
    this.metrics = q(".lp-metrics");
    this.note = q(".lp-note");
    const row = q(".lp-row"), side = q(".lp-side");
    this.boundary = new Panel(row, "lp-panel");
    row.insertBefore(this.boundary.canvas, side);
    this.loss = new Panel(side, "lp-panel lp-curves");
    this.grads = new Panel(side, "lp-panel lp-curves");
    this.neurons = new Panel(side, "lp-panel lp-neurons");
    this.view = "curves";
    this.root.querySelectorAll(".lp-view").forEach((b) => {
      b.onclick = () => {
        this.view = b.dataset.view;
        this.root.querySelectorAll(".lp-view").forEach((o) => o.classList.toggle("lp-on", o === b));
        side.dataset.view = this.view;
        this.draw();
      };
    });
    side.dataset.view = this.view;
    const address = param ? () => ({ [param]: this.shown > 0 ? this.shown : null }) : null;
    this.transport = new Transport(this.root, {
      last: () => (this.end !== null ? this.end.epoch : this.setup.maxEpochs),
      reach: () => this.available(),
      tick: () => {
        this.request();
        if (performance.now() - this.labelled > LABEL_EVERY_MS) this.label();
      },
      show: () => this.draw(),
      playing: (on) => { if (on) this.api.setStateValue("paused_at", null); this.request(); },
      settled: (epoch) => {
        this.label(true);
        this.api.setStateValue("paused_at", epoch);
        if (address) writeAddress(address());
        this.request();
      },
    });
    this.transport.speedSelect.value = "25";
    this.say = liveRegion(this.root);
    this.labelled = 0;
    ownKeys({ root: this.root, act: this.transport.keys(), address,
              position: () => (param ? { [param]: this.shown } : {}) });
    this.resize = new ResizeObserver(() => this.draw());
    this.resize.observe(this.root);
    this.run = null;
  }

  get shown() { return this.transport.position; } // the epoch on screen

  get playing() { return this.transport.playing; }

  get speed() { return Number(this.transport.speedSelect.value); }

  // New data from the server: a new run resets the player; frames are merged by epoch.
  update(data) {
    if (data.run !== this.run) {
      this.run = data.run;
      this.frames = [];
      this.start = data.start; // a link's epoch: shown, paused, once its frames are here
      this.transport.playing = false;
      this.transport.position = data.start;
      this.pending = null;
      this.cache = {};
      this.graph = null;
    }
    const graph = data.graph ? `${data.graph.key}/${data.graph.point}` : null;
    if (graph !== this.graph) { // another point (or none): its frames from the start
      this.graph = graph;
      this.graphKey = data.graph ? data.graph.key : null;
      this.points = [];
      this.sentPoint = null;
      this.pending = null;
    }
    this.setup = data.setup;
    const big = data.present ? PRESENTER : 1;
    this.root.classList.toggle("bp-big", Boolean(data.present));
    this.root.dataset.fontPx = String(FONT_PX * big); // the charts' text size, for tests
    for (const panel of [this.boundary, this.loss, this.grads, this.neurons]) panel.k = big;
    this.fill = data.setup.fill ? data.setup.fill.map(rgb) : null;
    for (const text of data.frames) { // each frame as JSON text
      const f = JSON.parse(text);
      this.frames[f.epoch] = f;
    }
    for (const text of data.points || []) {
      const f = JSON.parse(text);
      this.points[f.epoch] = f;
    }
    this.end = data.end; // {epoch, reason} once the server's run has ended, else null
    if (this.pending !== null && this.frames[this.pending.from]
        && (!this.graph || this.points[this.pending.pointFrom])) this.pending = null;
    if (this.end !== null && this.shown > this.end.epoch) {
      this.transport.position = this.end.epoch; // a link past the end of a run that stopped early
    }
    this.request();
    this.transport.show();
    if (!this.playing) this.label(this.sayWhenHere);
  }

  available() { // the last epoch with every frame (and point frame) before it
    return Math.min(this.reach(this.frames), this.graph ? this.reach(this.points) : Infinity);
  }

  reach(list) { // the last epoch of `list` with every one before it
    let e = -1;
    while (list[e + 1]) e++;
    return e;
  }

  atEnd() { return this.end !== null && this.shown >= this.end.epoch; }

  // Ask for the frames up to the shown epoch (and, while playing, AHEAD_S seconds beyond it once
  // fewer than LOW_S seconds are buffered); one request at a time.
  request() {
    const have = this.available();
    if (this.end !== null && have >= this.end.epoch) return;
    const ahead = this.playing ? Math.ceil(this.speed * LOW_S) : 0;
    if (have >= Math.max(this.start, this.shown + ahead)) return;
    const now = performance.now();
    if (this.pending !== null && now - this.pending.at < RETRY_MS) return;
    const to = Math.max(this.start, this.shown + (this.playing ? Math.ceil(this.speed * AHEAD_S) : 0));
    const from = this.reach(this.frames) + 1;
    const pointFrom = this.graph ? this.reach(this.points) + 1 : null;
    this.pending = { from: Math.min(from, to), pointFrom: Math.min(pointFrom, to), at: now };
    this.api.setTriggerValue("need", { from, to, pointFrom });
  }

  draw() {
    if (!this.setup) return;
    const frame = this.frames[this.shown];
    const ended = this.atEnd();
    this.epochText.textContent = `Epoch ${this.shown} / ${this.setup.maxEpochs}`;
    let metrics = "";
    if (frame && frame.loss) {
      metrics = `training loss ${frame.loss[0] ?? "–"} · validation loss ${frame.loss[1] ?? "–"}`;
      if (frame.acc !== null) metrics += ` · validation accuracy ${Math.round(frame.acc * 100)}%`;
    }
    this.metrics.textContent = metrics;
    this.note.textContent = ended ? this.end.reason
      : !frame ? `Training to epoch ${this.shown}…`
      : this.shown === 0 && !this.playing ? "Press Play or Step to train." : "";
    this.note.classList.toggle("lp-stop", ended);
    if (!frame) return; // frames on their way: keep the last picture
    this.sendPoint();
    this.drawBoundary(frame);
    if (this.view === "curves") {
      this.drawLoss();
      this.drawGrads();
    } else {
      this.drawNeurons(frame);
    }
  }

  sendPoint() { // the shown epoch's point graph, to its graph player
    const point = this.graph && this.points[this.shown];
    if (!point || this.sentPoint === point) return;
    this.sentPoint = point;
    window.dispatchEvent(new CustomEvent("bp-graph-live",
                                         { detail: { key: this.graphKey, frame: point } }));
  }

  // The charts in words (each canvas's aria-label), from the shown epoch's frame; with `speak`,
  // the live region says the epoch and its numbers too (on a pause or a step).
  label(speak = false) {
    this.labelled = performance.now();
    const frame = this.frames[this.shown];
    if (!this.setup || !frame) { this.sayWhenHere = speak; return; } // said once it comes
    this.sayWhenHere = false;
    const e = `epoch ${this.shown} of ${this.setup.maxEpochs}`;
    let numbers = "";
    if (frame.loss) {
      const [train, val] = frame.loss.map((v) => v ?? "not known");
      numbers = `training loss ${train}, validation loss ${val}`;
      if (frame.acc !== null) numbers += `, validation accuracy ${Math.round(frame.acc * 100)}%`;
    }
    const norms = frame.norms && frame.norms.length ? frame.norms[frame.norms.length - 1] : [];
    const words = [
      [this.boundary, `${this.setup.task === "classification" ? "Decision boundary" : "Fit"} `
        + `at ${e}`],
      [this.loss, `Loss at ${e}: ${numbers || "none yet"}`],
      [this.grads, `Gradient norm per layer at ${e}: ` + this.setup.layers.map((name, k) =>
        `${name} ${typeof norms[k] === "number" ? fmt(norms[k]) : "not known"}`).join(", ")],
      [this.neurons, `Weights of every layer at ${e}`],
    ];
    for (const [panel, text] of words) {
      panel.canvas.setAttribute("role", "img");
      panel.canvas.setAttribute("aria-label", text);
    }
    if (speak) this.say(`Epoch ${this.shown}${numbers ? `: ${numbers}` : ""}`);
  }

  drawBoundary(frame) {
    const s = this.setup, p = this.boundary, c = p.ctx;
    const [w, h] = p.begin(), big = p.k;
    p.title(s.task === "classification" ? "Decision boundary" : "Fit");
    const size = Math.min(w - 8, h - 26 * big);
    const box = { x: (w - size) / 2, y: 22 * big, w: size, h: size };
    const sx = (x) => box.x + ((x - s.x[0]) / (s.x[1] - s.x[0])) * box.w;
    const sy = (y) => box.y + box.h - ((y - s.y[0]) / (s.y[1] - s.y[0])) * box.h;
    if (s.task === "classification") {
      const n = s.resolution, codes = bytes(frame.boundary);
      const image = new ImageData(n, n);
      for (let row = 0; row < n; row++) {
        for (let col = 0; col < n; col++) {
          const color = this.fill[codes[row * n + col]] || [255, 255, 255];
          const at = ((n - 1 - row) * n + col) * 4; // row 0 is the lowest y
          image.data[at] = color[0]; image.data[at + 1] = color[1];
          image.data[at + 2] = color[2]; image.data[at + 3] = 255;
        }
      }
      const off = this.cache.off || (this.cache.off = document.createElement("canvas"));
      off.width = n; off.height = n;
      off.getContext("2d").putImageData(image, 0, 0);
      c.imageSmoothingEnabled = true;
      c.drawImage(off, box.x, box.y, box.w, box.h);
    } else {
      c.fillStyle = PALETTE.panel;
      c.fillRect(box.x, box.y, box.w, box.h);
    }
    const pts = s.points;
    for (let i = 0; i < pts.x.length; i++) {
      c.beginPath();
      c.arc(sx(pts.x[i]), sy(pts.y[i]), 3.5 * big, 0, 2 * Math.PI);
      c.fillStyle = pts.c ? s.classColors[pts.c[i] % s.classColors.length] : PALETTE.edge;
      c.fill();
      if (pts.c) { c.strokeStyle = PALETTE.paper; c.lineWidth = big; c.stroke(); }
    }
    if (s.task !== "classification") { // the fit, where it lies within the chart
      c.strokeStyle = PALETTE.ink; c.lineWidth = 3 * big; c.beginPath();
      let drawing = false, outside = false;
      frame.boundary.forEach((v, i) => {
        const inside = v !== null && v >= s.y[0] && v <= s.y[1];
        outside = outside || !inside;
        if (!inside) { drawing = false; return; }
        const x = sx(s.x[0] + (i / (frame.boundary.length - 1)) * (s.x[1] - s.x[0]));
        if (drawing) c.lineTo(x, sy(v)); else c.moveTo(x, sy(v));
        drawing = true;
      });
      c.stroke();
      if (outside) {
        c.fillStyle = PALETTE.caution; c.textAlign = "center"; c.textBaseline = "top";
        c.fillText("the prediction leaves the chart", box.x + box.w / 2, box.y + 4 * big);
      }
    }
    c.strokeStyle = PALETTE.frame; c.lineWidth = big;
    c.strokeRect(box.x, box.y, box.w, box.h);
  }

  drawLoss() {
    const s = this.setup, p = this.loss, c = p.ctx;
    const [w, h] = p.begin(), big = p.k;
    p.title("Loss");
    const frames = this.frames.slice(1, this.shown + 1).filter((f) => f && f.loss);
    const xMax = Math.max(10, this.shown);
    let yMax = 0;
    for (const f of frames) for (const v of f.loss) if (v !== null && v > yMax) yMax = v;
    yMax = yMax * 1.05 || 1;
    const box = { x: 44 * big, y: 24 * big, w: w - 60 * big, h: h - 66 * big };
    const [sx, sy] = p.axes(box, [0, xMax], [0, yMax], "epoch", niceTicks(0, yMax, 4), fmt);
    const lines = [[0, [], "training"], [1, [4 * big, 4 * big], "validation"]];
    for (const [k, dash] of lines) {
      c.strokeStyle = s.lossColor; c.lineWidth = 2.5 * big; c.setLineDash(dash);
      c.beginPath();
      frames.forEach((f, i) => {
        const v = f.loss[k];
        if (v === null) return;
        if (i === 0) c.moveTo(sx(f.epoch), sy(v)); else c.lineTo(sx(f.epoch), sy(v));
      });
      c.stroke();
      c.setLineDash([]);
      if (frames.length <= 15) {
        for (const f of frames) {
          if (f.loss[k] === null) continue;
          c.beginPath(); c.arc(sx(f.epoch), sy(f.loss[k]), 3.5 * big, 0, 2 * Math.PI);
          if (k === 0) { c.fillStyle = s.lossColor; c.fill(); } else { c.stroke(); }
        }
      }
    }
    c.textAlign = "right"; c.textBaseline = "top"; c.fillStyle = PALETTE.ink;
    c.fillText("— training   ┈ validation", w - 8 * big, 6 * big);
  }

  drawGrads() {
    const s = this.setup, p = this.grads, c = p.ctx;
    const [w, h] = p.begin(), big = p.k;
    p.title("Gradient norm per layer");
    const rows = [];
    for (let e = 1; e <= this.shown; e++) if (this.frames[e]) rows.push(...this.frames[e].norms);
    // the legend (one short label per layer) wraps under the axis title: room for its rows
    const labels = s.layers.map((name) => name.replace("Layer ", "L"));
    const widths = labels.map((label) => c.measureText(label).width + 22 * big);
    let legendRows = 1;
    widths.reduce((x, width) => {
      if (x + width > w) { legendRows += 1; return 44 * big + width; }
      return x + width;
    }, 44 * big);
    const box = { x: 44 * big, y: 24 * big, w: w - 60 * big,
                  h: h - 84 * big - 14 * big * (legendRows - 1) };
    let lo = Infinity, hi = -Infinity;
    for (const r of rows) for (const v of r) if (v > 0) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    if (!rows.length || !isFinite(lo)) { lo = 0.01; hi = 10; }
    const yr = [Math.floor(Math.log10(lo)), Math.ceil(Math.log10(hi))];
    if (yr[1] === yr[0]) yr[1] += 1;
    const ticks = [];
    const every = Math.ceil((yr[1] - yr[0] + 1) / 5);
    for (let k = yr[0]; k <= yr[1]; k += every) ticks.push(k);
    const xMax = Math.max(rows.length, 10);
    const [sx, sy] = p.axes(box, [1, xMax], yr, "step", ticks, power);
    const stride = Math.max(1, Math.ceil(rows.length / MAX_LINE_POINTS));
    const drawn = [];
    for (let i = 0; i < rows.length; i += stride) drawn.push(i);
    if (rows.length && drawn[drawn.length - 1] !== rows.length - 1) drawn.push(rows.length - 1);
    s.layers.forEach((name, layer) => {
      c.strokeStyle = s.layerColors[layer]; c.lineWidth = 1.8 * big; c.beginPath();
      let drawing = false;
      for (const i of drawn) {
        const v = rows[i][layer];
        if (v === null || v <= 0) { drawing = false; continue; }
        const x = sx(i + 1), y = sy(Math.log10(v));
        if (drawing) c.lineTo(x, y); else c.moveTo(x, y);
        drawing = true;
      }
      c.stroke();
    });
    // legend: one short coloured label per layer under the axis title
    let x = box.x, y = box.y + box.h + 44 * big;
    c.textAlign = "left"; c.textBaseline = "middle";
    labels.forEach((label, layer) => {
      const width = widths[layer];
      if (x + width > w) { x = box.x; y += 14 * big; }
      c.fillStyle = s.layerColors[layer];
      c.fillRect(x, y - 2 * big, 12 * big, 4 * big);
      c.fillStyle = PALETTE.ink;
      c.fillText(label, x + 15 * big, y);
      x += width;
    });
  }

  drawNeurons(frame) {
    const s = this.setup, p = this.neurons, c = p.ctx;
    const [w, h] = p.begin(), big = p.k;
    const cols = s.columns, top = 34 * big, bottom = h - 8;
    const colX = (k) => 40 * big + (k / (cols.length - 1)) * (w - 80 * big);
    const spots = cols.map((n) => {
      const gap = Math.min(26, (bottom - top) / Math.max(n, 1));
      return (i) => (top + bottom) / 2 + (i - (n - 1) / 2) * gap;
    });
    frame.edges.forEach(([rb, cb, vb], layer) => {
      const rows = bytes(rb), colsB = bytes(cb), vals = new Int8Array(bytes(vb).buffer);
      for (let i = 0; i < vals.length; i++) {
        const v = vals[i] / 127;
        if (v === 0) continue;
        c.strokeStyle = v > 0 ? s.weightColors[1] : s.weightColors[0];
        c.globalAlpha = 0.25 + 0.75 * Math.abs(v);
        c.lineWidth = (0.5 + 4 * Math.abs(v)) * big;
        c.beginPath();
        c.moveTo(colX(layer), spots[layer](rows[i]));
        c.lineTo(colX(layer + 1), spots[layer + 1](colsB[i]));
        c.stroke();
      }
    });
    c.globalAlpha = 1;
    cols.forEach((n, k) => {
      const r = Math.max(2, Math.min(8, (bottom - top) / Math.max(n, 1) / 2 - 1));
      c.fillStyle = k === 0 || k === cols.length - 1 ? PALETTE.paper : PALETTE["hidden-node"];
      c.strokeStyle = PALETTE.ink; c.lineWidth = big;
      for (let i = 0; i < n; i++) {
        c.beginPath(); c.arc(colX(k), spots[k](i), r, 0, 2 * Math.PI); c.fill(); c.stroke();
      }
      c.fillStyle = PALETTE.ink; c.textAlign = "center"; c.textBaseline = "top";
      c.font = font(FONT_PX * big, 600);
      c.fillText(s.columnTitles[k], colX(k), 2);
      c.font = font(FONT_PX * big);
      c.fillText(s.columnNotes[k], colX(k), 17 * big);
    });
  }
}

export default function (component) {
  const { data, parentElement, key, setTriggerValue, setStateValue } = component;
  let player = players.get(key);
  if (!player || player.parent !== parentElement || !player.root.isConnected) {
    if (player) player.resize.disconnect();
    player = new Player(parentElement, { setTriggerValue, setStateValue }, data.url_param);
    player.parent = parentElement;
    players.delete(key);
    players.set(key, player);
  }
  player.api = { setTriggerValue, setStateValue };
  player.update(data);
}
