// The Optimizer Lab's loss-surface player (ui/surface_player.py): a canvas map of the level
// lines, the minima, the start and each optimizer's path up to the shown step. Play, Pause, Step,
// First/Last and speed act here at once: the server is never asked. Opens on the final paths.
// Keys anywhere on the page (not while typing in a field): Space play/pause, ←/→ one step,
// R back to step 0, Home/End first/last step, ? shows the keys.

// On window: the module may be evaluated again, and its players and key listener must not double.
const players = window.__surfacePlayers || (window.__surfacePlayers = new Map()); // key -> Player
const SECONDS = { slow: 10, normal: 5, fast: 2.5 }; // to play the whole path, whatever its length
const MIN_RATE = 4; // steps per second, for very short paths
const INK = "#222222";
const LEVEL = "#b0b0b0"; // light grey: the paths stand out
const GOLD = "#ffd700";
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

class Player {
  constructor(parent) {
    this.root = document.createElement("div");
    this.root.className = "sp";
    this.root.innerHTML = `
      <div class="sp-bar">
        <button class="sp-play" title="Play / pause (Space)">▶ Play</button>
        <button class="sp-back" title="One step back (←)">◀ Step</button>
        <button class="sp-next" title="One step on (→)">Step ▶</button>
        <button class="sp-first" title="Step 0 (R or Home)">|◀</button>
        <button class="sp-last" title="Last step (End)">▶|</button>
        <select class="sp-speed" title="Speed">${Object.keys(SECONDS).map((s) =>
          `<option value="${s}">${s}</option>`).join("")}</select>
      </div>
      <div class="sp-head">
        <span class="sp-title"></span>
        <span class="sp-step" data-testid="surface-step" aria-live="polite"></span>
        <button class="sp-help" title="Keys (?)">?</button>
      </div>
      <div class="sp-stage">
        <canvas class="sp-map" role="img"></canvas>
        <dl class="sp-keys" hidden><dt>Space</dt><dd>play / pause</dd><dt>→ ←</dt>
          <dd>one step on / back</dd><dt>R</dt><dd>back to step 0</dd><dt>Home End</dt>
          <dd>first / last step</dd><dt>?</dt><dd>these keys</dd></dl>
      </div>
      <div class="sp-note"></div>`;
    parent.appendChild(this.root);
    const q = (s) => this.root.querySelector(s);
    this.canvas = q(".sp-map");
    this.playButton = q(".sp-play");
    this.stepText = q(".sp-step");
    this.keys = q(".sp-keys");
    this.note = q(".sp-note");
    this.speed = q(".sp-speed");
    this.speed.value = "normal";
    this.speed.onchange = () => this.speed.blur(); // the keys act on the player again
    this.playButton.onclick = () => this.toggle();
    q(".sp-back").onclick = () => this.go(this.step - 1);
    q(".sp-next").onclick = () => this.go(this.step + 1);
    q(".sp-first").onclick = () => this.go(0);
    q(".sp-last").onclick = () => this.go(this.map.last);
    q(".sp-help").onclick = () => this.toggleKeys();
    this.resize = new ResizeObserver(() => this.draw());
    this.resize.observe(this.root);
    this.text = null;
    this.playing = false;
    this.tick = this.tick.bind(this);
  }

  // New data: a new map opens on its final paths, paused; the same map keeps its step.
  update(data) {
    this.present = Boolean(data.present);
    this.root.classList.toggle("sp-big", this.present);
    if (data.map !== this.text) {
      this.text = data.map;
      this.map = JSON.parse(data.map);
      this.playing = false;
      this.step = this.map.last;
      this.root.querySelector(".sp-title").textContent = this.map.title;
      this.canvas.setAttribute("aria-label", `${this.map.title}: level lines, and the paths of `
        + this.map.runs.map((r) => r.label).join("; "));
      const diverged = this.map.runs.filter((r) => r.diverged_at !== null);
      this.note.replaceChildren(...diverged.map((r) => {
        const item = document.createElement("span");
        item.style.color = r.colour;
        item.textContent = `✕ ${r.label}`;
        return item;
      }));
    }
    this.draw();
  }

  toggleKeys() { this.keys.hidden = !this.keys.hidden; }

  toggle() { if (this.playing) this.pause(); else this.play(); }

  play() {
    if (this.step >= this.map.last) this.step = 0; // from the end: play again from the start
    this.playing = true;
    this.last = performance.now();
    this.debt = 0;
    requestAnimationFrame(this.tick);
    this.draw();
  }

  pause() { this.playing = false; this.draw(); }

  go(step) {
    this.playing = false;
    this.step = Math.max(0, Math.min(this.map.last, step));
    this.draw();
  }

  tick(now) {
    if (!this.playing) return;
    if (!this.root.isConnected) { this.playing = false; return; }
    const rate = Math.max(this.map.last / SECONDS[this.speed.value], MIN_RATE);
    this.debt += ((now - this.last) / 1000) * rate;
    this.last = now;
    const steps = Math.floor(this.debt);
    if (steps > 0) {
      this.debt -= steps;
      this.step = Math.min(this.step + steps, this.map.last);
      if (this.step >= this.map.last) this.playing = false;
      this.draw();
    }
    if (this.playing) requestAnimationFrame(this.tick);
  }

