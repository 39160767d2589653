// topicwatch page: talks only to /api/, draws its charts as SVG, shows article text as text (never HTML).
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const PAGE = 20;
const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
  "#9c755f", "#7f8c99", "#2f9e9e", "#c45a9c"];

const state = {
  status: null,
  topics: [],          // every topic loaded so far
  topicTotal: 0,
  periods: [],
  map: null,
  filtersLoaded: false,
  token: sessionStorage.getItem("topicwatch-token") || "",
};

// ---- small helpers ----------------------------------------------------------------------------
const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function colour(topic) {
  if (topic === null || topic === undefined || topic < 0) return "#9aa5b1";
  if (topic < PALETTE.length) return PALETTE[topic];
  return `hsl(${(topic * 137.508) % 360}, 55%, 48%)`;
}

function topicById(id) { return state.topics.find((t) => t.topic === id); }

// A topic's line in the reader's chosen language (the header's "Lines in"), where it has one.
function topicLine(t) {
  const lang = localStorage.getItem("topicwatch-line-lang") || "";
  return (lang && t.lines && t.lines[lang]) || t.keyword_line;
}

function offerLineLanguages() {
  const langs = [...new Set(state.topics.flatMap((t) => Object.keys(t.lines || {})))].sort();
  const select = $("line-lang");
  const chosen = localStorage.getItem("topicwatch-line-lang") || "";
  select.replaceChildren(el("option", {value: "", text: "each topic's own"}),
    ...langs.map((lang) => el("option", {value: lang, text: lang, selected: lang === chosen})));
  $("line-lang-box").hidden = langs.length < 2;
}

function topicName(t) {
  return t.label || (t.keywords && t.keywords.length ? t.keywords.slice(0, 3).join(", ") : `Topic ${t.topic}`);
}

let toastTimer = null;
function toast(message) {
  const box = $("toast");
  box.textContent = message;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, 5000);
}

function showProblem(message) {
  const box = $("problem");
  box.textContent = message || "";
  box.hidden = !message;
}

class ApiError extends Error {
  constructor(status, detail) { super(detail); this.status = status; }
}

async function api(path, options = {}) {
  const response = await fetch(path, {headers: {"Accept": "application/json", ...(options.headers || {})},
    method: options.method || "GET", body: options.body});
  let payload = null;
  try { payload = await response.json(); } catch (_) { payload = null; }
  if (!response.ok) {
    const detail = payload && typeof payload.detail === "string" ? payload.detail : `HTTP ${response.status}`;
    throw new ApiError(response.status, detail);
  }
  return payload;
}

// An editing call: sends the token when there is one; on 401 asks for it once and retries.
async function edit(path, method, body) {
  const send = () => api(path, {method, body: JSON.stringify(body),
    headers: {"Content-Type": "application/json", ...(state.token ? {"Authorization": `Bearer ${state.token}`} : {})}});
  try {
    return await send();
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    const given = window.prompt("This server needs its token to edit. Token:");
    if (!given) throw error;
    state.token = given.trim();
    sessionStorage.setItem("topicwatch-token", state.token);
    return send();
  }
}

function plural(n, word) { return `${n.toLocaleString()} ${word}${n === 1 ? "" : "s"}`; }

function articleMeta(a) {
  return [a.date || "undated", a.source, a.language].filter(Boolean).join(" · ");
}

// ---- charts -----------------------------------------------------------------------------------
function sparkline(counts, stroke) {
  const w = 110, h = 26, top = Math.max(1, ...counts);
  const step = counts.length > 1 ? w / (counts.length - 1) : 0;
  const points = counts.map((c, i) => `${(i * step).toFixed(1)},${(h - 2 - (c / top) * (h - 4)).toFixed(1)}`);
  const line = svg("polyline", {points: points.join(" "), fill: "none", stroke, "stroke-width": 1.6,
    "stroke-linejoin": "round"});
  return svg("svg", {viewBox: `0 0 ${w} ${h}`, width: w, height: h, class: "spark", role: "img",
    "aria-label": `articles per month: ${counts.join(", ")}`}, line);
}

