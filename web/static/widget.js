/* Archive Search widget: the <archive-search> element, one hand-written ES module.
 *
 *   <script type="module" src="https://search.example.org/widget.js"></script>
 *   <archive-search facets="person place"></archive-search>
 *
 * The API is this script's own origin unless the `endpoint` attribute names another.
 * Everything lives in an open shadow root and is themed by --archive-search-* custom
 * properties. The only HTML ever parsed is the API's highlighted title and snippet, and
 * `marked` rebuilds it keeping <mark> alone; all other text is set as text.
 */

const SCRIPT_ORIGIN = new URL(import.meta.url).origin;
// Timing (README "Embedding the widget"): a request goes out this long after a keystroke, so
// at a reader's typing speed every pause is answered. At most one request is in flight: text
// typed meanwhile is asked for as soon as it answers (so a slow server gets fewer requests,
// not a queue of them), and an answer for older text than the input's is never shown.
const DEBOUNCE_MS = 30;
const CACHE_SIZE = 50; // answers kept by URL: retyped or backspaced text costs no request
const CACHE_MS = 60000;
const FACET_SIZE = 5;
const MAX_WINDOW = 10000; // the API refuses page x per_page beyond this
const FACETS = ["person", "organization", "place", "category", "tag", "year"];
const TARGETS = ["_self", "_blank", "_top", "_parent"];
// Every language's messages from the server's catalogue (web/messages.toml), put in place
// of the placeholder by web/widget.py: {lang: {key: text or {CLDR plural form: text}}}.
const STRINGS = /* messages */ {};
const DEFAULT_LANG = "en";

const CSS = `
:host {
  all: initial;
  display: block;
  box-sizing: border-box;
  font-family: var(--archive-search-font, inherit);
  font-size: calc(1em * var(--archive-search-scale, 1));
  line-height: 1.45;
  color: var(--archive-search-text, inherit);
  background: var(--archive-search-background, transparent);
  text-align: start;
}
:host([hidden]), [hidden] { display: none !important; }
*, *::before, *::after { box-sizing: inherit; }
.sr {
  position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; border: 0;
  overflow: hidden; clip-path: inset(50%); white-space: nowrap;
}
input {
  display: block; width: 100%; margin: 0; padding: .55em .8em;
  font: inherit; color: inherit;
  background: var(--archive-search-surface, transparent);
  border: 1px solid var(--archive-search-border, #8c959f);
  border-radius: var(--archive-search-radius, 6px);
}
input:focus { outline: 2px solid var(--archive-search-accent, #1a5fb4); outline-offset: 1px; }
.facets { margin: .6em 0 0; }
.facet { display: flex; flex-wrap: wrap; align-items: center; gap: .35em; margin: .3em 0; }
.facet-name, .meta, .count, .loading { color: var(--archive-search-muted, inherit); opacity: .8; }
.facet-name { font-size: .85em; margin-inline-end: .2em; }
button {
  font: inherit; color: inherit; cursor: pointer; margin: 0;
  background: var(--archive-search-surface, transparent);
  border: 1px solid var(--archive-search-border, #8c959f);
}
.chip { font-size: .85em; padding: .15em .65em; border-radius: 999px; }
.chip[aria-pressed="true"] {
  background: var(--archive-search-accent, #1a5fb4);
  border-color: var(--archive-search-accent, #1a5fb4);
  color: var(--archive-search-accent-text, #fff);
}
.chip[aria-pressed="true"] .count { color: inherit; }
button:focus-visible { outline: 2px solid var(--archive-search-accent, #1a5fb4); outline-offset: 1px; }
.status, .loading { margin: .6em 0 0; font-size: .9em; }
.status:empty { display: none; }
.status[data-kind="failed"], .status[data-kind="unavailable"], .status[data-kind="offline"] {
  color: var(--archive-search-error, #b42318);
}
ul { list-style: none; margin: .4em 0 0; padding: 0; }
li { margin: 0; padding: 0; border-radius: var(--archive-search-radius, 6px); }
li[aria-selected="true"] {
  background: var(--archive-search-active, rgba(127, 127, 127, .16));
  outline: 2px solid var(--archive-search-accent, #1a5fb4);
}
a { display: block; padding: .5em .8em; color: inherit; text-decoration: none; border-radius: inherit; }
a:hover { background: var(--archive-search-active, rgba(127, 127, 127, .16)); }
.title { display: block; font-weight: 600; color: var(--archive-search-accent, #1a5fb4); }
a:hover .title { text-decoration: underline; }
.meta { display: block; font-size: .85em; }
.snippet { display: block; margin-top: .15em; }
mark {
  background: var(--archive-search-highlight, #ffe27a);
  color: var(--archive-search-highlight-text, #1f2328);
  border-radius: 2px; padding: 0 .1em;
}
.more { display: block; margin: .6em 0 0; padding: .4em 1em; border-radius: var(--archive-search-radius, 6px); }
`;

