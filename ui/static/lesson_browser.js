// The Lessons page's browser side (ui/lesson_browser.py), on the player core (ownKeys, keyList):
// the lesson's page keys, its ? button and list of keys, and each embedded view scrolled to its
// main visual.
const lessonBrowsers = new Map(); // parentElement -> {root, data}: one key owner per mount

function newLessonBrowser(parentElement) {
  const root = document.createElement("div");
  root.className = "bp lb-root";
  root.innerHTML = `<div class="bp-bar"><button class="bp-help" title="Keys (?)">?</button></div>`
    + keyList(["arrows", "home", "space", "help"], "Space plays or pauses the view. Click the "
              + "view to give it its own keys; click the text to take them back.");
  parentElement.appendChild(root);
  const browser = { root, keyList: root.querySelector(".bp-keys") };
  const showKeys = (shown) => { browser.keyList.hidden = !shown; };
  root.querySelector(".bp-help").onclick = () => showKeys(browser.keyList.hidden);
  keepFocus(root);
  const views = () => document.querySelectorAll(`iframe[title^="${browser.data.title}"]`);
  const toView = (key) => { // the view's own keys (its player's), as if pressed in the view
    for (const frame of views()) {
      try {
        frame.contentDocument.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
      } catch (e) { /* a view from elsewhere: not ours to press */ }
    }
  };
  const move = (where) => () => browser.setTriggerValue("key", where);
  ownKeys({ root, act: (key) => ({
    ArrowLeft: move("back"), ArrowRight: move("next"), Home: move("first"),
    " ": () => toView(" "), "?": () => showKeys(browser.keyList.hidden),
    Escape: browser.keyList.hidden ? null : () => showKeys(false),
  }[key] || null) });
  return browser;
}

// Next and Back turn disabled at a lesson's ends, and a disabled button drops the focus to the
// page: then it goes to the other one, so the keyboard stays on the lesson's controls. Which
// button had the focus is noted as it arrives (focusin), not sampled: a quick Enter can disable
// the button before any timer runs. A click anywhere else forgets it.
const STEP_BUTTONS = [".st-key-lesson_next button", ".st-key-lesson_back button"];
const stepButtonOf = (element) =>
  STEP_BUTTONS.findIndex((s) => element.closest && element.closest(s));
let stepButton = -1;  // the index in STEP_BUTTONS of the button that last had the focus, or -1
document.addEventListener("focusin", (event) => { stepButton = stepButtonOf(event.target); });
document.addEventListener("pointerdown", (event) => {
  if (stepButtonOf(event.target) < 0) stepButton = -1;
});
function keepFocusOnSteps() {
  const at = document.activeElement;
  if (stepButton < 0 || (at && at !== document.body)) return;
  const was = document.querySelector(STEP_BUTTONS[stepButton]);
  const other = document.querySelector(STEP_BUTTONS[1 - stepButton]);
  if (was && was.disabled && other && !other.disabled) other.focus();
}

export default function (component) {
  const { setTriggerValue, data, parentElement } = component;
  let browser = lessonBrowsers.get(parentElement);
  if (!browser || !browser.root.isConnected) {
    browser = newLessonBrowser(parentElement);
    lessonBrowsers.set(parentElement, browser);
  }
  Object.assign(browser, { data, setTriggerValue });
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
  const timer = setInterval(scrollViews, 400);
  const focusTimer = setInterval(keepFocusOnSteps, 100);
  return () => { clearInterval(timer); clearInterval(focusTimer); };
}
