// The page: one view at a time (compare, top, languages), chosen by the URL's fragment, which holds everything the
// view shows (see state.js).

import * as compare from "./compare.js";
import * as langviews from "./langviews.js";
import { readHash, toHash } from "./state.js";
import * as top from "./top.js";

const views = { compare, top, langviews };
const TITLES = { compare: "Compare articles", top: "Top articles", langviews: "Languages" };

function render() {
  const state = readHash();
  const view = views[state.view] ? state.view : "compare";
  for (const section of document.querySelectorAll("main > section.view")) section.hidden = section.id !== view;
  for (const link of document.querySelectorAll("nav a[data-view]")) {
    if (link.dataset.view === view) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.title = `${TITLES[view]} · pageviews`;
  views[view].show(state);
}

function navigate(state) {
  const hash = toHash(state);
  if (window.location.hash === hash) render();
  else window.location.hash = hash;
}

/** Each form's copy of the shared controls (index.html's template), its ids prefixed. */
function placeControls() {
  const template = document.getElementById("query-controls");
  for (const slot of document.querySelectorAll("[data-query-controls]")) {
    const prefix = slot.dataset.queryControls;
    const copy = template.content.cloneNode(true);
    for (const node of copy.querySelectorAll("[id]")) node.id = `${prefix}${node.id}`;
    for (const label of copy.querySelectorAll("label[for]")) label.htmlFor = `${prefix}${label.htmlFor}`;
    slot.replaceWith(copy);
  }
}

placeControls();
for (const view of Object.values(views)) view.setup(navigate);
window.addEventListener("hashchange", render);
render();