function barChart(periods, counts, fill) {
  const w = 760, h = 220, left = 34, bottom = 26, top = 10;
  const max = Math.max(1, ...counts);
  const inner = w - left - 6, barW = inner / Math.max(1, counts.length);
  const chart = svg("svg", {viewBox: `0 0 ${w} ${h}`, role: "img", "aria-label": "articles per month"});
  chart.append(svg("line", {x1: left, y1: h - bottom, x2: w - 6, y2: h - bottom, class: "axis"}));
  for (const frac of [0.5, 1]) {
    const y = h - bottom - frac * (h - bottom - top);
    chart.append(svg("line", {x1: left, y1: y, x2: w - 6, y2: y, class: "axis", "stroke-dasharray": "3 3"}));
    chart.append(svg("text", {x: left - 5, y: y + 4, "text-anchor": "end"}, String(Math.round(frac * max))));
  }
  counts.forEach((c, i) => {
    const bh = (c / max) * (h - bottom - top);
    const rect = svg("rect", {x: left + i * barW + 1, y: h - bottom - bh, width: Math.max(1, barW - 2),
      height: bh, class: "bar-rect", fill});
    rect.append(svg("title", {}, `${periods[i]}: ${plural(c, "article")}`));
    chart.append(rect);
    const label = periods[i];
    if (label.endsWith("-01") || i === 0) {
      chart.append(svg("text", {x: left + i * barW + 1, y: h - 8}, label.endsWith("-01") ? label.slice(0, 4) : label));
    }
  });
  return chart;
}

function drawMap(container, data) {
  container.replaceChildren();
  const w = 800, h = 600, pad = 14;
  const plot = svg("svg", {viewBox: `0 0 ${w} ${h}`, role: "img", "aria-label": `${data.shown} articles`});
  const group = svg("g", {});
  for (let i = 0; i < data.id.length; i++) {
    const cx = pad + ((data.x[i] + 1) / 2) * (w - 2 * pad);
    const cy = pad + ((1 - data.y[i]) / 2) * (h - 2 * pad);
    group.append(svg("circle", {cx: cx.toFixed(1), cy: cy.toFixed(1), r: data.id.length > 2000 ? 2.6 : 4.2,
      fill: colour(data.topic[i]), "data-i": i}));
  }
  plot.append(group);
  const tip = $("tooltip");
  plot.addEventListener("mousemove", (event) => {
    const i = event.target.getAttribute && event.target.getAttribute("data-i");
    if (i === null || i === undefined) { tip.hidden = true; return; }
    const t = topicById(data.topic[i]);
    tip.replaceChildren(el("div", {text: data.title[i] || data.id[i]}),
      el("div", {class: "tip-line", text: t ? `${t.label ? t.label + " — " : ""}${topicLine(t)}` : ""}));
    tip.style.left = `${Math.min(event.clientX + 14, window.innerWidth - 370)}px`;
    tip.style.top = `${event.clientY + 14}px`;
    tip.hidden = false;
  });
  plot.addEventListener("mouseleave", () => { tip.hidden = true; });
  plot.addEventListener("click", (event) => {
    const i = event.target.getAttribute && event.target.getAttribute("data-i");
    if (i !== null && i !== undefined) location.hash = `#/topic/${data.topic[i]}`;
  });
  container.append(plot);
}

function focusTopic(topic) {
  const circles = document.querySelectorAll("#map circle");
  if (!state.map) return;
  circles.forEach((c) => {
    const mine = topic === null || state.map.topic[c.getAttribute("data-i")] === topic;
    c.classList.toggle("dim", !mine);
  });
}

// ---- views ------------------------------------------------------------------------------------
function showView(name) {
  for (const view of ["home", "topic", "search"]) $(`view-${view}`).hidden = view !== name;
  $("tooltip").hidden = true;
}

async function loadStatus() {
  state.status = await api("/api/status");
  const s = state.status;
  $("archive-info").textContent = `${s.archive} · ${plural(s.articles, "article")}` +
    (s.model ? ` · ${plural(s.topics, "topic")}` : " · no topics yet");
}

async function loadTopics(more = false) {
  const page = await api(`/api/topics?limit=200&offset=${more ? state.topics.length : 0}`);
  state.topics = more ? state.topics.concat(page.items) : page.items;
  state.topicTotal = page.total;
  state.periods = page.periods;
}

