// The page's state lives in the URL's fragment, so a view can be shared or bookmarked and the back button
// works; browsers never send the fragment, so the server sees `/` whatever the page shows. A preset range
// ("last 30 days") is kept by name and means the days before the moment the link is opened; a custom range
// keeps its dates.

export const VIEWS = ["compare", "top", "langviews"];
export const MAX_ARTICLES = 10;

const COMPARE = { project: "en.wikipedia", range: "last-30-days", access: "all-access", agent: "user", redirects: "exact" };
const TOP = { project: "en.wikipedia", access: "all-access", limit: "25" };
const LANGVIEWS = { project: "en.wikipedia", range: "last-30-days", access: "all-access", agent: "user" };

export function readHash(hash = window.location.hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const view = VIEWS.includes(params.get("view")) ? params.get("view") : "compare";
  const text = (name, fallback = "") => params.get(name)?.trim() || fallback;
  if (view === "top") {
    return { view, project: text("project", TOP.project), month: text("month"), access: text("access", TOP.access), limit: text("limit", TOP.limit) };
  }
  const common = {
    project: text("project", COMPARE.project),
    range: text("range", COMPARE.range),
    granularity: text("granularity"),
    from: text("from"),
    to: text("to"),
    access: text("access", COMPARE.access),
    agent: text("agent", COMPARE.agent),
  };
  if (view === "langviews") return { view, ...common, article: text("article") };
  const articles = params.getAll("article").map((title) => title.trim()).filter(Boolean);
  return { view, ...common, articles, redirects: text("redirects", COMPARE.redirects) };
}

export function toHash(state) {
  const params = new URLSearchParams({ view: state.view });
  const put = (name, value) => value && params.append(name, value);
  put("project", state.project);
  if (state.view === "top") {
    put("month", state.month);
    put("access", state.access);
    put("limit", state.limit);
    return `#${params}`;
  }
  if (state.view === "compare") state.articles.forEach((title) => put("article", title));
  else put("article", state.article);
  put("range", state.range);
  if (state.range === "custom") {
    put("granularity", state.granularity);
    put("from", state.from);
    put("to", state.to);
  }
  put("access", state.access);
  put("agent", state.agent);
  if (state.view === "compare" && state.redirects !== "exact") put("redirects", state.redirects);
  return `#${params}`;
}
