// The player core, shared by the graph, live and surface players and the lesson browser
// (viz/player_core.py puts it, with PALETTE, before each one's own code). It owns:
//   Transport   one position on [0, last]: play at a steady rate, pause, step, first/last, speed
//   transportBar / keyList   the same buttons and the same words for the keys everywhere
//   ownKeys     page keys with one focus rule; the address bar and "Add this view" read the
//               owners' positions (window.__bpPlayers)
//   fitCanvas   a canvas sized to its box at the screen's pixel ratio
// Streamlit itself binds R (rerun), C (clear caches), A (rerun after a file change) and Esc
// (on key up) on the page: the players use none of them but Esc, and consume every key they act on.

const CONTROLS = "button, a[href], summary, select, input, textarea, [contenteditable], "
  + "[role=button], [role=link], [role=slider], [role=tab], [role=checkbox], [role=switch], "
  + "[role=radio], [role=combobox], [role=listbox], [role=option], [role=menuitem], "
  + "[role=spinbutton], [role=textbox]";

// A key belongs to the focused control, not to a player, when the real target is one.
function isControl(node) {
  return Boolean(node && node.nodeType === 1
    && (node.isContentEditable || node.closest(CONTROLS)));
}

const KEY_WORDS = {
  space: ["Space", "play / pause"],
  arrows: ["← →", "one step back / on"],
  home: ["Home", "the first step"],
  end: ["End", "the last step"],
  help: ["?", "shows / hides these keys (Esc hides them)"],
};

// The list of keys, hidden until ? : it floats over the drawing, so showing it moves nothing.
function keyList(names, note = "") {
  const rows = names.map((n) => `<dt>${KEY_WORDS[n][0]}</dt><dd>${KEY_WORDS[n][1]}</dd>`);
  return `<dl class="bp-keys" hidden>${rows.join("")}${note ? `<p>${note}</p>` : ""}</dl>`;
}

// The page's key owners, once per window (every component's copy of this file shares them).
const PLAYERS = window.__bpPlayers || (window.__bpPlayers = (() => {
  const owners = new Set(); // {root, act(key) -> function or null, position() -> {param: value}}
  const connected = () => [...owners].filter((o) => o.root.isConnected);
  let used = null; // the owner last clicked or touched: a key goes to it first
  window.addEventListener("pointerdown", (event) => {
    const path = event.composedPath();
    used = connected().find((o) => path.includes(o.root)) || used;
  }, true);
  const shown = (o) => o.root.getClientRects().length > 0; // not in a hidden tab
  window.addEventListener("keydown", (event) => { // capture: before Streamlit and the page
    if (event.altKey || event.ctrlKey || event.metaKey || isControl(event.composedPath()[0])) {
      return;
    }
    const newest = connected().filter(shown).reverse(); // else the newest player on screen
    for (const owner of used && newest.includes(used) ? [used, ...newest] : newest) {
      const act = owner.act(event.key);
      if (act) {
        event.preventDefault();
        event.stopImmediatePropagation();
        act();
        return;
      }
    }
  }, true);
  setInterval(() => { // keep each position in the address bar: a rerun may rewrite it
    for (const owner of owners) {
      if (!owner.root.isConnected) owners.delete(owner);
      else if (owner.address) writeAddress(owner.address());
    }
  }, 400);
  return {
    add(owner) { owners.add(owner); return () => owners.delete(owner); },
    positions() { return Object.assign({}, ...connected().map((o) => o.position())); },
  };
})());

function ownKeys(owner) { return PLAYERS.add({ position: () => ({}), ...owner }); }

// {param: value or null}: null leaves the param out of the address bar (its default).
function writeAddress(params) {
  const url = new URL(window.location.href);
  for (const [name, value] of Object.entries(params)) {
    if (value === null) url.searchParams.delete(name);
    else url.searchParams.set(name, String(value));
  }
  if (url.href !== window.location.href) history.replaceState(history.state, "", url.href);
}