  draw() {
    if (!this.map) return;
    const m = this.map, big = this.present;
    this.playButton.textContent = this.playing ? "❚❚ Pause" : "▶ Play";
    this.stepText.textContent = `step ${this.step} of ${m.last}`;
    this.root.dataset.step = String(this.step);
    this.root.dataset.playing = String(this.playing);
    const r = window.devicePixelRatio || 1;
    const w = this.canvas.clientWidth, h = this.canvas.clientHeight;
    if (!w || !h) return;
    if (this.canvas.width !== Math.round(w * r) || this.canvas.height !== Math.round(h * r)) {
      this.canvas.width = Math.round(w * r);
      this.canvas.height = Math.round(h * r);
    }
    const c = this.canvas.getContext("2d");
    c.setTransform(r, 0, 0, r, 0, 0);
    c.clearRect(0, 0, w, h);
    const font = big ? 17 : 13, line = big ? 1.6 : 1;
    const box = { x: font * 3.4, y: 8, w: 0, h: 0 };
    box.w = w - box.x - 8;
    box.h = h - box.y - font * 1.9;
    const sx = (x) => box.x + ((x - m.x[0]) / (m.x[1] - m.x[0])) * box.w;
    const sy = (y) => box.y + box.h - ((y - m.y[0]) / (m.y[1] - m.y[0])) * box.h;

    c.font = `${font}px ${FAMILY}`;
    c.fillStyle = "#555";
    c.textAlign = "right"; c.textBaseline = "middle";
    const label = (t) => String(t).replace("-", "−"); // a true minus sign
    for (const t of ticks(m.y[0], m.y[1])) c.fillText(label(t), box.x - 5, sy(t));
    c.textAlign = "center"; c.textBaseline = "top";
    for (const t of ticks(m.x[0], m.x[1])) c.fillText(label(t), sx(t), box.y + box.h + 4);

    c.save();
    c.beginPath(); c.rect(box.x, box.y, box.w, box.h); c.clip();
    c.strokeStyle = LEVEL; c.lineWidth = line;
    c.beginPath();
    const lv = m.levels;
    for (let i = 0; i < lv.length; i += 4) {
      c.moveTo(sx(lv[i]), sy(lv[i + 1]));
      c.lineTo(sx(lv[i + 2]), sy(lv[i + 3]));
    }
    c.stroke();
    c.beginPath();
    c.arc(sx(m.start[0]), sy(m.start[1]), big ? 10 : 7, 0, 2 * Math.PI);
    c.strokeStyle = INK; c.lineWidth = big ? 3.5 : 2.5; c.stroke();
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
      if (n) ends.push([run, sx(p[2 * n - 2]), sy(p[2 * n - 1])]);
    }
    c.restore();
    for (const [run, x0, y0] of ends) { // each run's current point, kept on the map's edge
      const x = Math.max(box.x, Math.min(box.x + box.w, x0));
      const y = Math.max(box.y, Math.min(box.y + box.h, y0));
      const gone = run.diverged_at !== null && this.step >= run.diverged_at;
      c.fillStyle = run.colour; c.strokeStyle = gone ? run.colour : "#ffffff";
      c.lineWidth = big ? 3 : 2;
      const s = big ? 8 : 6;
      c.beginPath();
      if (gone) { // diverged here: a cross
        c.moveTo(x - s, y - s); c.lineTo(x + s, y + s); c.moveTo(x + s, y - s); c.lineTo(x - s, y + s);
        c.lineWidth = big ? 4 : 3; c.stroke();
      } else {
        c.arc(x, y, s, 0, 2 * Math.PI); c.fill(); c.stroke();
      }
    }
    for (let i = 0; i < m.minima.length; i += 2) { // on top: where the paths should end
      star(c, sx(m.minima[i]), sy(m.minima[i + 1]), big ? 14 : 10);
      c.fillStyle = GOLD; c.fill();
      c.strokeStyle = INK; c.lineWidth = 1.5; c.stroke();
    }
    c.strokeStyle = "#999"; c.lineWidth = 1;
    c.strokeRect(box.x, box.y, box.w, box.h);
  }
}

function onKey(event) {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  const target = event.composedPath()[0];
  if (target && target.nodeType === 1) { // typing in a field, or on a widget that uses the key
    if (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    if (target.closest("[role=slider],[role=combobox],[role=listbox],[role=spinbutton]")) return;
  }
  const player = [...players.values()].reverse().find((p) => p.root.isConnected && p.map);
  if (!player) return;
  const actions = {
    " ": () => player.toggle(),
    ArrowRight: () => player.go(player.step + 1),
    ArrowLeft: () => player.go(player.step - 1),
    r: () => player.go(0),
    R: () => player.go(0),
    Home: () => player.go(0),
    End: () => player.go(player.map.last),
    "?": () => player.toggleKeys(),
  };
  if (actions[event.key]) {
    event.preventDefault();
    actions[event.key]();
  }
}

export default function (component) {
  const { data, parentElement, key } = component;
  let player = players.get(key);
  if (!player || player.parent !== parentElement || !player.root.isConnected) {
    if (player) { player.playing = false; player.resize.disconnect(); }
    player = new Player(parentElement);
    player.parent = parentElement;
    players.delete(key);
    players.set(key, player);
  }
  player.update(data);
  const onKeys = window.__surfacePlayerKeys || (window.__surfacePlayerKeys = onKey);
  document.addEventListener("keydown", onKeys); // the same function: added once
  return () => setTimeout(() => { // unmounted (another view or page): stop, unhook the keys
    if (player.root.isConnected) return; // a rerun: the player stays
    player.playing = false;
    player.resize.disconnect();
    if (players.get(key) === player) players.delete(key);
    if (![...players.values()].some((p) => p.root.isConnected)) {
      document.removeEventListener("keydown", onKeys);
    }
  }, 0);
}
