// How the page asks the service: the same URLs it links to as CSV and JSON, and every refusal turned into a
// sentence from the RFC 9457 problem the API answers with.

import { sentence } from "./format.js";

/** A failed request, with a sentence a person can read (the problem's detail, or its title). */
export class Failure extends Error {
  constructor(message, code = "") {
    super(message);
    this.code = code;
  }
}

const path = (...segments) => segments.map((segment) => encodeURIComponent(segment)).join("/");

function withQuery(base, parameters, format) {
  const query = new URLSearchParams(Object.entries(parameters).filter(([, value]) => value));
  if (format) query.set("format", format);
  const text = query.toString();
  return text ? `${base}?${text}` : base;
}

export function seriesUrl(project, article, query, format) {
  const { from, to, granularity, access, agent, redirects } = query;
  const parameters = { from, to, granularity, access, agent };
  if (redirects && redirects !== "exact") parameters.redirects = redirects;
  return withQuery(`/v1/pageviews/${path(project, article)}`, parameters, format);
}

export function topUrl(project, month, query, format) {
  return withQuery(`/v1/top/${path(project, month)}`, { access: query.access, limit: query.limit }, format);
}

export function langviewsUrl(project, article, query, format) {
  const { from, to, granularity, access, agent } = query;
  return withQuery(`/v1/langviews/${path(project, article)}`, { from, to, granularity, access, agent }, format);
}

/** The article on its wiki (`en.wikipedia` is en.wikipedia.org). */
export function wikiUrl(project, title) {
  return `https://${project}.org/wiki/${encodeURIComponent(title).replaceAll("%2F", "/")}`;
}

export async function getJson(url) {
  let response;
  try {
    response = await fetch(url, { headers: { Accept: "application/json" } });
  } catch {
    throw new Failure("The service could not be reached. Check the connection and try again.", "network");
  }
  if (response.ok) return response.json();
  throw await failureOf(response);
}

async function failureOf(response) {
  const type = response.headers.get("content-type") || "";
  if (type.includes("json")) {
    try {
      const problem = await response.json();
      return new Failure(sentence(problem.detail || problem.title || response.statusText), problem.code || "");
    } catch {
      // not the JSON it said it was: fall through to the status
    }
  }
  return new Failure(sentence(`the service answered ${response.status} ${response.statusText}`.trim()));
}
