// The Optimizer Lab's loss-surface player (ui/surface_player.py), on the player core (Transport,
// ownKeys, keyList, fitCanvas): a canvas map of the level lines, the minima, the start and each
// optimizer's path up to the shown step. Play, Pause, Step, First/Last and speed act here at once:
// the server is never asked. A new map opens at data.start (the link's step, first map only) or on
// its final paths.

// On window: the module may be evaluated again, and its players must not double.
const players = window.__surfacePlayers || (window.__surfacePlayers = new Map()); // key -> Player
const SECONDS = { slow: 10, normal: 5, fast: 2.5 }; // to play the whole path, whatever its length
const MIN_RATE = 4; // steps per second, for very short paths
const FAMILY = "Inter, 'Segoe UI', Helvetica, Arial, sans-serif";

function ticks(lo, hi) { // about five round numbers in [lo, hi]
  const raw = (hi - lo) / 5;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9; t += step) out.push(+t.toFixed(6));
  return out;
}

function star(c, x, y, r) {
  c.beginPath();
  for (let i = 0; i < 10; i++) {
    const a = -Math.PI / 2 + (i * Math.PI) / 5, d = i % 2 ? r * 0.45 : r;
    c.lineTo(x + d * Math.cos(a), y + d * Math.sin(a));
  }
  c.closePath();
}

// The optimizer's marker (viz.palette.SeriesStyle.marker, plotly's names) as a path of size s.
const MARKER_SIDES = { square: [4, Math.PI / 4], diamond: [4, 0], "triangle-up": [3, 0],
  "triangle-down": [3, Math.PI], pentagon: [5, 0], hexagon: [6, Math.PI / 6],
  "triangle-right": [3, Math.PI / 2] };
function marker(c, shape, x, y, s) {
  c.beginPath();
  const [sides, turn] = MARKER_SIDES[shape] || [0, 0];
  if (!sides) { c.arc(x, y, s, 0, 2 * Math.PI); return; }
  const r = s * 1.25;
  for (let i = 0; i < sides; i++) {
    const a = turn + (2 * Math.PI * i) / sides - Math.PI / 2;
    c.lineTo(x + r * Math.cos(a), y + r * Math.sin(a));
  }
  c.closePath();
}

// The map in words, for a screen reader: the title, the step, and each run's point and loss.
function mapLabel(m, step, ends) {
  const xy = (v) => String(+v.toPrecision(3)).replace("-", "−");
  return `${m.title}, step ${step} of ${m.last}; ` + ends.map(([run, , , at]) => {
    const gone = run.diverged_at !== null && step >= run.diverged_at;
    return `${run.label} ${gone ? "stopped" : "is"} at (${xy(run.points[2 * at])}, `
      + `${xy(run.points[2 * at + 1])}), loss ${run.losses[at]}`;
  }).join("; ");
}

class Player {
  constructor(parent, param) {
    this.root = document.createElement("div");
    this.root.className = "bp sp";
    this.root.innerHTML = transportBar(["first", "back", "play", "next", "last", "speed"],
                                       Object.keys(SECONDS).map((s) => [s, s]))
      + keyList(["space", "arrows", "home", "end", "help"])
      + `<div class="sp-head"><span class="sp-title"></span>
        <span class="sp-step" data-testid="surface-step" aria-live="polite"></span></div>
      <canvas class="sp-map" role="img"></canvas><div class="sp-note"></div>`;
    parent.appendChild(this.root);
    const q = (s) => this.root.querySelector(s);
    this.canvas = q(".sp-map");
    this.stepText = q(".sp-step");
    this.note = q(".sp-note");
    const at = () => this.transport.position;
    const address = param ? () => ({ [param]: at() < this.map.last ? at() : null }) : null;
    this.transport = new Transport(this.root, {
      last: () => this.map.last,
      rate: (speed) => Math.max(this.map.last / SECONDS[speed], MIN_RATE),
      show: () => this.draw(),
      settled: () => { if (address) writeAddress(address()); },
    });
    this.transport.speedSelect.value = "normal";
    ownKeys({ root: this.root, act: (key) => (this.map ? this.transport.keys()(key) : null), address,
              position: () => (param && this.map ? { [param]: at() } : {}) });
    this.resize = new ResizeObserver(() => this.draw());
    this.resize.observe(this.root);
    this.text = null;
  }

  get step() { return this.transport.position; }

  get playing() { return this.transport.playing; }

  // New data: a new map opens at data.start (the first map) or on its final paths, paused; the
  // same map keeps its step.
  update(data) {
    this.present = Boolean(data.present);
    this.root.classList.toggle("bp-big", this.present);
    if (data.map !== this.text) {
      const first = this.text === null;
      this.text = data.map;
      this.map = JSON.parse(data.map);
      this.transport.playing = false;
      this.transport.position = first ? Math.min(data.start, this.map.last) : this.map.last;
      this.root.querySelector(".sp-title").textContent = this.map.title;
      const diverged = this.map.runs.filter((r) => r.diverged_at !== null);
      this.note.replaceChildren(...diverged.map((r) => {
        const item = document.createElement("span");
        item.style.color = r.colour;
        item.textContent = `✕ ${r.label}`;
        return item;
      }));
    }
    this.transport.show();
  }

