// Search page: Pagefind's JS API with this theme's markup. Query, filters and sort live in
// the URL (?q=moe&tag=reasoning&sort=date:desc), so results can be linked and bookmarked.
// An empty query with filters browses every paper that matches them.

const form = document.querySelector(".search-form");
const input = document.getElementById("search-input");
const sortSelect = document.getElementById("search-sort");
const filterBox = document.getElementById("search-filters");
const statusLine = document.getElementById("search-status");
const list = document.getElementById("search-results");
const moreButton = document.getElementById("search-more");

const FILTERS = [["status", "Status"], ["tag", "Tag"], ["year", "Year"], ["org", "Organisation"]];
const PAGE = 10;
let pagefind = null;
let shown = [];
let generation = 0;

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

async function showMore(browsing, token) {
  const next = shown.slice(list.children.length, list.children.length + PAGE);
  const items = await Promise.all(next.map((result) => result.data()));
  if (token !== generation) return;
  for (const data of items) list.append(resultItem(data, browsing));
  moreButton.hidden = list.children.length >= shown.length;
}

async function run() {
  const token = ++generation;
  const state = currentState();
  writeUrl(state);
  const filters = {};
  for (const [key] of FILTERS) if (state.selected[key].length) filters[key] = { any: state.selected[key] };
  const options = { filters };
  if (state.sort) {
    const [key, direction] = state.sort.split(":");
    options.sort = { [key]: direction };
  }
  const browsing = !state.query;
  if (browsing && !Object.keys(filters).length && !state.sort) {
    renderFilters(await pagefind.filters(), state);
    list.replaceChildren();
    shown = [];
    moreButton.hidden = true;
    statusLine.textContent = "Type to search, or pick a filter to browse.";
    return;
  }
  const search = await pagefind.search(browsing ? null : state.query, options);
  if (token !== generation || !search) return;
  shown = search.results;
  renderFilters(search.filters, state);
  list.replaceChildren();
  await showMore(browsing, token);
  if (token !== generation) return;
  const count = shown.length;
  const what = browsing ? "matching the filters" : `for “${state.query}”`;
  statusLine.textContent = `${count} paper${count === 1 ? "" : "s"} ${what}.`;
}

async function start() {
  const base = form.dataset.base;
  try {
    pagefind = await import(`${form.dataset.bundle}pagefind.js`);
    await pagefind.options({ baseUrl: base, excerptLength: 24 });
    await pagefind.init();
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
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, 150);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  sortSelect.addEventListener("change", run);
  filterBox.addEventListener("change", run);
  moreButton.addEventListener("click", () => showMore(!input.value.trim(), generation));
  await run();
}

start();