// The buttons, in this order, of those named in `parts`: first back play next last speed scrub;
// each named in words (aria-label) for a screen reader, its glyphs being for the eye.
function transportBar(parts, speeds, extra = "") {
  const speedOptions = speeds.map(([label, value]) => `<option value="${value}">${label}</option>`);
  const html = {
    first: `<button class="bp-first" title="First step (Home)" aria-label="First step">|◀</button>`,
    back: `<button class="bp-back" title="One step back (←)" aria-label="Previous step">◀ Step</button>`,
    play: `<button class="bp-play" title="Play / pause (Space)" aria-label="Play">▶ Play</button>`,
    next: `<button class="bp-next" title="One step on (→)" aria-label="Next step">Step ▶</button>`,
    last: `<button class="bp-last" title="Last step (End)" aria-label="Last step">▶|</button>`,
    speed: `<select class="bp-speed" title="Speed" aria-label="Speed">${speedOptions.join("")}</select>`,
    scrub: `<input class="bp-scrub" type="range" min="0" step="1" value="0" aria-label="Step">`,
  };
  return `<div class="bp-bar">${parts.map((p) => html[p]).join("")}${extra}`
    + `<button class="bp-help" title="Keys (?)" aria-label="Show keys" aria-expanded="false">?`
    + `</button></div>`;
}

// A visually hidden polite live region in `root`: say(text) has a screen reader read `text`
// once (the same text again is read again).
function liveRegion(root) {
  const region = document.createElement("div");
  region.className = "bp-said";
  region.setAttribute("aria-live", "polite");
  region.setAttribute("role", "status");
  root.appendChild(region);
  return (text) => { region.textContent = region.textContent === text ? `${text}\u00a0` : text; };
}

// A click on a bar's button leaves the focus where it was: a focused button owns Space, Enter
// and the arrows (the focus rule), and a mouse user expects the keys to stay the player's.
function keepFocus(root) {
  root.querySelectorAll(".bp-bar button").forEach((b) => {
    b.onmousedown = (e) => e.preventDefault();
  });
}

// One position on [0, last()], played at rate(speed) steps a second up to reach() (the furthest
// position there is data for: the live player waits there for frames). Hooks, all optional but
// show: show() draws the position; tick() on every animation frame while playing; playing(bool)
// when play starts or stops; settled(k) when the position stops moving (a pause, a step, a jump);
// caption(k) the words for step k (the scrub's aria-valuetext).
class Transport {
  constructor(root, hooks) {
    this.root = root;
    this.hooks = { last: () => 0, reach: () => Infinity, rate: (speed) => Number(speed),
                   tick: () => {}, playing: () => {}, settled: () => {},
                   caption: (k) => `step ${k} of ${this.last}`, ...hooks };
    this.position = 0;
    this.playing = false;
    this.tick = this.tick.bind(this);
    const q = (s) => root.querySelector(s);
    this.playButton = q(".bp-play");
    this.speedSelect = q(".bp-speed");
    this.scrub = q(".bp-scrub");
    this.keyList = q(".bp-keys");
    const on = (s, f) => { const b = q(s); if (b) b.onclick = f; };
    on(".bp-first", () => this.go(0));
    on(".bp-back", () => this.step(-1));
    on(".bp-play", () => this.toggle());
    on(".bp-next", () => this.step(1));
    on(".bp-last", () => this.go(this.last));
    on(".bp-help", () => this.showKeys(this.keyList.hidden));
    keepFocus(root);
    if (this.speedSelect) this.speedSelect.onchange = () => { if (this.playing) this.play(); };
    if (this.scrub) this.scrub.oninput = () => this.go(Number(this.scrub.value));
  }

  get last() { return this.hooks.last(); }

  // The page keys of a player with this transport (ownKeys); more(key) adds the player's own.
  keys(more = () => null) {
    return (key) => more(key) || {
      " ": () => this.toggle(), ArrowLeft: () => this.step(-1), ArrowRight: () => this.step(1),
      Home: () => this.go(0), End: this.root.querySelector(".bp-last") ? () => this.go(this.last)
        : null,
      "?": () => this.showKeys(this.keyList.hidden),
      Escape: this.keyList.hidden ? null : () => this.showKeys(false),
    }[key] || null;
  }

  showKeys(shown) {
    this.keyList.hidden = !shown;
    const help = this.root.querySelector(".bp-help");
    help.setAttribute("aria-expanded", String(shown));
  }

  toggle() { if (this.playing) this.pause(); else this.play(); }

  play() {
    if (this.position >= this.last) this.position = 0; // from the end: play again
    this.playing = true;
    this.lastTime = performance.now();
    this.debt = 0;
    this.hooks.playing(true);
    this.show();
    requestAnimationFrame(this.tick);
  }

  pause() {
    this.playing = false;
    this.hooks.playing(false);
    this.show();
    this.hooks.settled(this.position);
  }