let sheet = null;

/** Styles stay inside the shadow root: a shared constructed sheet, else a <style>. */
function adoptStyles(root) {
  if ("adoptedStyleSheets" in root && "replaceSync" in CSSStyleSheet.prototype) {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
    }
    root.adoptedStyleSheets = [sheet];
  } else {
    root.append(h("style", {}, CSS));
  }
}

/** An element with attributes and children (strings become text nodes, never HTML). */
function h(tag, attributes = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined && value !== false) el.setAttribute(name, value);
  }
  el.append(...children);
  return el;
}

/** The API's highlighted HTML as nodes: text, and <mark> elements holding text; nothing else. */
export function marked(html) {
  const out = document.createDocumentFragment();
  const template = document.createElement("template");
  try {
    template.innerHTML = String(html ?? ""); // inert: a template's content never runs or loads
  } catch {
    out.append(plainFallback(String(html ?? ""))); // e.g. a host enforcing Trusted Types
    return out;
  }
  copyMarks(template.content, out);
  return out;
}

function copyMarks(from, to) {
  for (const node of from.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      to.append(node.data);
    } else if (node.nodeType === Node.ELEMENT_NODE) {
      if (node.localName === "mark") {
        const mark = h("mark", { part: "mark" });
        copyMarks(node, mark);
        to.append(mark);
      } else {
        copyMarks(node, to); // any other tag: keep its text, drop the tag
      }
    }
  }
}

const ENTITIES = { lt: "<", gt: ">", amp: "&", quot: '"', "#39": "'", "#x27": "'" };

