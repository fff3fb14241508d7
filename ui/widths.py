"""The width each plotly chart is drawn for.

The server never sees the screen, and a figure's layout is fixed before it gets there. So each
chart (`ui.charts.chart`) goes in a box keyed with its number in the run and the width the
server assumed for it; a component measures the boxes in the browser and, where a chart is
narrower than NARROW_CHART_PX (a phone's, a lesson pane's, a column's) and the server assumed
otherwise (or the reverse), tells it every chart's width: one rerun, and again when a phone
turns. Until then the server guesses: a lesson's pane, or the window's width this browser
reported on an earlier visit (a cookie), or a phone's by its user agent."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

NARROW_CHART_PX = 720  # a chart narrower than this gets viz.narrow's layout for its width
NARROW_WINDOW_PX = 640  # below this Streamlit stacks columns: a chart is about the window's width
STEP_PX = 20  # widths are told to the nearest step below
WINDOW_COOKIE = "bp_window"  # the window's width (to STEP_PX) if narrow, else 0
PANE_GUESS_PX = 420  # a chart in a lesson's pane at 1280×720
PHONE_GUESS_PX = 340  # a chart on a phone (a 360–390 px window less the page's padding)
PADDING_PX = 36  # a narrow window's width less its charts'
BOX_PREFIX = "bpchart-"  # a chart's box: st-key-bpchart-<number>-<assumed width, 0 if wide>
_KEY = "chart_widths"  # the component's state: {"widths": {number: width}} (this page's)
_DRAWN = "_bp_charts_drawn"  # charts drawn so far in this run

_JS = """
let last = { report: "", at: 0 };  // the last report: never the same one twice within a second
const measure = () => {
  const mount = window.__bpChartWidths;
  if (!mount) return;
  const { data, setStateValue } = mount;
  const BOX = `st-key-${data.prefix}`, floor = px => data.step * Math.floor(px / data.step);
  const w = window.innerWidth < data.windowPx ? floor(window.innerWidth) : 0;
  if (!data.embedded)
    document.cookie = `${data.cookie}=${w}; path=/; max-age=31536000; SameSite=Lax`;
  const widths = { window: w };
  let wrong = false;
  for (const box of document.querySelectorAll(`[class*="${BOX}"]`)) {
    const name = [...box.classList].find(c => c.startsWith(BOX));
    const [number, assumed] = name.slice(BOX.length).split("-").map(Number);
    const px = box.getBoundingClientRect().width;
    if (px < 2) continue;  // not shown (another tab's)
    widths[number] = px < data.narrowPx ? floor(px) : 0;
    if (widths[number] !== assumed) wrong = true;
  }
  const report = `${location.pathname}${location.search}|${JSON.stringify(widths)}`;
  if (wrong && !(report === last.report && Date.now() - last.at < 1000)) {
    last = { report, at: Date.now() };
    setStateValue("widths", widths);
  }
};
let queued;
const soon = () => { clearTimeout(queued); queued = setTimeout(measure, 150); };
new MutationObserver(soon).observe(document.body, { childList: true, subtree: true });
window.addEventListener("resize", soon);

export default function ({ data, setStateValue }) {
  window.__bpChartWidths = { data, setStateValue };  // this run's
  soon();
}
"""
_widths = st.components.v2.component("chart_widths", js=_JS)


def measure_charts() -> None:
    """Start a run's charts (ui.nav.page_header calls it, in the sidebar): count them from 0,
    and measure them in the browser."""
    st.session_state[_DRAWN] = 0
    _widths(key=_KEY, on_widths_change=lambda: None,
            data={"prefix": BOX_PREFIX, "step": STEP_PX, "narrowPx": NARROW_CHART_PX,
                  "windowPx": NARROW_WINDOW_PX, "cookie": WINDOW_COOKIE,
                  "embedded": st.context.is_embedded})


@dataclass(frozen=True)
class ChartWidth:
    key: str  # its box's
    px: int | None  # the width to draw it for; None: wide
    may_grow: bool  # it may grow taller for its width: the page scrolls anyway (a phone, a pane)


def next_chart() -> ChartWidth:
    """The next chart's box key, the width to draw it for, and whether it may grow."""
    number = st.session_state.get(_DRAWN, 0)
    st.session_state[_DRAWN] = number + 1
    told = st.session_state.get(_KEY)
    widths = told.get("widths") if isinstance(told, dict) else None
    widths = widths if isinstance(widths, dict) else {}
    width, window = widths.get(str(number)), widths.get("window")
    window = window if _narrow(window) else _window_guess()
    if not _narrow(width):
        width = _guess(window)
    return ChartWidth(f"{BOX_PREFIX}{number}-{int(width)}", int(width) or None,
                      may_grow=st.context.is_embedded or bool(window))


def _narrow(width) -> bool:
    return isinstance(width, int | float) and 0 <= width < NARROW_CHART_PX


def _window_guess() -> int:
    """A narrow window's width (to STEP_PX) before the browser has told it: the cookie's, else
    a phone's by its user agent; 0 if wide."""
    cookie = st.context.cookies.get(WINDOW_COOKIE)
    if isinstance(cookie, str) and cookie.isdigit():  # (not text in a test's stand-in context)
        return int(cookie) if int(cookie) > PADDING_PX else 0
    agent = st.context.headers.get("User-Agent")
    return PHONE_GUESS_PX + PADDING_PX if isinstance(agent, str) and "Mobi" in agent else 0


def _guess(window: int) -> int:
    """A chart's width before the browser has told it: a lesson pane's, else the narrow
    `window`'s less the page's padding, else 0 (wide)."""
    if st.context.is_embedded:
        return PANE_GUESS_PX
    return STEP_PX * int((window - PADDING_PX) // STEP_PX) if window > PADDING_PX else 0