function topicItem(t) {
  const marks = (t.marks || []).map((m) => el("span", {class: `badge ${m}`, text: m}));
  const name = el("div", {class: "topic-name"}, el("span", {class: "id", text: `#${t.topic}`}),
    topicName(t), ...marks);
  const side = el("div", {class: "topic-side"}, sparkline(t.trend, colour(t.topic)),
    el("span", {class: "size", text: t.size.toLocaleString()}));
  const item = el("li", {class: "topic-item", "data-topic": t.topic, tabindex: 0},
    el("span", {class: "swatch"}), name, side, el("div", {class: "keyword-line", text: topicLine(t)}));
  item.querySelector(".swatch").style.background = colour(t.topic);
  item.addEventListener("click", () => { location.hash = `#/topic/${t.topic}`; });
  item.addEventListener("keydown", (e) => { if (e.key === "Enter") location.hash = `#/topic/${t.topic}`; });
  item.addEventListener("mouseenter", () => focusTopic(t.topic));
  item.addEventListener("mouseleave", () => focusTopic(null));
  return item;
}

function renderTopicList() {
  offerLineLanguages();
  $("topic-list").replaceChildren(...state.topics.map(topicItem));
  $("topic-count").textContent = `${state.topicTotal} · ${state.periods[0] || ""}${state.periods.length ? " – " : ""}${state.periods[state.periods.length - 1] || ""}`;
  $("topics-more").hidden = state.topics.length >= state.topicTotal;
}

async function renderHome() {
  showView("home");
  await loadTopics();
  renderTopicList();
  if (!state.map) {
    $("map-note").textContent = "loading…";
    state.map = await api("/api/map");
  }
  const m = state.map;
  $("map-note").textContent = m.shown < m.total ? `${m.shown.toLocaleString()} of ${m.total.toLocaleString()} articles (sample)`
    : plural(m.total, "article");
  drawMap($("map"), m);
  await renderEvents();
  document.body.dataset.ready = "home";
}

// What happened when: the strongest bursts (the one burst model, /api/events) on a timeline of the
// archive's weeks, each marked by how many times its usual share it took; click one for its articles.
async function renderEvents() {
  const found = await api("/api/events?limit=15");
  const bursts = found.bursts.slice().sort((a, b) => (a.start < b.start ? -1 : 1));
  $("events-note").textContent = bursts.length ? `the ${bursts.length} strongest bursts, in time order` : "no bursts";
  const ends = bursts.map((b) => b.start).concat(bursts.map((b) => b.end)).sort();
  const span = [ends[0] || "", ends[ends.length - 1] || ""];
  const width = 800, height = 60;
  const position = (label) => {
    const [a, b] = [weekNumber(span[0]), weekNumber(span[1])];
    return 10 + (b > a ? (weekNumber(label) - a) / (b - a) : 0.5) * (width - 20);
  };
  const marks = bursts.map((b, i) => {
    const ratio = b.baseline > 0 ? b.share / b.baseline : 1;
    const tall = Math.min(height - 14, 8 + 6 * Math.log2(Math.max(ratio, 1)));
    const mark = svg("rect", {x: position(b.start), y: height - 12 - tall, width: Math.max(3, position(b.end) - position(b.start)),
      height: tall, fill: colour(b.topic), "data-event": i, class: "event-mark"});
    mark.appendChild(svg("title", {}, `${b.start} – ${b.end}: ${burstLine(b)}`));
    mark.addEventListener("click", () => openEvent(i));
    return mark;
  });
  const axis = [svg("line", {x1: 10, x2: width - 10, y1: height - 12, y2: height - 12, class: "axis"}),
    svg("text", {x: 10, y: height - 1}, span[0] || ""), svg("text", {x: width - 10, y: height - 1, "text-anchor": "end"}, span[1] || "")];
  $("timeline").replaceChildren(svg("svg", {viewBox: `0 0 ${width} ${height}`, class: "chart"}, ...axis, ...marks));
  $("timeline").hidden = !bursts.length;
  $("events-list").replaceChildren(...bursts.map((b, i) => {
    const articles = el("ol", {class: "event-articles", hidden: ""},
      ...b.top_articles.map((a) => el("li", {text: `${a.date} ${a.title || a.id}`})));
    const item = el("li", {class: "event", "data-event": i},
      el("span", {class: "when", text: `${b.start} – ${b.end}`}),
      el("span", {class: "ratio", text: `${(b.share * 100).toFixed(1)}% (usually ${(b.baseline * 100).toFixed(1)}%)`}),
      el("a", {href: `#/topic/${b.topic}`, class: "topic-link", text: `#${b.topic}`}),
      el("div", {class: "keyword-line", text: burstLine(b)}), articles);
    item.addEventListener("click", (e) => { if (e.target.tagName !== "A") openEvent(i); });
    return item;
  }));
}