  draw() {
    if (!this.map) return;
    const m = this.map, big = this.present;
    this.stepText.textContent = `step ${this.step} of ${m.last}`;
    this.root.dataset.step = String(this.step);
    this.root.dataset.playing = String(this.playing);
    const fitted = fitCanvas(this.canvas);
    if (!fitted) return;
    const [c, w, h] = fitted;
    const font = big ? 17 : 13, line = big ? 1.6 : 1;
    const box = { x: font * 3.4, y: 8, w: 0, h: 0 };
    box.w = w - box.x - 8;
    box.h = h - box.y - font * 1.9;
    const sx = (x) => box.x + ((x - m.x[0]) / (m.x[1] - m.x[0])) * box.w;
    const sy = (y) => box.y + box.h - ((y - m.y[0]) / (m.y[1] - m.y[0])) * box.h;

    c.font = `${font}px ${FAMILY}`;
    c.fillStyle = PALETTE.muted;
    c.textAlign = "right"; c.textBaseline = "middle";
    const label = (t) => String(t).replace("-", "−"); // a true minus sign
    for (const t of ticks(m.y[0], m.y[1])) c.fillText(label(t), box.x - 5, sy(t));
    c.textAlign = "center"; c.textBaseline = "top";
    for (const t of ticks(m.x[0], m.x[1])) c.fillText(label(t), sx(t), box.y + box.h + 4);

    c.save();
    c.beginPath(); c.rect(box.x, box.y, box.w, box.h); c.clip();
    c.strokeStyle = PALETTE.level; c.lineWidth = line;
    c.beginPath();
    const lv = m.levels;
    for (let i = 0; i < lv.length; i += 4) {
      c.moveTo(sx(lv[i]), sy(lv[i + 1]));
      c.lineTo(sx(lv[i + 2]), sy(lv[i + 3]));
    }
    c.stroke();
    c.beginPath();
    c.arc(sx(m.start[0]), sy(m.start[1]), big ? 10 : 7, 0, 2 * Math.PI);
    c.strokeStyle = PALETTE.ink; c.lineWidth = big ? 3.5 : 2.5; c.stroke();
    const ends = [];
    for (const run of m.runs) {
      let n = 0; // points drawn: those at or before the shown step
      while (n < run.steps.length && run.steps[n] <= this.step) n++;
      const p = run.points;
      c.strokeStyle = run.colour; c.fillStyle = run.colour;
      c.lineWidth = big ? 3.5 : 2; c.lineJoin = "round";
      c.beginPath();
      for (let i = 0; i < n; i++) c.lineTo(sx(p[2 * i]), sy(p[2 * i + 1]));
      c.stroke();
      if (n <= 80) {
        for (let i = 0; i < n; i++) {
          c.beginPath(); c.arc(sx(p[2 * i]), sy(p[2 * i + 1]), big ? 3 : 2, 0, 2 * Math.PI);
          c.fill();
        }
      }
      if (n) ends.push([run, sx(p[2 * n - 2]), sy(p[2 * n - 1]), n - 1]);
    }
    c.restore();
    this.canvas.setAttribute("aria-label", mapLabel(m, this.step, ends));
    let at = 0; // the last of name_steps at or before the step: where the names go now
    while (at + 1 < m.name_steps.length && m.name_steps[at + 1] <= this.step) at++;
    for (const [run, x0, y0] of ends) { // each run's current point, kept on the map's edge
      const x = Math.max(box.x, Math.min(box.x + box.w, x0));
      const y = Math.max(box.y, Math.min(box.y + box.h, y0));
      const gone = run.diverged_at !== null && this.step >= run.diverged_at;
      c.fillStyle = run.colour; c.strokeStyle = gone ? run.colour : PALETTE.paper;
      c.lineWidth = big ? 3 : 2;
      const s = big ? 8 : 6;
      c.beginPath();
      if (gone) { // diverged here: a cross
        c.moveTo(x - s, y - s); c.lineTo(x + s, y + s); c.moveTo(x + s, y - s); c.lineTo(x - s, y + s);
        c.lineWidth = big ? 4 : 3; c.stroke();
      } else {
        marker(c, run.marker, x, y, s); c.fill(); c.stroke();
      }
      // Its name, just above it, or moved apart from the others (viz.surface_plot's
      // end_name_heights) with a thin line back to it.
      c.font = `600 ${font}px ${FAMILY}`; c.textAlign = "left"; c.textBaseline = "middle";
      const tx = Math.min(x + s + 4, box.x + box.w - c.measureText(run.name).width - 2);
      const ty = box.y + box.h * (1 - run.name_heights[at]) - s - 4;
      if (Math.abs(ty - (y - s - 4)) > 2) {
        c.beginPath(); c.moveTo(x, y); c.lineTo(tx, ty);
        c.strokeStyle = PALETTE.ink; c.lineWidth = 1; c.stroke();
      }
      c.lineWidth = 3; c.strokeStyle = PALETTE.paper; c.fillStyle = PALETTE.ink;
      c.strokeText(run.name, tx, ty); c.fillText(run.name, tx, ty);
    }
    for (let i = 0; i < m.minima.length; i += 2) { // on top: where the paths should end
      star(c, sx(m.minima[i]), sy(m.minima[i + 1]), big ? 14 : 10);
      c.fillStyle = PALETTE.minimum; c.fill();
      c.strokeStyle = PALETTE.ink; c.lineWidth = 1.5; c.stroke();
    }
    c.strokeStyle = PALETTE.frame; c.lineWidth = 1;
    c.strokeRect(box.x, box.y, box.w, box.h);
  }
}

export default function (component) {
  const { data, parentElement, key } = component;
  let player = players.get(key);
  if (!player || player.parent !== parentElement || !player.root.isConnected) {
    if (player) { player.transport.playing = false; player.resize.disconnect(); }
    player = new Player(parentElement, data.url_param);
    player.parent = parentElement;
    players.delete(key);
    players.set(key, player);
  }
  player.update(data);
}
