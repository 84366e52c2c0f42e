// Search page: Pagefind's JS API with this theme's markup. Query, filters and sort live in
// the URL (?q=moe&tag=reasoning&sort=date:desc), so results can be linked and bookmarked.
// An empty query with filters browses every paper that matches them.
//
// The index comes in parts (pagefind/parts.json names them; each is a whole Pagefind bundle):
// the first is imported, the others merged into it with mergeIndex, so the WebAssembly is
// fetched once and a query fetches only the index chunks of its words in each part. Each part
// carries a synthetic "part" filter. Filter counts and relevance order are Pagefind's merged
// ones (counts are sums over the parts). A sorted search is ordered across parts here: each
// part's own sorted list is asked for (filter "part"), and the lists are merged lazily by the
// sort value in each result's metadata (sort_date, sort_added), loading only the results shown
// plus one waiting head per part.
//
// A result whose text cannot be loaded (a garbled answer: a proxy's or portal's page instead
// of the file) does not break the list: the index is loaded again once and the search redone;
// if it fails again, the status line says results are missing.

const form = document.querySelector(".search-form");
const input = document.getElementById("search-input");
const sortSelect = document.getElementById("search-sort");
const filterBox = document.getElementById("search-filters");
const statusLine = document.getElementById("search-status");
const list = document.getElementById("search-results");
const moreButton = document.getElementById("search-more");

const FILTERS = [["status", "Status"], ["tag", "Tag"], ["year", "Year"], ["org", "Organisation"], ["venue", "Venue"]];
const PAGE = 10;
let pagefind = null;
let partNames = [];
let shown = null;
let generation = 0;
let failures = 0; // results whose text could not be loaded since the index was loaded

function readUrl() {
  const params = new URLSearchParams(location.search);
  const selected = {};
  for (const [key] of FILTERS) selected[key] = params.getAll(key);
  return { query: params.get("q") || "", sort: params.get("sort") || "", selected };
}

function writeUrl(state) {
  const params = new URLSearchParams();
  if (state.query) params.set("q", state.query);
  for (const [key] of FILTERS) for (const value of state.selected[key]) params.append(key, value);
  if (state.sort) params.set("sort", state.sort);
  const query = params.toString();
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
}

function currentState() {
  const selected = {};
  for (const [key] of FILTERS) {
    selected[key] = [...filterBox.querySelectorAll(`input[data-filter="${key}"]:checked`)].map((box) => box.value);
  }
  return { query: input.value.trim(), sort: sortSelect.value, selected };
}

function renderFilters(counts, state) {
  const focused = document.activeElement && document.activeElement.closest("#search-filters")
    ? document.activeElement.id : null;
  filterBox.replaceChildren();
  for (const [key, label] of FILTERS) {
    const values = Object.entries(counts[key] || {}).filter(([value, count]) => count > 0 || state.selected[key].includes(value));
    if (!values.length) continue;
    values.sort((a, b) => (key === "year" ? b[0].localeCompare(a[0]) : b[1] - a[1] || a[0].localeCompare(b[0])));
    const fieldset = document.createElement("fieldset");
    const legend = document.createElement("legend");
    legend.textContent = label;
    const ul = document.createElement("ul");
    values.forEach(([value, count], index) => {
      const li = document.createElement("li");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.id = `filter-${key}-${index}`;
      box.dataset.filter = key;
      box.value = value;
      box.checked = state.selected[key].includes(value);
      const text = document.createElement("label");
      text.htmlFor = box.id;
      text.textContent = `${value} `;
      const number = document.createElement("span");
      number.className = "count";
      number.textContent = `(${count})`;
      text.append(number);
      li.append(box, text);
      ul.append(li);
    });
    fieldset.append(legend, ul);
    filterBox.append(fieldset);
  }
  if (focused) document.getElementById(focused)?.focus();
}

function safeExcerpt(html) {
  // Keep Pagefind's <mark> highlights, nothing else: every other node becomes text.
  const doc = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html");
  const out = document.createDocumentFragment();
  for (const node of doc.body.firstChild.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      out.append(mark);
    } else {
      out.append(document.createTextNode(node.textContent));
    }
  }
  return out;
}

function resultItem(data, browsing) {
  const li = document.createElement("li");
  li.className = "paper-row";
  const h2 = document.createElement("h2");
  h2.className = "row-title";
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  h2.append(link);
  const meta = document.createElement("p");
  meta.className = "row-meta";
  for (const part of [data.meta.date, data.meta.org]) {
    if (!part) continue;
    const span = document.createElement("span");
    span.textContent = part;
    meta.append(span);
  }
  if (data.meta.status) {
    const status = document.createElement("span");
    status.className = `status status-${data.meta.status.toLowerCase().replace(/\s+/g, "-")}`;
    status.textContent = data.meta.status;
    meta.append(status);
  }
  const excerpt = document.createElement("p");
  excerpt.className = "teaser";
  if (browsing || !data.excerpt) excerpt.textContent = data.meta.summary || "";
  else excerpt.append(safeExcerpt(data.excerpt));
  li.append(h2, meta, excerpt);
  return li;
}