// An event's own words say what happened; a topic's burst is told by the story most of it is in.
function burstLine(b) {
  return b.level === "event" ? b.keyword_line : (b.story_line || b.keyword_line);
}

function weekNumber(label) {  // "2011-W51" (or a day, month, year label) -> a number that orders them
  const m = /^(\d{4})-W(\d{2})$/.exec(label || "");
  return m ? Number(m[1]) * 53 + Number(m[2]) : Date.parse(label) / 6.048e8;
}

function openEvent(i) {
  for (const item of document.querySelectorAll("#events-list .event")) {
    const open = Number(item.dataset.event) === i;
    item.classList.toggle("open", open);
    item.querySelector(".event-articles").hidden = !open;
  }
}

const topicView = {topic: null, label: null, offset: 0, total: 0, story: null};

async function renderTopic(id, offset) {
  showView("topic");
  $("rename-form").hidden = true;
  const t = await api(`/api/topics/${id}`);
  topicView.topic = t.topic;
  topicView.label = t.label;
  const known = state.topics.findIndex((x) => x.topic === t.topic);
  if (known >= 0) state.topics[known] = {...state.topics[known], label: t.label};
  $("topic-swatch").style.background = colour(t.topic);
  $("topic-title").textContent = `${topicName(t)}`;
  $("topic-title").title = `topic ${t.topic}`;
  $("topic-marks").replaceChildren(...t.marks.map((m) => el("span", {class: `badge ${m}`, text: m})));
  $("topic-line").textContent = topicLine(t);
  $("topic-meta").textContent = `topic ${t.topic} · ${plural(t.size, "article")} · ${t.first_date || "?"} – ${t.last_date || "?"}`;
  const trend = t.trend_by_month;
  $("topic-chart").replaceChildren(trend.periods.length ? barChart(trend.periods, trend.counts, colour(t.topic))
    : el("p", {class: "muted", text: "No dated articles."}));
  $("topic-lines").replaceChildren(...t.keyword_lines.map((v) => el("li", {},
    el("div", {class: "keyword-line", text: v.keyword_line}),
    el("div", {class: "muted small", text: `model ${v.model}, since ${v.since || "?"}${v.current ? " (current)" : ""}`}))));
  const editMode = state.status ? state.status.edit : "open";
  for (const button of ["rename-btn", "merge-btn", "split-btn"]) {
    $(button).disabled = editMode === "off";
    $(button).title = editMode === "off" ? "Editing is off: this server is reachable beyond localhost without a token" : "";
  }
  topicView.story = null;
  $("topic-stories").replaceChildren(...t.stories.map((st) => {
    const pick = el("button", {class: "story-pick", type: "button", "data-story": String(st.story),
      text: `story ${st.story} · ${plural(st.size, "article")}`});
    pick.addEventListener("click", () => {
      topicView.story = topicView.story === st.story ? null : st.story;
      for (const b of document.querySelectorAll(".story-pick")) b.classList.toggle("active", Number(b.dataset.story) === topicView.story);
      renderTopicArticles(t.topic, 0);
    });
    return el("li", {}, pick, el("div", {class: "keyword-line", text: st.keyword_line}));
  }));
  await renderTopicArticles(t.topic, offset);
  document.body.dataset.ready = "topic";
}

async function renderTopicArticles(topic, offset) {
  const story = topicView.story === null ? "" : `&story=${topicView.story}`;
  const page = await api(`/api/topics/${topic}/articles?limit=${PAGE}&offset=${offset}${story}`);
  topicView.offset = offset;
  topicView.total = page.total;
  $("topic-articles").replaceChildren(...page.items.map((a) => articleItem(a,
    el("div", {class: "keyword-line article-line", text: a.article_line}), el("p", {class: "excerpt", text: a.excerpt}))));
  const last = Math.min(page.total, offset + page.items.length);
  $("articles-note").textContent = `${topicView.story === null ? "" : `story ${topicView.story} · `}newest first · ${page.total ? offset + 1 : 0}–${last} of ${page.total.toLocaleString()}`;
  $("articles-page").textContent = `page ${Math.floor(offset / PAGE) + 1} of ${Math.max(1, Math.ceil(page.total / PAGE))}`;
  $("articles-prev").disabled = offset === 0;
  $("articles-next").disabled = last >= page.total;
}

