// hecbot dashboard: a Telegram Mini App with no third-party script. Identity comes from the
// launch parameters Telegram puts in the URL fragment (the same `initData` telegram-web-app.js
// exposes), or from a one-time sign-in link; every API call carries it for the server to check.
"use strict";

const state = { auth: null, me: null, texts: {}, tab: "overview", timer: null, features: [] };
const page = () => document.getElementById("page");

function launchParams() {
  const hash = new URLSearchParams(location.hash.slice(1));
  const fromScript = window.Telegram && window.Telegram.WebApp && window.Telegram.WebApp.initData;
  return {
    initData: fromScript || hash.get("tgWebAppData") || "",
    theme: hash.get("tgWebAppThemeParams"),
  };
}

function applyTheme(themeJson) {
  if (!themeJson) return;
  try {
    const theme = JSON.parse(themeJson);
    for (const [key, value] of Object.entries(theme)) {
      document.documentElement.style.setProperty(`--tg-theme-${key.replace(/_/g, "-")}`, value);
    }
  } catch (error) { /* a malformed theme leaves the defaults */ }
}

async function authenticate() {
  const params = launchParams();
  applyTheme(params.theme);
  if (params.initData) {
    state.auth = `tma ${params.initData}`;
    return;
  }
  const query = new URLSearchParams(location.search);
  const token = query.get("login");
  if (token) {
    history.replaceState(null, "", location.pathname);
    const response = await fetch("api/session", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token }),
    });
    if (response.ok) sessionStorage.setItem("hecbot-session", (await response.json()).session);
  }
  const session = sessionStorage.getItem("hecbot-session");
  if (session) state.auth = `Bearer ${session}`;
}