  go(k) {
    const wasPlaying = this.playing;
    this.playing = false;
    if (wasPlaying) this.hooks.playing(false);
    this.position = Math.max(0, Math.min(this.last, k));
    this.show();
    this.hooks.settled(this.position);
  }

  step(delta) { this.go(this.position + delta); }

  show() {
    if (this.playButton) {
      this.playButton.textContent = this.playing ? "❚❚ Pause" : "▶ Play";
      this.playButton.setAttribute("aria-label", this.playing ? "Pause" : "Play");
    }
    for (const [s, off] of [[".bp-first", this.position <= 0], [".bp-back", this.position <= 0],
                            [".bp-next", this.position >= this.last],
                            [".bp-last", this.position >= this.last]]) {
      const button = this.root.querySelector(s);
      if (button) button.disabled = off;
    }
    if (this.scrub) {
      this.scrub.max = String(this.last);
      this.scrub.value = String(this.position);
      this.scrub.setAttribute("aria-valuetext", this.hooks.caption(this.position));
    }
    this.hooks.show();
  }

  tick(now) {
    if (!this.playing) return;
    if (!this.root.isConnected) { this.playing = false; return; } // the page changed
    this.hooks.tick();
    const speed = this.speedSelect ? this.speedSelect.value : null;
    this.debt += ((now - this.lastTime) / 1000) * this.hooks.rate(speed);
    this.lastTime = now;
    const steps = Math.floor(this.debt);
    if (steps > 0) {
      this.debt -= steps;
      const next = Math.min(this.position + steps, this.last, this.hooks.reach());
      if (next > this.position) { this.position = next; this.show(); } else this.debt = 0;
      if (this.position >= this.last) { this.pause(); return; }
    }
    requestAnimationFrame(this.tick);
  }
}