// An article line: its title opens the article in the seed format (keyword line above the text).
function articleItem(a, ...extra) {
  const holder = el("div", {class: "seed-holder"});
  const title = el("button", {class: "article-title", type: "button", "aria-expanded": "false", text: a.title || a.id});
  title.addEventListener("click", async () => {
    if (holder.firstChild) { holder.replaceChildren(); title.setAttribute("aria-expanded", "false"); return; }
    try {
      const full = await api(`/api/articles/${encodeURIComponent(a.id)}`);
      const [line, ...body] = full.seed.split("\n");
      holder.replaceChildren(el("div", {class: "seed"}, el("div", {class: "seed-line", text: line}),
        el("div", {class: "seed-body", text: body.join("\n")})));
      title.setAttribute("aria-expanded", "true");
    } catch (error) { toast(error.message); }
  });
  return el("li", {"data-id": a.id}, title, el("div", {class: "article-meta", text: articleMeta(a)}), ...extra, holder);
}

// ---- search -----------------------------------------------------------------------------------
const SEARCH_KEYS = ["q", "mode", "topic", "from", "to", "lang", "source"];

function searchParamsFromForms(offset = 0) {
  const params = new URLSearchParams();
  const values = {q: $("q").value, mode: $("mode").value, topic: $("f-topic").value, from: $("f-from").value,
    to: $("f-to").value, lang: $("f-lang").value, source: $("f-source").value};
  for (const key of SEARCH_KEYS) if (values[key]) params.set(key, values[key]);
  if (offset) params.set("offset", String(offset));
  return params;
}

async function loadFilters() {
  if (state.filtersLoaded) return;
  if (!state.topics.length) { try { await loadTopics(); } catch (_) { /* no topics yet */ } }
  const f = await api("/api/filters");
  $("f-topic").replaceChildren(el("option", {value: "", text: "any"}),
    ...state.topics.map((t) => el("option", {value: t.topic, text: `#${t.topic} ${topicName(t)}`})));
  $("f-lang").replaceChildren(el("option", {value: "", text: "any"}), ...f.languages.map((l) => el("option", {value: l, text: l})));
  $("f-source").replaceChildren(el("option", {value: "", text: "any"}), ...f.sources.map((s) => el("option", {value: s, text: s})));
  state.filtersLoaded = true;
}

function matchParagraph(parts) {
  return el("p", {class: "match"}, ...parts.map((p) => (p.hit ? el("mark", {text: p.text}) : p.text)));
}

async function renderSearch(params) {
  showView("search");
  await loadFilters();
  $("q").value = params.get("q") || "";
  $("mode").value = params.get("mode") || "combined";
  $("f-topic").value = params.get("topic") || "";
  $("f-from").value = params.get("from") || "";
  $("f-to").value = params.get("to") || "";
  $("f-lang").value = params.get("lang") || "";
  $("f-source").value = params.get("source") || "";
  const offset = Number(params.get("offset") || 0);
  const query = new URLSearchParams(params);
  query.set("limit", String(PAGE));
  $("search-note").textContent = "searching…";
  $("results").replaceChildren();
  let result;
  try {
    result = await api(`/api/search?${query}`);
  } catch (error) {
    $("search-note").textContent = error.message;
    document.body.dataset.ready = "search";
    return;
  }
  const items = result.items.map((hit) => {
    const t = hit.topic === null ? null : topicById(hit.topic);
    const topicLink = hit.topic === null ? null : el("a", {href: `#/topic/${hit.topic}`, class: "topic-link"},
      el("span", {class: "swatch"}), ` ${t ? topicName(t) : "topic " + hit.topic}`);
    if (topicLink) topicLink.querySelector(".swatch").style.background = colour(hit.topic);
    const ranks = [hit.keyword_rank ? `words #${hit.keyword_rank}` : null,
      hit.meaning_rank ? `meaning #${hit.meaning_rank}` : null].filter(Boolean).join(" · ");
    const item = articleItem(hit, el("div", {class: "keyword-line", text: hit.keyword_line || ""}), matchParagraph(hit.match));
    const meta = item.querySelector(".article-meta");
    if (topicLink) meta.append(" · ", topicLink);
    meta.append(el("span", {class: "ranks", text: ranks}));
    return item;
  });
  $("results").replaceChildren(...items);
  const q = params.get("q") || "";
  $("search-note").textContent = !q.trim() ? "Type words to search for."
    : items.length ? `Results ${offset + 1}–${offset + items.length} for “${q}”` : `Nothing found for “${q}”.`;
  $("results-prev").disabled = offset === 0;
  $("results-next").disabled = items.length < PAGE;
  $("results-page").textContent = `page ${Math.floor(offset / PAGE) + 1}`;
  document.body.dataset.ready = "search";
}

