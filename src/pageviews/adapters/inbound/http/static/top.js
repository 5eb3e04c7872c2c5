// Top view: a complete month's most viewed pages of one wiki, each a link to compare it.

import { getJson, topUrl, wikiUrl } from "./api.js";
import { lastCompleteMonth } from "./dates.js";
import { displayTitle, el, number, periodLabel } from "./format.js";
import { toHash } from "./state.js";

const $ = (id) => document.getElementById(id);
let shown = 0;

export function setup(navigate) {
  $("top-form").addEventListener("submit", (event) => {
    event.preventDefault();
    navigate({
      view: "top",
      project: $("top-project").value.trim(),
      month: $("top-month").value,
      access: $("top-access").value,
      limit: $("top-limit").value.trim(),
    });
  });
}

export async function show(state) {
  const run = ++shown;
  const month = state.month || lastCompleteMonth();
  $("top-project").value = state.project;
  $("top-month").value = month;
  $("top-access").value = state.access;
  $("top-limit").value = state.limit;
  const errors = $("top-errors");
  const results = $("top-results");
  errors.replaceChildren();
  results.setAttribute("aria-busy", "true");
  $("top-status").textContent = "Asking for the list…";
  let answer;
  try {
    answer = await getJson(topUrl(state.project, month, state));
  } catch (error) {
    if (run !== shown) return;
    results.hidden = true;
    $("top-status").textContent = "";
    errors.append(el("p", {}, error.message));
    return;
  } finally {
    results.removeAttribute("aria-busy");
  }
  if (run !== shown) return;
  $("top-status").replaceChildren(
    `The ${answer.items.length} most viewed pages of ${answer.project} in ${periodLabel(answer.month, true)}. The same as `,
    el("a", { href: topUrl(state.project, month, state, "csv"), "data-format": "csv" }, "CSV"),
    " or ",
    el("a", { href: topUrl(state.project, month, state, "json"), "data-format": "json" }, "JSON"),
    ".",
  );
  $("top-caption").textContent = `Most viewed, ${periodLabel(answer.month, true)}`;
  const rows = answer.items.map((item) =>
    el(
      "tr",
      {},
      el("td", { className: "n" }, number(item.rank)),
      el("th", { scope: "row", className: "article" }, el("a", { href: wikiUrl(answer.project, item.article) }, displayTitle(item.article))),
      el("td", { className: "n" }, number(item.views)),
      el(
        "td",
        {},
        el(
          "a",
          { href: toHash({ view: "compare", project: answer.project, articles: [item.article], range: "last-30-days", access: state.access, agent: "user", redirects: "exact" }) },
          "Compare",
          el("span", { className: "visually-hidden" }, ` ${displayTitle(item.article)}`),
        ),
      ),
    ),
  );
  $("top-table").tBodies[0].replaceChildren(...rows);
  results.hidden = false;
}