// Size a canvas to its box at the screen's pixel ratio; returns its 2-D context (cleared, in CSS
// pixels) and its width and height, or null while it has no size.
function fitCanvas(canvas) {
  const r = window.devicePixelRatio || 1;
  const w = canvas.clientWidth, h = canvas.clientHeight;
  if (!w || !h) return null;
  if (canvas.width !== Math.round(w * r) || canvas.height !== Math.round(h * r)) {
    canvas.width = Math.round(w * r);
    canvas.height = Math.round(h * r);
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(r, 0, 0, r, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return [ctx, w, h];
}

// Pan and zoom a drawing (an SVG whose viewBox is `width` × `height` units) inside `box`, which
// clips it. view.draw(svg, size) puts a drawing in: size (or a function of the drawing in the
// page that returns it) = {width, height, minZoom (pixels a unit
// below which its text would fall under the floor), maxZoom, maxHeight (of the box, px, or a function that returns it)}. It
// opens as large as the box allows between minZoom and maxZoom, the box as tall as it needs up to
// maxHeight; what does not fit pans. A drag pans (a click stays a click), Ctrl + wheel (a
// trackpad's pinch) and a two-finger pinch zoom at the pointer, and the −, + and Fit buttons
// (named in words) zoom at the centre; Fit shows the whole drawing, however small.
// view.reveal([x0, y0, x1, y1]) pans a box of units into view; view.resize() after the box's
// width changed. Another draw() of the same size keeps the zoom and place (a rerun).
function panZoom(box) {
  box.classList.add("bp-pan");
  const stage = document.createElement("div");
  stage.className = "bp-stage";
  const bar = document.createElement("div");
  bar.className = "bp-zoom";
  bar.innerHTML = `<button class="bp-zoom-out" aria-label="Zoom out" title="Zoom out (Ctrl + wheel)">−</button>`
    + `<button class="bp-zoom-in" aria-label="Zoom in" title="Zoom in (Ctrl + wheel)">+</button>`
    + `<button class="bp-zoom-fit" aria-label="Fit the whole drawing" title="Fit the whole drawing">Fit</button>`;
  box.replaceChildren(stage);
  box.before(bar); // a row of its own above the drawing: never over a text of it
  let svg = null, size = null, z = 1, tx = 0, ty = 0, touched = false;
  const fitZoom = (height) => Math.min(box.clientWidth / size.width, height / size.height);
  const clampPan = (t, room, extent) => (extent <= room ? (room - extent) / 2
    : Math.min(0, Math.max(room - extent, t)));
  const apply = () => {
    const w = size.width * z, h = size.height * z;
    tx = clampPan(tx, box.clientWidth, w);
    ty = clampPan(ty, box.clientHeight, h);
    svg.setAttribute("width", String(w));
    svg.setAttribute("height", String(h));
    stage.style.transform = `translate(${tx}px, ${ty}px)`;
    box.classList.toggle("bp-panned", w > box.clientWidth + 1 || h > box.clientHeight + 1);
  };
  const open = () => {
    const room = typeof size.maxHeight === "function" ? size.maxHeight() : size.maxHeight;
    z = Math.max(size.minZoom, Math.min(size.maxZoom, fitZoom(room)));
    box.style.height = `${Math.min(size.height * z, room)}px`;
    tx = ty = 0;
    touched = false;
    apply();
  };
  const zoomAt = (factor, cx = box.clientWidth / 2, cy = box.clientHeight / 2) => {
    const low = Math.min(size.minZoom, fitZoom(box.clientHeight));
    const next = Math.max(low, Math.min(2 * Math.max(size.maxZoom, size.minZoom), z * factor));
    tx = cx - (cx - tx) * (next / z);
    ty = cy - (cy - ty) * (next / z);
    z = next;
    touched = true;
    apply();
  };
  const pointFrom = (e) => { const r = box.getBoundingClientRect();
                             return [e.clientX - r.left, e.clientY - r.top]; };
  bar.querySelector(".bp-zoom-out").onclick = () => zoomAt(1 / 1.25);
  bar.querySelector(".bp-zoom-in").onclick = () => zoomAt(1.25);
  bar.querySelector(".bp-zoom-fit").onclick = () => {
    z = Math.min(size.maxZoom, fitZoom(box.clientHeight));
    touched = true;
    apply();
  };
  bar.querySelectorAll("button").forEach((b) => { b.onmousedown = (e) => e.preventDefault(); });
  box.addEventListener("wheel", (e) => {
    if (!size || !(e.ctrlKey || e.metaKey)) return; // a plain wheel scrolls the page
    e.preventDefault();
    zoomAt(Math.exp(-e.deltaY * 0.002), ...pointFrom(e));
  }, { passive: false });
  const pointers = new Map(); // pointerId -> [x, y] in the box
  let dragged = false;
  box.addEventListener("pointerdown", (e) => {
    if (!size || isControl(e.target)) return;
    pointers.set(e.pointerId, pointFrom(e));
    dragged = false;
  });
  box.addEventListener("pointermove", (e) => {
    const last = pointers.get(e.pointerId);
    if (!last) return;
    const now = pointFrom(e);
    if (pointers.size === 2) { // pinch: zoom by the change of the fingers' distance
      const other = [...pointers].find(([id]) => id !== e.pointerId)[1];
      const before = Math.hypot(last[0] - other[0], last[1] - other[1]);
      const after = Math.hypot(now[0] - other[0], now[1] - other[1]);
      if (before > 0) zoomAt(after / before, (now[0] + other[0]) / 2, (now[1] + other[1]) / 2);
      dragged = true;
    } else if (dragged || Math.hypot(now[0] - last[0], now[1] - last[1]) > 4) {
      if (!dragged) box.setPointerCapture(e.pointerId);
      dragged = true;
      tx += now[0] - last[0];
      ty += now[1] - last[1];
      touched = true;
      apply();
    } else return;
    pointers.set(e.pointerId, now);
  });
  const release = (e) => pointers.delete(e.pointerId);
  box.addEventListener("pointerup", release);
  box.addEventListener("pointercancel", release);
  box.addEventListener("click", (e) => { // the click that ends a drag is no click
    if (dragged) { e.stopPropagation(); dragged = false; }
  }, true);
  return {
    box,
    draw(drawing, sized) { // sized: the size, or a function of the drawing, once in the page
      stage.replaceChildren(drawing);
      const next = typeof sized === "function" ? sized(drawing) : sized;
      const same = size && size.width === next.width && size.height === next.height;
      svg = drawing;
      size = next;
      if (same && touched) apply(); else open();
    },
    reveal([x0, y0, x1, y1]) {
      if (!size) return;
      const pad = 12, w = box.clientWidth, h = box.clientHeight;
      const left = tx + x0 * z, right = tx + x1 * z, top = ty + y0 * z, bottom = ty + y1 * z;
      if (left >= pad && right <= w - pad && top >= pad && bottom <= h - pad) return;
      tx = w / 2 - ((x0 + x1) / 2) * z;
      ty = h / 2 - ((y0 + y1) / 2) * z;
      apply();
    },
    resize() { if (size) { if (touched) apply(); else open(); } },
  };
}