// ---- editing ----------------------------------------------------------------------------------
async function rename(event) {
  event.preventDefault();
  const topic = topicView.topic;
  try {
    const saved = await edit(`/api/topics/${topic}/label`, "PUT", {label: $("rename-input").value});
    $("rename-form").hidden = true;
    toast(saved.label ? `Topic ${topic} is now “${saved.label}”.` : `Topic ${topic} has no name now.`);
    await renderTopic(topic, topicView.offset);
  } catch (error) { toast(error.message); }
}

async function structuralEdit(path, body, goTo) {
  try {
    const result = await edit(path, "POST", body);
    toast(goTo(result).message);
    location.hash = goTo(result).hash;
  } catch (error) { toast(error.message); }
}

// ---- routing ----------------------------------------------------------------------------------
async function route() {
  document.body.dataset.ready = "";
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, queryString] = hash.split("?");
  const params = new URLSearchParams(queryString || "");
  showProblem("");
  try {
    if (!state.status) await loadStatus();
    const topicMatch = path.match(/^\/topic\/(-?\d+)$/);
    if (topicMatch) await renderTopic(Number(topicMatch[1]), Number(params.get("offset") || 0));
    else if (path === "/search") await renderSearch(params);
    else await renderHome();
  } catch (error) {
    showProblem(error.message);
    document.body.dataset.ready = "error";
  }
}

function start() {
  const tokenInHash = location.hash.match(/[#&]token=([^&]+)/);
  if (tokenInHash) {
    state.token = decodeURIComponent(tokenInHash[1]);
    sessionStorage.setItem("topicwatch-token", state.token);
    history.replaceState(null, "", location.pathname);
  }
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = `#/search?${searchParamsFromForms()}`;
  });
  $("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = `#/search?${searchParamsFromForms()}`;
  });
  $("results-prev").addEventListener("click", () => {
    const params = new URLSearchParams(location.hash.split("?")[1] || "");
    location.hash = `#/search?${searchParamsFromForms(Math.max(0, Number(params.get("offset") || 0) - PAGE))}`;
  });
  $("results-next").addEventListener("click", () => {
    const params = new URLSearchParams(location.hash.split("?")[1] || "");
    location.hash = `#/search?${searchParamsFromForms(Number(params.get("offset") || 0) + PAGE)}`;
  });
  $("articles-prev").addEventListener("click", () => renderTopicArticles(topicView.topic, Math.max(0, topicView.offset - PAGE)));
  $("articles-next").addEventListener("click", () => renderTopicArticles(topicView.topic, topicView.offset + PAGE));
  $("topics-more").addEventListener("click", async () => { await loadTopics(true); renderTopicList(); });
  $("rename-btn").addEventListener("click", () => {
    $("rename-input").value = topicView.label || "";
    $("rename-form").hidden = false;
    $("rename-input").focus();
  });
  $("rename-cancel").addEventListener("click", () => { $("rename-form").hidden = true; });
  $("rename-form").addEventListener("submit", rename);
  $("merge-btn").addEventListener("click", () => {
    const other = window.prompt(`Merge topic ${topicView.topic} with which topic(s)? Ids, comma-separated:`);
    if (!other) return;
    const ids = other.split(",").map((s) => Number(s.trim())).filter((n) => Number.isInteger(n));
    structuralEdit("/api/topics/merge", {topics: [topicView.topic, ...ids]},
      (r) => ({message: `Merged ${r.merged.join(", ")} into ${r.topic}`, hash: `/topic/${r.topic}`}));
  });
  $("split-btn").addEventListener("click", () => structuralEdit(`/api/topics/${topicView.topic}/split`, {parts: 2},
    (r) => ({message: `Split ${r.topic} into ${r.parts.join(", ")}`, hash: `/topic/${r.parts[0]}`})));
  $("line-lang").addEventListener("change", (e) => {
    localStorage.setItem("topicwatch-line-lang", e.target.value);
    route();
  });
  window.addEventListener("hashchange", route);
  route();
}

document.addEventListener("DOMContentLoaded", start);
