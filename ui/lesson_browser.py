"""The Lessons page's browser side (a custom component v2: no iframe of its own, no build step):
its keys, a ? button with the list of them, and each embedded view scrolled, once per address,
so its main visual (`.st-key-main-visual`, else its first chart) is at the top of the frame (kept
there until it stays put: a page may still move after its run).

Keys, one owner each: ArrowLeft / ArrowRight and R report "back" / "next" / "first" as a trigger
value (the lesson's steps); Space is passed on to the embedded view, whose player (if it has one)
plays or pauses; ? shows and hides the list of keys, Escape hides it. Keys typed into an input, a
text area, a select, a slider or a list are left alone. While the embedded view has the focus,
every key is its own (a key pressed in a frame never reaches this page): click the lesson's text
to take them back.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

VIEW_TITLE = "Lesson view"  # the embedded view's iframe title starts with this

_JS = """
export default function (component) {
  const { setTriggerValue, data, parentElement } = component;
  let root = parentElement.querySelector(".lb-root");
  if (!root) {
    root = document.createElement("div");
    root.className = "lb-root";
    root.innerHTML = `<button class="lb-help" title="Keys (?)">?</button>
      <div class="lb-keys" hidden>Keys: → next step · ← step back · R back to the first step ·
        Space play / pause the view · ? shows / hides these keys (Esc hides). Click the view to
        give it its own keys; click the text to take them back.</div>`;
    parentElement.appendChild(root);
  }
  const keyList = root.querySelector(".lb-keys");
  const showKeys = (shown) => { keyList.hidden = !shown; };
  root.querySelector(".lb-help").onclick = () => showKeys(keyList.hidden);
  const views = () => document.querySelectorAll(`iframe[title^="${data.title}"]`);
  const toView = (key) => {  // the view's own keys (its player's), as if pressed in the view
    for (const frame of views()) {
      try {
        frame.contentDocument.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
      } catch (e) { /* a view from elsewhere: not ours to press */ }
    }
  };
  const onKey = (event) => {
    const target = event.target;
    const tag = target && target.tagName ? target.tagName.toLowerCase() : "";
    const own = "[role='slider'], [role='listbox'], [role='tablist'], [role='radiogroup']";
    if (["input", "textarea", "select"].includes(tag) || (target && target.isContentEditable)
        || (target && target.closest && target.closest(own))) {
      return;  // the arrows belong to the field, slider or list that has the focus
    }
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const actions = {
      ArrowLeft: () => setTriggerValue("key", "back"),
      ArrowRight: () => setTriggerValue("key", "next"),
      r: () => setTriggerValue("key", "first"),
      R: () => setTriggerValue("key", "first"),
      " ": () => toView(" "),
      "?": () => showKeys(keyList.hidden),
      Escape: keyList.hidden ? null : () => showKeys(false),
    };
    const act = actions[event.key];
    if (act && (!event.shiftKey || event.key === "?" || event.key === "R")) {
      event.preventDefault();
      act();
    }
  };
  const calm = new WeakMap();  // frame -> {src, ticks}: ticks its visual has stayed in place
  const scrollViews = () => {
    for (const frame of document.querySelectorAll(`iframe[title^="${data.title}"]`)) {
      let doc;
      try { doc = frame.contentDocument; } catch (e) { continue; }
      if (!doc || frame.dataset.scrolledFor === frame.src) continue;
      const idle = doc.querySelector("[data-test-script-state='notRunning']");
      const visual = doc.querySelector(".st-key-main-visual")
        || doc.querySelector("[data-testid='stPlotlyChart'], [data-testid='stIFrame']");
      if (!idle || !visual) continue;
      let box = visual.parentElement;
      while (box && box !== doc.body && !(box.scrollHeight > box.clientHeight + 1
             && /(auto|scroll)/.test(getComputedStyle(box).overflowY))) {
        box = box.parentElement;
      }
      const scroller = box && box !== doc.body ? box : doc.scrollingElement;
      const before = scroller.scrollTop;
      const offset = visual.getBoundingClientRect().top - 8;
      if (scroller === box) {
        box.scrollTop += offset - box.getBoundingClientRect().top;
      } else {
        frame.contentWindow.scrollBy(0, offset);
      }
      // Done once the visual stays put for three ticks: the page may still move after its run
      // ends (elements of the previous run leaving), and then it is scrolled again.
      const state = calm.get(frame);
      const ticks = Math.abs(scroller.scrollTop - before) < 2 && state && state.src === frame.src
        ? state.ticks + 1 : 0;
      calm.set(frame, { src: frame.src, ticks });
      if (ticks >= 3) frame.dataset.scrolledFor = frame.src;
    }
  };
  document.addEventListener("keydown", onKey);
  const timer = setInterval(scrollViews, 400);
  return () => {
    document.removeEventListener("keydown", onKey);
    clearInterval(timer);
  };
}
"""

_CSS = """
.lb-root { position: relative; display: flex; justify-content: center; }
.lb-help { font: inherit; font-size: 1.05rem; padding: 1px 10px; border-radius: 50%;
  cursor: pointer; border: 1px solid #c8c8c8; background: #fff; color: #222; }
.lb-keys { position: absolute; top: calc(100% + 6px); right: 0; width: max-content;
  max-width: min(760px, 80vw); z-index: 10; font-size: 0.85rem; color: #444; background: #f0f2f6;
  padding: 2px 8px; border-radius: 6px; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.2); }
.lb-keys[hidden] { display: none; }
"""

_browser = st.components.v2.component("lesson_browser", js=_JS, css=_CSS)


def lesson_browser(on_move: Callable[[int], None], on_first: Callable[[], None]) -> None:
    """A ? button with the lesson's keys; call on_move(-1) on ArrowLeft, on_move(+1) on
    ArrowRight and on_first() on R (as widget callbacks); keep the embedded views scrolled to
    their main visual."""

    def moved() -> None:
        value = st.session_state.get("lesson_browser")
        move = value.get("key") if isinstance(value, dict) else None
        if move in ("back", "next"):
            on_move(-1 if move == "back" else 1)
        elif move == "first":
            on_first()

    _browser(key="lesson_browser", data={"title": VIEW_TITLE}, on_key_change=moved)
