// The site's search page (templates/search.html): Pagefind's index of everything the site says,
// made at build time by explainer/search.py. The index holds Arabic normalised, so the query is
// normalised here by the same rules (tested against the Python ones). The results show each
// item's title, its page and its text as published, with the words that match marked; all of it
// is set as text, never as HTML. Loaded only on this page, from this site: its policy allows
// this script and Pagefind's WebAssembly, and nothing from elsewhere.

const DROP = /[\u064b-\u065f\u0670\u0640\u06d6-\u06ed\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
const FOLD = new Map([
  ["أ", "ا"], ["إ", "ا"], ["آ", "ا"], ["ٱ", "ا"],
  ["ى", "ي"], ["ی", "ي"], ["ک", "ك"], ["ة", "ه"], ["ە", "ه"],
  ..."٠١٢٣٤٥٦٧٨٩".split("").map((d, i) => [d, String(i)]),
  ..."۰۱۲۳۴۵۶۷۸۹".split("").map((d, i) => [d, String(i)]),
]);

/** Text as the index holds it: NFKC, lowercase, no diacritics or invisible marks, letters folded. */
export function normalise(text) {
  let out = "";
  for (const ch of text.normalize("NFKC").toLowerCase().replace(DROP, "")) out += FOLD.get(ch) ?? ch;
  return out;
}

/** A query word as the highlight looks for it: without a leading article, so «الانسحاب» marks «للانسحاب». */
function stem(word) {
  const bare = word.replace(/^(وال|بال|فال|كال|لل|ال)/, "");
  return bare.length >= 3 ? bare : word;
}

const root = document.getElementById("search");
const form = root.querySelector("form");
const input = root.querySelector("input");
const status = root.querySelector(".search-status");
const list = root.querySelector(".search-results");
const arabicDigits = root.dataset.digits === "arab";

function number(n) {
  const s = String(n);
  return arabicDigits ? s.replace(/[0-9]/g, (d) => "٠١٢٣٤٥٦٧٨٩"[d]) : s;
}

let pagefind = null;
async function engine() {
  if (!pagefind) {
    pagefind = import(new URL("../pagefind/pagefind.js", import.meta.url).href).then(async (pf) => {
      await pf.init();
      return pf;
    });
  }
  return pagefind;
}

/** The excerpt: up to 40 words of the item's text around the first that matches, matches marked. */
function excerpt(text, terms) {
  const parts = text.split(/(\s+)/);
  const matches = (part) => {
    const word = normalise(part);
    return terms.some((t) => word.includes(t));
  };
  let first = parts.findIndex((p) => p.trim() && matches(p));
  if (first < 0) first = 0;
  const start = Math.max(0, first - 16 - (first % 2));
  const end = Math.min(parts.length, start + 80);
  const p = document.createElement("p");
  p.className = "excerpt";
  if (start > 0) p.append("… ");
  for (const part of parts.slice(start, end)) {
    if (part.trim() && matches(part)) {
      const mark = document.createElement("mark");
      mark.textContent = part;
      p.append(mark);
    } else {
      p.append(part);
    }
  }
  if (end < parts.length) p.append(" …");
  return p;
}

const PAGE = 30; // results drawn at a time; "Show more results" draws the next ones, until all are listed
const more = root.querySelector(".search-more");
let pending = []; // the results of the current query not yet listed
let pendingTerms = [];

/** One result as a list item: its title (a link), its page and its excerpt. */
function item(d, terms) {
  const li = document.createElement("li");
  const a = document.createElement("a");
  a.href = d.url;
  a.textContent = d.meta.title || d.meta.page;
  const where = document.createElement("p");
  where.className = "where";
  where.textContent = d.meta.page;
  li.append(a, where, excerpt(d.meta.text || "", terms));
  return li;
}

/** Lists the next PAGE results of the current query; returns the first new item. */
async function next(asked) {
  const batch = pending.slice(0, PAGE);
  const data = await Promise.all(batch.map((r) => r.data()));
  if (asked !== latest) return null; // a newer query has started
  pending = pending.slice(batch.length);
  const items = data.map((d) => item(d, pendingTerms));
  list.append(...items);
  more.hidden = pending.length === 0;
  return items[0] ?? null;
}

let latest = 0;
async function run(query) {
  const asked = ++latest;
  const q = normalise(query).trim();
  const url = new URL(location.href);
  if (q) url.searchParams.set("q", query.trim());
  else url.searchParams.delete("q");
  history.replaceState(null, "", url);
  pending = [];
  more.hidden = true;
  if (!q) {
    list.replaceChildren();
    status.textContent = "";
    return;
  }
  status.textContent = root.dataset.searching;
  try {
    const pf = await engine();
    const found = await pf.search(q);
    if (asked !== latest) return;
    list.replaceChildren();
    pending = found.results;
    pendingTerms = q.split(/\s+/).filter(Boolean).map(stem);
    await next(asked);
    if (asked !== latest) return;
    const n = found.results.length;
    status.textContent = n ? root.dataset.results.replace("{n}", number(n)) : root.dataset.none;
  } catch (error) {
    if (asked !== latest) return;
    list.replaceChildren();
    more.hidden = true;
    status.textContent = root.dataset.failed;
    console.warn("search:", error);
  }
}

more.addEventListener("click", async () => {
  if (more.disabled) return;
  more.disabled = true; // one page at a time
  try {
    const first = await next(latest);
    first?.querySelector("a")?.focus(); // the reader goes on from the first new result
  } finally {
    more.disabled = false;
  }
});

let timer = 0;
input.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(() => run(input.value), 150);
});
input.addEventListener("focus", () => engine().catch(() => {}), { once: true });
form.addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(timer);
  run(input.value);
});
form.hidden = false;
const asked = new URL(location.href).searchParams.get("q");
if (asked) {
  input.value = asked;
  run(asked);
}
