"""The Lessons page's browser side (a custom component v2: no iframe of its own, no build step):
ArrowLeft / ArrowRight report "back" / "next" as a trigger value, and each embedded view is
scrolled, once per address, so its main visual (`.st-key-main-visual`, else its first chart) is
at the top of the frame (kept there until it stays put: a page may still move after its run).

Keys typed into an input, a text area, a select, a slider or a list are left alone. While the
embedded view has the focus its keys are its own: click the lesson's text to take them back.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

VIEW_TITLE = "Lesson view"  # the embedded view's iframe title starts with this

_JS = """
export default function (component) {
  const { setTriggerValue, data } = component;
  const onKey = (event) => {
    const target = event.target;
    const tag = target && target.tagName ? target.tagName.toLowerCase() : "";
    const own = "[role='slider'], [role='listbox'], [role='tablist'], [role='radiogroup']";
    if (["input", "textarea", "select"].includes(tag) || (target && target.isContentEditable)
        || (target && target.closest && target.closest(own))) {
      return;  // the arrows belong to the field, slider or list that has the focus
    }
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const move = { ArrowLeft: "back", ArrowRight: "next" }[event.key];
    if (move) {
      event.preventDefault();
      setTriggerValue("key", move);
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

_browser = st.components.v2.component("lesson_browser", js=_JS)


def lesson_browser(on_move: Callable[[int], None]) -> None:
    """Call on_move(-1) on ArrowLeft and on_move(+1) on ArrowRight (as a widget callback), and
    keep the embedded views scrolled to their main visual."""

    def moved() -> None:
        value = st.session_state.get("lesson_browser")
        move = value.get("key") if isinstance(value, dict) else None
        if move in ("back", "next"):
            on_move(-1 if move == "back" else 1)

    _browser(key="lesson_browser", data={"title": VIEW_TITLE}, on_key_change=moved)