// A result's text, or null when it cannot be loaded (counted in ``failures``).
async function dataOf(result) {
  try {
    return await result.data();
  } catch (error) {
    failures += 1;
    console.warn("A search result could not be loaded:", error);
    return null;
  }
}

// The results of one search, handed out a page at a time: Pagefind's order, or (sorted) the
// parts' own sorted lists merged by the value of the sort key.
class ResultList {
  constructor(results, lists, key, direction) {
    this.total = results.length;
    this.results = results;
    this.taken = 0;
    this.key = key ? `sort_${key}` : null;
    this.sign = direction === "asc" ? 1 : -1;
    this.lists = (lists || []).map((list) => ({ results: list, next: 0, head: null }));
  }

  async take(count) {
    if (!this.key) {
      const next = this.results.slice(this.taken, this.taken + count);
      this.taken += next.length;
      return (await Promise.all(next.map(dataOf))).filter(Boolean);
    }
    const out = [];
    while (out.length < count) {
      const heads = await Promise.all(this.lists.map((list) => this.head(list)));
      let best = -1;
      heads.forEach((data, index) => {
        if (data && (best < 0 || this.before(data, heads[best]))) best = index;
      });
      if (best < 0) break;
      out.push(heads[best]);
      this.lists[best].next += 1;
      this.lists[best].head = null;
    }
    this.taken += out.length;
    return out;
  }

  head(list) {
    if (list.next >= list.results.length) return null;
    list.head ||= dataOf(list.results[list.next]);
    return list.head;
  }

  before(a, b) {
    const x = a.meta[this.key] || "";
    const y = b.meta[this.key] || "";
    return x !== y && (x < y ? -1 : 1) * this.sign < 0;
  }

  get done() {
    return this.taken >= this.total;
  }
}

async function showMore(browsing, token, count = PAGE) {
  // One page at a time: a second click while a page loads waits for it, so nothing is shown twice.
  const results = shown;
  results.queue = (results.queue || Promise.resolve()).then(async () => {
    const items = await results.take(count);
    if (token !== generation) return;
    for (const data of items) list.append(resultItem(data, browsing));
    moreButton.hidden = results.done || !items.length;
  });
  await results.queue;
}

// Each part's own results of a sorted search, in its sort order (Pagefind's merged list orders
// the parts' results by score, which for a sort is a result's place within its own part).
async function sortedLists(query, options) {
  if (partNames.length < 2) return null;
  const names = options.filters.part ? options.filters.part.any : partNames;
  return Promise.all(names.map(async (name) => {
    const search = await pagefind.search(query, { ...options, filters: { ...options.filters, part: name } });
    return search ? search.results : [];
  }));
}

// Pagefind answers a word that no indexed word starts with by the longest indexed word that
// begins it (a near miss, for typos), and decides that in each index: a part that lacks a word
// other parts have would add near misses one index over everything never shows. So for each
// word, a part with no exact (stemmed) match is kept only if its best result matches as much
// of the word as the best part does: all of it when some part has it, else the longest start.
const PUNCTUATION = /[\p{Pd}\p{Pe}\p{Pf}\p{Pi}\p{Po}\p{Ps}]/gu;

function words(text) {
  return text.toLocaleLowerCase().normalize("NFD").replace(/\p{M}/gu, "")
    .split(/\s+/).map((word) => word.replace(PUNCTUATION, "")).filter(Boolean);
}

async function countsByPart(query, filters = {}) {
  const search = await pagefind.search(query, { filters });
  return (search && search.filters.part) || {};
}

// How much of ``word`` a part's best result for it matches: all of it, or the longest start.
async function matched(word, part) {
  const best = (await pagefind.search(word, { filters: { part } }))?.results[0];
  const data = best && await dataOf(best);
  if (!data) return 0;
  const { content } = data;
  let length = 0;
  // Pagefind indexes "Tequoro-89B" as "tequoro89b" and as "tequoro" and "89b".
  for (const seen of [...words(content), ...words(content.replace(PUNCTUATION, " "))]) {
    if (seen.startsWith(word)) return word.length;
    if (word.startsWith(seen)) length = Math.max(length, seen.length);
  }
  return length;
}