async function api(path, params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== "" && v != null));
  const url = `api/${path}${query.toString() ? "?" + query : ""}`;
  const response = await fetch(url, { headers: { Authorization: state.auth || "" } });
  if (!response.ok) {
    const error = new Error(`HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return response;
}
const getJson = async (path, params) => (await api(path, params)).json();

const t = (key) => state.texts[key] || key;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "style") Object.assign(node.style, value); // CSSOM: allowed by the CSP
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null) node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const number = (value) => new Intl.NumberFormat(state.me?.language === "ur" ? "ur-PK" : "en-PK").format(value);
const percent = (share) => (share === null || share === undefined ? "–" : `${Math.round(share * 100)}%`);
const when = (iso) => iso ? new Date(iso).toLocaleString(state.me?.language === "ur" ? "ur-PK" : "en-GB",
  { timeZone: "Asia/Karachi", dateStyle: "medium", timeStyle: "short" }) : "–";

function showMessage(text) {
  const box = document.getElementById("message");
  box.textContent = text;
  box.hidden = !text;
}

function filterValues() {
  const form = document.getElementById("filters");
  return Object.fromEntries(new FormData(form).entries());
}

function card(label, value, testid) {
  return el("div", { class: "card", "data-testid": testid },
    el("div", { class: "value" }, number(value)), el("div", { class: "label" }, label));
}

function dayChart(days) {
  if (!days.length) return el("p", { class: "muted" }, t("empty"));
  const width = 600, height = 160, pad = 18;
  const max = Math.max(...days.map((d) => d.answered + d.declined), 1);
  const step = (width - pad) / days.length;
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("class", "chart");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", t("questions-per-day"));
  days.forEach((day, index) => {
    const x = pad + index * step;
    const scale = (height - pad * 2) / max;
    const answeredHeight = day.answered * scale, declinedHeight = day.declined * scale;
    for (const [cls, h, y] of [["answered", answeredHeight, height - pad - answeredHeight],
                               ["declined", declinedHeight, height - pad - answeredHeight - declinedHeight]]) {
      const rect = document.createElementNS(svg.namespaceURI, "rect");
      Object.entries({ x, y, width: Math.max(step - 2, 1), height: h, class: cls })
        .forEach(([k, v]) => rect.setAttribute(k, v));
      const title = document.createElementNS(svg.namespaceURI, "title");
      title.textContent = `${day.day}: ${day.answered} / ${day.declined}`;
      rect.append(title);
      svg.append(rect);
    }
  });
  const label = document.createElementNS(svg.namespaceURI, "text");
  label.setAttribute("x", pad); label.setAttribute("y", 12);
  label.textContent = number(max);
  svg.append(label);
  return svg;
}

function hbars(bars) {
  return el("div", {}, bars.map((bar) => el("div", { class: "hbar" },
    el("span", { class: "label" }, bar.label),
    el("span", { class: "track" }, el("span", { class: "fill", style: { width: `${Math.round(bar.share * 100)}%`, display: "block" } })),
    el("span", { class: "num" }, `${number(bar.count)}`))));
}

function table(headers, rows, testid) {
  return el("table", { class: "wide", "data-testid": testid },
    el("thead", {}, el("tr", {}, headers.map(([label, cls]) => el("th", { class: cls || "" }, label)))),
    el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((cell, i) =>
      el("td", { class: headers[i][1] || "", "data-label": headers[i][0] }, cell))))));
}

const universityName = (id) => {
  if (id === null || id === undefined) return t("no-university");
  const found = (state.me.universities || []).find((u) => u.id === Number(id));
  return found ? found.name : `#${id}`;
};

// --- pages ---------------------------------------------------------------------------------

async function overviewPage() {
  const data = await getJson("overview", filterValues());
  return [
    el("div", { class: "cards" },
      card(t("learners-onboarded"), data.learners_onboarded, "learners"),
      card(t("questions"), data.questions, "questions"),
      card(t("answered"), data.answered, "answered"),
      card(t("declined"), data.declined, "declined"),
      card(`👍 ${t("helpful")}`, data.thumbs_up, "thumbs-up"),
      card(`👎 ${t("not-helpful")}`, data.thumbs_down, "thumbs-down"),
      card(t("open-tickets"), data.open_tickets, "open-tickets")),
    el("section", {}, el("h2", {}, t("questions-per-day")), dayChart(data.per_day)),
  ];
}

async function gapsPage() {
  const gaps = await getJson("gaps", filterValues());
  if (!gaps.length) return [el("p", { class: "muted" }, t("empty"))];
  const canDraft = state.features.includes("faq_drafts");
  return [el("h2", {}, t("gaps-title")), table(
    [[t("question")], [t("times-asked"), "num"], [t("last-asked")], canDraft ? [""] : null].filter(Boolean),
    gaps.map((gap) => [gap.question, number(gap.count), when(gap.last_asked),
      canDraft ? el("button", { class: "action", "data-action": "draft",
        onclick: (event) => event.target.replaceWith(draftForm(gap.question)) }, t("draft-faq")) : null]
      .filter((cell, i) => i < 3 || canDraft)),
    "gaps")];
}

function draftForm(question) {
  // Written in place under the gap; saved as a draft that answers nobody until HEC approves it.
  const answer = el("textarea", { name: "answer", rows: 4, required: "required" });
  const heading = el("input", { name: "question", value: question, required: "required" });
  const form = el("form", { class: "draft", "data-testid": "draft-form" },
    el("label", {}, t("question"), heading),
    el("label", {}, t("answer"), answer),
    el("button", { class: "action", type: "submit" }, t("save-draft")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const ok = await send("faq/drafts", {
      question: heading.value, answer: answer.value,
      university_id: filterValues().university || null,
    });
    if (ok) form.replaceWith(el("p", { class: "muted", "data-testid": "draft-saved" }, t("draft-created")));
  });
  return form;
}

async function send(path, body) {
  const response = await fetch(`api/${path}`, {
    method: "POST",
    headers: { Authorization: state.auth, "Content-Type": "application/json" },
    body: JSON.stringify(body || {}),
  });
  showMessage(response.ok ? "" : response.status === 403 ? t("forbidden") : t("error"));
  return response.ok;
}

async function faqPage() {
  const drafts = await getJson("faq/drafts");
  if (!drafts.length) return [el("h2", {}, t("faq-review")), el("p", { class: "muted" }, t("empty"))];
  const scopeOptions = (selected) => [
    el("option", { value: "" }, t("everyone")),
    ...(state.me.universities || []).map((u) =>
      el("option", { value: u.id, selected: u.id === selected ? "selected" : null }, u.name)),
  ];
  return [el("h2", {}, t("faq-review")), drafts.map((draft) => {
    const heading = el("input", { name: "question", value: draft.question });
    const answer = el("textarea", { name: "answer", rows: 5 }, draft.answer);
    const scope = el("select", { name: "university_id" }, scopeOptions(draft.university_id));
    const done = (key) => () => render(faqPage).then(() => showMessage(t(key)));
    return el("section", { class: "card", "data-testid": "faq-draft", "data-id": draft.id },
      el("label", {}, t("question"), heading),
      el("label", {}, t("answer"), answer),
      el("label", {}, t("answers-whom"), scope),
      el("p", { class: "muted" }, `${draft.from_ticket ? t("from-ticket") : t("from-gap")} · ${when(draft.created_at)}`),
      el("p", {},
        el("button", { class: "action", "data-action": "save", onclick: async () => {
          if (await send(`faq/drafts/${draft.id}`, { question: heading.value, answer: answer.value, university_id: scope.value || null })) done("saved")();
        } }, t("save")), " ",
        el("button", { class: "action", "data-action": "approve", onclick: async () => {
          if (await send(`faq/drafts/${draft.id}`, { question: heading.value, answer: answer.value, university_id: scope.value || null })
              && await send(`faq/drafts/${draft.id}/approve`)) done("approved")();
        } }, t("approve")), " ",
        el("button", { class: "action", "data-action": "reject", onclick: async () => {
          if (await send(`faq/drafts/${draft.id}/reject`)) done("rejected")();
        } }, t("reject"))));
  })];
}

async function surveysPage() {
  const surveys = await getJson("surveys");
  if (!surveys.length) return [el("p", { class: "muted" }, t("empty"))];
  return [el("h2", {}, t("surveys")), table(
    [[t("survey")], [t("responses"), "num"], [t("waves"), "num"], [""]],
    surveys.map((s) => [s.title, number(s.responses), number(s.waves),
      el("button", { class: "action", "data-slug": s.slug, onclick: () => openSurvey(s.slug) }, t("open"))]),
    "surveys")];
}

async function openSurvey(slug) {
  await render(async () => {
    const params = { ...filterValues(), lang: state.me.language };
    delete params.city;
    const data = await getJson(`surveys/${encodeURIComponent(slug)}`, params);
    const results = data.results;
    const download = (format) => async () => {
      const response = await api(`surveys/${encodeURIComponent(slug)}/export`, { ...params, format });
      const link = el("a", { href: URL.createObjectURL(await response.blob()), download: `${slug}.${format}` });
      document.body.append(link); link.click(); link.remove();
    };
    return [
      el("h2", { "data-testid": "survey-title" }, results.title),
      el("div", { class: "cards" },
        card(t("invited"), results.invited, "invited"),
        card(t("responses"), results.responses, "responses"),
        el("div", { class: "card" }, el("div", { class: "value" }, percent(results.response_rate)),
          el("div", { class: "label" }, t("response-rate")))),
      el("p", {}, el("button", { class: "action", onclick: download("csv") }, "CSV"), " ",
        el("button", { class: "action", onclick: download("xlsx") }, "Excel")),
      el("section", {}, el("h2", {}, t("waves")), table(
        [[t("wave")], [t("invited"), "num"], [t("responses"), "num"], [t("response-rate"), "num"]],
        data.waves.map((w) => [w.label, number(w.invited), number(w.completed), percent(w.rate)]), "waves")),
      results.questions.map((q) => el("section", {},
        el("h2", {}, q.text),
        el("p", { class: "muted" }, `${t("answered")}: ${number(q.answered)} · ${t("skipped")}: ${number(q.skipped)}`),
        q.bars.length ? hbars(q.bars) : null,
        q.samples.length ? el("ul", {}, q.samples.map((s) => el("li", {}, s))) : null)),
      results.cross_tabs.filter((tab) => tab.rows.length).map((tab) => el("section", {},
        el("h2", {}, t(`by-${tab.dimension}`)),
        table([[tab.dimension], [t("responses"), "num"],
               ...results.headlines.map((h) => [h.text, "num"])],
          tab.rows.map((row) => [tab.dimension === "university" ? universityName(row.group) : row.group,
            number(row.responses), ...results.headlines.map((h) => percent(row.shares[h.id]))]),
          `crosstab-${tab.dimension}`))),
    ];
  });
}

async function broadcastsPage() {
  const [broadcasts, webinars] = await Promise.all([getJson("broadcasts"), getJson("webinars", { past: 1 })]);
  const sending = broadcasts.some((b) => b.state === "sending" || b.state === "queued");
  if (sending) state.timer = setTimeout(() => render(broadcastsPage, { keepTimer: true }), 3000);
  return [
    el("section", {}, el("h2", {}, t("broadcasts")), broadcasts.length ? table(
      [[t("notice")], [t("state")], [t("progress")], [t("sent"), "num"], [t("failed"), "num"], [t("blocked"), "num"]],
      broadcasts.map((b) => {
        const p = b.progress || { total: 0, done: 0, sent: 0, failed: 0, blocked: 0 };
        const share = p.total ? p.done / p.total : 0;
        return [b.preview, t(`state-${b.state}`),
          el("div", { class: "progress", title: percent(share) }, el("div", { style: { width: `${Math.round(share * 100)}%` } })),
          number(p.sent), number(p.failed), number(p.blocked)];
      }), "broadcasts") : el("p", { class: "muted" }, t("empty"))),
    el("section", {}, el("h2", {}, t("webinars")), webinars.length ? table(
      [[t("webinar")], [t("starts")], [t("rsvps"), "num"], [t("by-university")]],
      webinars.map((w) => [w.title, when(w.starts_at), number(w.rsvps_total),
        Object.entries(w.rsvps_by_university).map(([id, count]) =>
          `${id === "null" ? t("no-university") : universityName(id)}: ${number(count)}`).join(", ")]),
      "webinars") : el("p", { class: "muted" }, t("empty"))),
  ];
}

const STAGES = ["applied", "approved", "invited", "joined", "active_30d", "completed_any"];

async function licencesPage() {
  const filters = filterValues();
  const params = { university: filters.university, as_of: filters.until };
  const funnel = await getJson("licences", params);
  const top = Math.max(...STAGES.map((stage) => funnel[stage]), 1);
  const content = [
    el("h2", {}, t("funnel")),
    el("p", { class: "muted" }, `${t("as-of")} ${funnel.as_of} · ${t("membership-report")} ${funnel.membership_as_of || "–"} · ${t("usage-report")} ${funnel.usage_as_of || "–"}`),
    el("div", { "data-testid": "funnel" }, hbars(STAGES.map((stage) =>
      ({ label: t(`stage-${stage}`), count: funnel[stage], share: funnel[stage] / top })))),
    el("div", { class: "cards" },
      card(t("courses-completed"), funnel.courses_completed, "courses-completed"),
      card(t("learning-hours"), Math.round(funnel.learning_hours), "learning-hours")),
  ];
  for (const [group, rows] of [["university", funnel.by_university], ["city", funnel.by_city], ["intake", funnel.by_intake]]) {
    const entries = Object.entries(rows || {});
    if (entries.length < 2) continue;
    content.push(el("section", {}, el("h2", {}, t(`by-${group}`)), table(
      [[t(`filter-${group}`) === `filter-${group}` ? group : t(`filter-${group}`)], ...STAGES.map((s) => [t(`stage-${s}`), "num"]),
       [t("learning-hours"), "num"]],
      entries.map(([name, figures]) => [name, ...STAGES.map((s) => number(figures[s])), number(Math.round(figures.learning_hours))]),
      `licences-by-${group}`)));
  }
  if (state.features.includes("nudges")) {
    const reports = await getJson("nudges", { as_of: filters.until });
    content.push(el("section", {}, el("h2", {}, t("nudges")), reports.length ? table(
      [[t("nudge-rule")], [t("nudge-outcome")], [t("nudged"), "num"], [t("holdout"), "num"], [t("difference"), "num"], [t("ci95"), "num"]],
      reports.map((r) => [r.rule, r.outcome,
        `${percent(r.nudge_rate)} (${r.nudge.successes}/${r.nudge.learners})`,
        `${percent(r.holdout_rate)} (${r.holdout.successes}/${r.holdout.learners})`,
        r.difference === null ? "–" : `${r.difference >= 0 ? "+" : ""}${Math.round(r.difference * 1000) / 10} pp`,
        r.ci95 ? `${Math.round(r.ci95[0] * 1000) / 10} … ${Math.round(r.ci95[1] * 1000) / 10} pp` : "–"]),
      "nudges") : el("p", { class: "muted" }, t("empty"))));
  }
  return content;
}

const PAGES = {
  overview: overviewPage, gaps: gapsPage, surveys: surveysPage, broadcasts: broadcastsPage,
  licences: licencesPage, faq: faqPage,
};
const TAB_FEATURE = { licences: "licences", faq: "faq_review" };
// The filters each page applies (the funnel is per university, as of a day).
const FILTERS = {
  overview: ["university", "city", "since", "until"],
  gaps: ["university", "city", "since", "until"],
  licences: ["university", "until"],
};

async function render(build, options = {}) {
  if (state.timer && !options.keepTimer) { clearTimeout(state.timer); state.timer = null; }
  try {
    const content = await build();
    page().replaceChildren(...[content].flat(3).filter(Boolean));
    showMessage("");
  } catch (error) {
    showMessage(error.status === 403 ? t("forbidden") : error.status === 401 ? t("sign-in") : t("error"));
  }
}

function selectTab(tab) {
  state.tab = tab;
  for (const button of document.querySelectorAll("#tabs button")) {
    button.setAttribute("aria-selected", String(button.dataset.tab === tab));
  }
  const form = document.getElementById("filters");
  const fields = FILTERS[tab] || [];
  form.hidden = fields.length === 0;
  for (const field of form.elements) {
    const allowed = fields.includes(field.name) && !(field.name === "city" && state.me.role !== "admin");
    field.closest("label").hidden = !allowed;
  }
  render(PAGES[tab]);
}

function fillFilters() {
  const form = document.getElementById("filters");
  const universities = state.me.universities || [];
  const select = form.elements.university;
  for (const u of universities) select.append(el("option", { value: u.id }, u.name));
  const cities = [...new Set(universities.map((u) => u.city).filter(Boolean))].sort();
  for (const city of cities) form.elements.city.append(el("option", { value: city }, city));
  if (state.me.role !== "admin") {
    select.value = state.me.university_id ?? "";
    select.disabled = true;
  }
  form.addEventListener("change", () => render(PAGES[state.tab]));
}

function applyTexts() {
  for (const node of document.querySelectorAll("[data-text]")) node.textContent = t(node.dataset.text);
  document.getElementById("title").textContent = t("title");
  const tabs = document.getElementById("tabs");
  const shown = Object.keys(PAGES).filter((tab) => !TAB_FEATURE[tab] || state.features.includes(TAB_FEATURE[tab]));
  tabs.replaceChildren(...shown.map((tab) =>
    el("button", { type: "button", role: "tab", "data-tab": tab, onclick: () => selectTab(tab) }, t(`tab-${tab}`))));
}

async function loadTexts(language) {
  state.texts = await (await fetch(`api/texts?lang=${language}`)).json();
  document.documentElement.lang = language;
  document.documentElement.dir = language === "ur" ? "rtl" : "ltr";
}

async function start() {
  await authenticate();
  await loadTexts("en");
  if (!state.auth) { applyTexts(); showMessage(t("sign-in")); return; }
  try {
    state.me = await getJson("me");
  } catch (error) {
    applyTexts();
    showMessage(error.status === 403 ? t("forbidden") : t("sign-in"));
    return;
  }
  state.features = state.me.features || [];
  if (state.me.language !== "en") await loadTexts(state.me.language);
  applyTexts();
  fillFilters();
  selectTab("overview");
}

document.addEventListener("DOMContentLoaded", start);