function plainFallback(html) {
  return html.replace(/<[^>]*>/g, "").replace(/&(lt|gt|amp|quot|#39|#x27);/g, (_, e) => ENTITIES[e]);
}

function plainText(html) {
  return marked(html).textContent;
}

function languageOf(code) {
  const primary = (code || "").toLowerCase().split(/[-_]/)[0];
  return Object.hasOwn(STRINGS, primary) ? primary : DEFAULT_LANG;
}

/** A message in `lang`, `{name}` fields filled in; a counted one in the CLDR form for `n`. */
function message(lang, key, values = {}) {
  let text = STRINGS[lang]?.[key] ?? STRINGS[DEFAULT_LANG]?.[key] ?? key;
  if (typeof text === "object") {
    text = text[new Intl.PluralRules(lang).select(values.n)] ?? text.other;
    values = { ...values, n: values.n.toLocaleString(lang) };
  }
  return text.replace(/\{(\w+)\}/g, (field, name) => (name in values ? String(values[name]) : field));
}

/** "12 results", "1 результат", "5 результатов": the text of the aria-live count. */
export function resultCount(n, lang = "en") {
  return message(languageOf(lang), "count.results", { n });
}

function formatDate(iso, lang) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
  if (!m) return "";
  const options = { dateStyle: "medium", timeZone: "UTC" };
  return new Intl.DateTimeFormat(lang, options).format(Date.UTC(+m[1], +m[2] - 1, +m[3]));
}

export class ArchiveSearch extends HTMLElement {
  static observedAttributes = ["endpoint", "placeholder", "per-page", "facets", "target", "lang"];

  #seq = 0; // bumped by every keystroke, request and reset: an answer with an old number is dropped
  #controller = null; // the request in flight
  #pending = 0; // the page to ask for when the request in flight answers (0: none)
  #timer = 0;
  #query = "";
  #partial = false;
  #cache = new Map();
  #answer = null;
  #results = [];
  #active = -1;
  #filters = new Map();
  #status = ["", ""];
  #refocus = null;
  #els;

  constructor() {
    super();
    const root = this.attachShadow({ mode: "open" });
    adoptStyles(root);
    const els = (this.#els = {
      label: h("label", { for: "q", class: "sr" }),
      input: h("input", {
        id: "q", type: "search", role: "combobox", part: "input", autocomplete: "off",
        spellcheck: "false", enterkeyhint: "search", "aria-autocomplete": "list",
        "aria-expanded": "false", "aria-controls": "list",
      }),
      facets: h("div", { class: "facets", part: "facets", hidden: "" }),
      loading: h("p", { class: "loading", part: "loading", hidden: "" }),
      status: h("p", {
        class: "status", part: "status", role: "status", "aria-live": "polite", "aria-atomic": "true",
      }),
      list: h("ul", { id: "list", role: "listbox", part: "results", hidden: "" }),
      more: h("button", { type: "button", class: "more", part: "more", hidden: "" }),
    });
    root.append(h("div", { class: "root", part: "root" }, ...Object.values(els)));
    els.input.addEventListener("input", () => this.#onInput());
    els.input.addEventListener("keydown", (e) => this.#onKey(e));
    els.list.addEventListener("click", (e) => this.#onClick(e));
    els.facets.addEventListener("click", (e) => this.#onChip(e));
    els.more.addEventListener("click", () => this.#search(this.#answer.page + 1));
    this.#applyStrings();
  }

  connectedCallback() {
    window.addEventListener("online", this.#onNetwork);
    window.addEventListener("offline", this.#onNetwork);
    this.#applyStrings();
    if (!navigator.onLine) this.#setStatus("offline");
  }

  disconnectedCallback() {
    window.removeEventListener("online", this.#onNetwork);
    window.removeEventListener("offline", this.#onNetwork);
    clearTimeout(this.#timer);
    this.#cancel();
  }

  attributeChangedCallback(name, before, after) {
    if (before === after) return;
    this.#applyStrings();
    if (["endpoint", "per-page", "facets", "lang"].includes(name) && this.#query) this.#search(1);
  }

  /** Run the search for the input's text now (hosts may call it; typing does after a pause). */
  search() {
    clearTimeout(this.#timer);
    return this.#search(1);
  }

  /** Empty the input and forget the results, as Escape does. */
  clear() {
    this.#reset(true);
  }

  // ---- configuration -------------------------------------------------------------------

  get #lang() {
    const own = this.getAttribute("lang") ?? this.closest("[lang]")?.getAttribute("lang");
    return languageOf(own || document.documentElement.lang);
  }

  /** The message `key` in the element's language. */
  #t(key, values) {
    return message(this.#lang, key, values);
  }

  get #base() {
    const endpoint = this.getAttribute("endpoint");
    if (endpoint) {
      try {
        const url = new URL(endpoint, document.baseURI);
        if (url.protocol === "https:" || url.protocol === "http:") {
          return (url.origin + url.pathname).replace(/\/+$/, "");
        }
      } catch {
        // not a URL: fall back to the script's origin
      }
    }
    return SCRIPT_ORIGIN;
  }

  get #perPage() {
    const n = Number.parseInt(this.getAttribute("per-page") ?? "", 10);
    return Number.isFinite(n) ? Math.min(Math.max(n, 1), 100) : 10;
  }

  get #facetNames() {
    const names = (this.getAttribute("facets") ?? "").split(/[\s,]+/);
    return [...new Set(names.filter((name) => FACETS.includes(name)))];
  }

  get #target() {
    const target = this.getAttribute("target");
    return TARGETS.includes(target) ? target : "_self";
  }

  #applyStrings() {
    const { label, input, list, loading, more } = this.#els;
    label.textContent = this.#t("widget.label");
    input.placeholder = this.getAttribute("placeholder") ?? this.#t("widget.placeholder");
    list.setAttribute("aria-label", this.#t("widget.results"));
    loading.textContent = this.#t("widget.loading");
    more.textContent = this.#t("widget.more");
    this.#renderStatus();
    if (this.#answer) this.#renderFacets();
  }

  // ---- requests ----------------------------------------------------------------------------

  #onInput() {
    clearTimeout(this.#timer);
    this.#seq += 1; // the answer in flight is for older text: it must not be shown
    this.#pending = 0;
    const q = this.#els.input.value.trim();
    if (!q) {
      this.#reset(false);
    } else if (q === this.#query && this.#answer) {
      this.#setLoading(false); // back to what is shown (say, after a typed space)
    } else {
      this.#timer = setTimeout(() => this.#search(1), DEBOUNCE_MS);
    }
  }

  /** The last word is still being typed unless the text ends with a space: `partial=1`. */
  get #typing() {
    const value = this.#els.input.value;
    return value.trim() !== "" && !/\s$/.test(value);
  }

  #url(q, page, partial) {
    const params = new URLSearchParams({ q, page, per_page: this.#perPage });
    // Later pages read the generation page 1 was built on: no repeats or gaps.
    if (page > 1 && this.#answer?.generation != null) params.set("generation", this.#answer.generation);
    params.set("facet_size", this.#facetNames.length ? FACET_SIZE : 1);
    if (partial) params.set("partial", "1");
    params.set("lang", this.#lang); // names in two scripts come in the widget's language
    for (const [facet, values] of this.#filters) {
      for (const value of values) params.append(facet, value);
    }
    return `${this.#base}/api/search?${params}`;
  }

  #cancel() {
    this.#seq += 1;
    this.#pending = 0;
    this.#controller?.abort();
    this.#controller = null;
  }

  async #search(page) {
    const q = page > 1 ? this.#query : this.#els.input.value.trim();
    if (!q) return this.#reset(false);
    const partial = page > 1 ? this.#partial : this.#typing;
    this.#seq += 1;
    this.#pending = 0;
    if (!navigator.onLine) {
      this.#cancel();
      return this.#setStatus("offline");
    }
    const url = this.#url(q, page, partial);
    const cached = this.#cache.get(url);
    if (cached && performance.now() - cached.at < CACHE_MS) {
      this.#setLoading(false);
      return this.#show(q, partial, cached.answer, page);
    }
    this.#setLoading(true);
    if (this.#controller) {
      this.#pending = page; // asked for when the request in flight answers
      return;
    }
    const seq = this.#seq;
    const controller = (this.#controller = new AbortController());
    let answer = null;
    let message = null;
    let gone = false;
    try {
      const response = await fetch(url, { signal: controller.signal, credentials: "omit" });
      gone = response.status === 410 && page > 1; // the list's generation is no longer kept
      const body = await response.json().catch(() => null);
      if (response.ok && body) answer = body;
      else message = body?.error?.message ?? null;
    } catch {
      // a network failure or an origin the server does not allow: both are "unavailable"
    }
    if (this.#controller === controller) this.#controller = null;
    if (this.#pending && seq !== this.#seq) return this.#search(this.#pending);
    if (seq !== this.#seq) return; // newer text (or Escape) has taken over
    this.#setLoading(false);
    if (gone) return this.#search(1); // start the list again on the current generation
    if (answer) {
      this.#remember(url, answer);
      this.#show(q, partial, answer, page);
    } else {
      this.#fail(message, page);
    }
  }

  #remember(url, answer) {
    this.#cache.delete(url);
    this.#cache.set(url, { answer, at: performance.now() });
    if (this.#cache.size > CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value);
  }

  #show(q, partial, answer, page) {
    const start = page > 1 ? this.#results.length : 0;
    const hits = answer.results ?? [];
    this.#query = q;
    this.#partial = partial;
    this.#answer = answer;
    this.#results = start ? this.#results.concat(hits) : hits;
    this.#renderResults(start);
    this.#renderFacets();
    const total = answer.total ?? this.#results.length;
    if (total) this.#setStatus("count", total);
    else this.#setStatus("empty", q);
    if (start && hits.length) {
      if (this.#els.more.hidden) this.#els.input.focus();
      this.#activate(start);
    }
    const detail = { query: q, page, total };
    this.dispatchEvent(new CustomEvent("archive-search:results", { bubbles: true, composed: true, detail }));
  }

  #fail(message, page) {
    if (page === 1) {
      this.#answer = null;
      this.#results = [];
      this.#renderResults(0);
      this.#renderFacets();
    }
    if (message) this.#setStatus("failed", message);
    else this.#setStatus("unavailable");
  }

  #reset(clearInput) {
    clearTimeout(this.#timer);
    this.#cancel();
    if (clearInput) this.#els.input.value = "";
    this.#query = "";
    this.#answer = null;
    this.#results = [];
    this.#filters.clear();
    this.#setLoading(false);
    this.#renderResults(0);
    this.#renderFacets();
    this.#setStatus(navigator.onLine ? "" : "offline");
  }

  #onNetwork = () => {
    if (!navigator.onLine) {
      this.#cancel();
      this.#setLoading(false);
      this.#setStatus("offline");
    } else if (this.#status[0] === "offline") {
      this.#setStatus("");
      if (this.#els.input.value.trim()) this.#search(1);
    }
  };

  // ---- rendering -----------------------------------------------------------------------------

  #setLoading(on) {
    this.#els.loading.hidden = !on;
    this.#els.list.setAttribute("aria-busy", String(on));
  }

  #setStatus(kind, value = "") {
    this.#status = [kind, value];
    this.#renderStatus();
  }

  #renderStatus() {
    const [kind, value] = this.#status;
    const texts = {
      count: () => this.#t("count.results", { n: value }),
      empty: () => this.#t("widget.empty", { query: value }),
      failed: () => this.#t("widget.failed", { message: value }),
      unavailable: () => this.#t("widget.unavailable"),
      offline: () => this.#t("widget.offline"),
    };
    this.#els.status.dataset.kind = kind;
    this.#els.status.textContent = texts[kind]?.() ?? "";
  }

  #renderResults(start) {
    const { list, input, more } = this.#els;
    if (!start) {
      list.replaceChildren();
      this.#activate(-1);
    }
    list.append(...this.#results.slice(start).map((hit, i) => this.#option(hit, start + i)));
    list.hidden = !this.#results.length;
    input.setAttribute("aria-expanded", String(this.#results.length > 0));
    const answer = this.#answer;
    more.hidden = !(
      answer &&
      this.#results.length < answer.total &&
      (answer.page + 1) * answer.per_page <= MAX_WINDOW
    );
  }

  #articleUrl(id) {
    return `${this.#base}/articles/${encodeURIComponent(id)}`;
  }

  #option(hit, index) {
    const target = this.#target;
    const link = h(
      "a",
      {
        href: this.#articleUrl(hit.id), tabindex: "-1", part: "link",
        target: target === "_self" ? null : target, rel: target === "_blank" ? "noopener" : null,
      },
      h("span", { class: "title", part: "title" }, marked(hit.title || hit.id)),
    );
    const date = formatDate(hit.date, this.#lang);
    if (date) link.append(h("time", { class: "meta", datetime: hit.date.slice(0, 10) }, date));
    if (hit.snippet) link.append(h("span", { class: "snippet", part: "snippet" }, marked(hit.snippet)));
    return h(
      "li",
      { id: `option-${index}`, role: "option", part: "option", "aria-selected": "false", "data-index": index },
      link,
    );
  }

  #renderFacets() {
    const box = this.#els.facets;
    const facets = this.#answer?.facets ?? {};
    box.replaceChildren();
    for (const name of this.#answer ? this.#facetNames : []) {
      const selected = this.#filters.get(name) ?? new Set();
      const values = [...(facets[name] ?? [])];
      for (const value of selected) {
        if (!values.some((v) => v.value === value)) values.unshift({ value, count: 0 });
      }
      if (!values.length) continue;
      const chips = values.map(({ value, count }) =>
        h(
          "button",
          {
            type: "button", class: "chip", part: "chip", "data-facet": name, "data-value": value,
            "aria-pressed": String(selected.has(value)),
          },
          String(value), " ", h("span", { class: "count" }, String(count)),
        ),
      );
      const label = this.#t(`facet.${name}`);
      box.append(h("div", { class: "facet", role: "group", "aria-label": label },
        h("span", { class: "facet-name", "aria-hidden": "true" }, label), ...chips));
    }
    box.hidden = !box.childElementCount;
    if (this.#refocus) {
      const [facet, value] = this.#refocus;
      this.#refocus = null;
      const chip = [...box.querySelectorAll(".chip")].find(
        (b) => b.dataset.facet === facet && b.dataset.value === value,
      );
      chip?.focus();
    }
  }

  // ---- interaction ---------------------------------------------------------------------------

  #activate(index) {
    const { list, input } = this.#els;
    list.querySelector('[aria-selected="true"]')?.setAttribute("aria-selected", "false");
    this.#active = index;
    const option = index >= 0 ? list.children[index] : null;
    if (!option) {
      this.#active = -1;
      input.removeAttribute("aria-activedescendant");
      return;
    }
    option.setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView?.({ block: "nearest" });
  }

  #onKey(event) {
    if (event.isComposing) return;
    const count = this.#results.length;
    switch (event.key) {
      case "ArrowDown":
      case "ArrowUp":
        if (!count) return;
        event.preventDefault();
        if (event.key === "ArrowDown") this.#activate(Math.min(this.#active + 1, count - 1));
        else this.#activate(Math.max(this.#active - 1, -1));
        break;
      case "Enter":
        event.preventDefault();
        if (this.#active >= 0) {
          const url = this.#choose(this.#active);
          if (url) this.#navigate(url);
        } else if (this.#els.input.value.trim() !== this.#query) {
          this.search();
        }
        break;
      case "Escape":
        if (!this.#els.input.value && !count) return;
        event.preventDefault();
        this.#reset(true);
        break;
    }
  }

  #onClick(event) {
    const option = event.target.closest('[role="option"]');
    if (!option) return;
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
      return; // the browser opens a tab or window: not a selection
    }
    const index = Number(option.dataset.index);
    this.#activate(index);
    if (!this.#choose(index)) event.preventDefault(); // else the link itself navigates
  }

  #onChip(event) {
    const chip = event.target.closest(".chip");
    if (!chip) return;
    const { facet, value } = chip.dataset;
    const values = this.#filters.get(facet) ?? new Set();
    if (values.has(value)) values.delete(value);
    else values.add(value);
    this.#filters.set(facet, values);
    this.#refocus = [facet, value];
    this.#search(1);
  }

  /** Fire the cancelable select event; the article URL when the widget should navigate. */
  #choose(index) {
    const hit = this.#results[index];
    const url = this.#articleUrl(hit.id);
    const detail = { id: hit.id, url, title: plainText(hit.title || hit.id), sourceUrl: hit.url ?? null };
    const event = new CustomEvent("archive-search:select", {
      bubbles: true, composed: true, cancelable: true, detail,
    });
    return this.dispatchEvent(event) ? url : null;
  }

  #navigate(url) {
    const target = this.#target;
    if (target === "_self") window.location.assign(url);
    else window.open(url, target, target === "_blank" ? "noopener" : "");
  }
}

if (!customElements.get("archive-search")) customElements.define("archive-search", ArchiveSearch);