async function partsWithWords(query) {
  if (partNames.length < 2 || /^\s*".+"\s*$/.test(query)) return null;
  const kept = new Set(partNames);
  for (const word of new Set(words(query))) {
    const [exact, found] = await Promise.all([countsByPart(`"${word}"`), countsByPart(word)]);
    const loose = partNames.filter((part) => !(exact[part] > 0) && found[part] > 0);
    if (!loose.length) continue;
    const lengths = await Promise.all(loose.map((part) => matched(word, part)));
    const most = partNames.some((part) => exact[part] > 0) ? word.length : Math.max(...lengths);
    loose.forEach((part, index) => lengths[index] < most && kept.delete(part));
  }
  return kept.size < partNames.length ? [...kept] : null;
}

// Run the search the form describes, showing its first ``count`` results. After a result
// failed to load, the index is loaded again and the search redone, once (``retried``).
async function run(retried = false, count = PAGE) {
  const token = ++generation;
  const failed = failures;
  const state = currentState();
  writeUrl(state);
  const filters = {};
  for (const [key] of FILTERS) if (state.selected[key].length) filters[key] = { any: state.selected[key] };
  const options = { filters };
  const [key, direction] = state.sort ? state.sort.split(":") : [];
  if (key) options.sort = { [key]: direction };
  const browsing = !state.query;
  if (browsing && !Object.keys(filters).length && !state.sort) {
    renderFilters(await pagefind.filters(), state);
    list.replaceChildren();
    shown = null;
    moreButton.hidden = true;
    statusLine.textContent = "Type to search, or pick a filter to browse.";
    return;
  }
  const query = browsing ? null : state.query;
  const kept = query ? await partsWithWords(query) : null;
  if (kept) options.filters.part = { any: kept };
  const search = await pagefind.search(query, options);
  const lists = key && search ? await sortedLists(query, options) : null;
  if (token !== generation || !search) return;
  shown = new ResultList(search.results, lists, lists && key, direction);
  renderFilters(search.filters, state);
  list.replaceChildren();
  await showMore(browsing, token, count);
  if (token !== generation) return;
  if (failures !== failed && !retried) {
    await reloadIndex();
    return run(true, count);
  }
  const total = shown.total;
  const what = browsing ? "matching the filters" : `for “${state.query}”`;
  statusLine.textContent = `${total} paper${total === 1 ? "" : "s"} ${what}.`;
  if (failures !== failed) statusLine.textContent += " Some could not be loaded: reload the page to try again.";
}

// The next page of results; if one failed to load, the index is loaded again and the search
// redone up to one page more than was shown.
async function more() {
  const token = generation;
  const failed = failures;
  await showMore(!input.value.trim(), token);
  if (token === generation && failures !== failed) {
    await reloadIndex();
    await run(true, list.children.length + PAGE);
  }
}

async function reloadIndex() {
  await pagefind.destroy();
  await loadIndex(form.dataset.bundle, form.dataset.base);
}

// An event's search (run() counts a generation as it starts): an error of a search that a
// newer one replaced (its index destroyed under it, say) is of no interest; others stay loud.
function whenAsked(action) {
  return () => {
    const running = action();
    const mine = generation;
    running.catch((error) => {
      if (generation === mine) throw error;
    });
  };
}

async function partsOf(bundle) {
  const response = await fetch(`${bundle}parts.json`);
  if (!response.ok) return null;
  const parts = (await response.json()).parts;
  if (!Array.isArray(parts) || !parts.length) throw new Error("parts.json names no parts");
  return parts.map(String);
}

async function loadIndex(bundle, base) {
  // A site built before the index came in parts has one bundle at pagefind/ and no parts.json.
  const parts = await partsOf(bundle);
  partNames = parts || [];
  const path = (name) => `${bundle}${name}/`;
  const options = { baseUrl: base, excerptLength: 24 };
  pagefind = await import(`${parts ? path(parts[0]) : bundle}pagefind.js`);
  await pagefind.options(parts ? { ...options, mergeFilter: { part: parts[0] } } : options);
  await pagefind.init();
  await Promise.all(partNames.slice(1).map(
    (name) => pagefind.mergeIndex(path(name), { ...options, mergeFilter: { part: name } })));
}

async function start() {
  try {
    await loadIndex(form.dataset.bundle, form.dataset.base);
  } catch (error) {
    statusLine.textContent = "The search index could not be loaded.";
    return;
  }
  const state = readUrl();
  sortSelect.value = state.sort;
  renderFilters(await pagefind.filters(), state);
  // What was typed while the index loaded wins over the address's query: nothing typed is lost.
  if (!input.value.trim()) input.value = state.query;
  let timer = null;
  const search = whenAsked(() => run());
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, 150);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    search();
  });
  sortSelect.addEventListener("change", search);
  filterBox.addEventListener("change", search);
  moreButton.addEventListener("click", whenAsked(more));
  await run();
}

start();
