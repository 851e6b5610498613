// Tidings: a little plain JavaScript over server-rendered pages. Everything works
// without it (forms and links); with it: keyboard shortcuts, marks without a
// reload, mark-read on open or scroll, infinite scroll and new-story polling.
"use strict";
(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const body = document.body;
  const POLL_MS = 30000;

  function post(url, data) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, Accept: "application/json" },
      body: new URLSearchParams(data || {}),
      keepalive: true, // a mark sent as the reader moves on (j, k, u) still arrives
    }).then((r) => {
      if (!r.ok) throw new Error(r.status + " " + url);
      return r.json();
    });
  }

  function toast(text) {
    const el = document.getElementById("toast");
    if (!el) return;
    el.textContent = text;
    el.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { el.hidden = true; }, 2500);
  }

  // --- marks -------------------------------------------------------------

  function applyState(article, state) {
    if (!article) return;
    article.classList.toggle("read", state.read);
    article.classList.toggle("starred", state.starred);
    const readForm = article.querySelector(".act-read");
    if (readForm) {
      readForm.querySelector('input[name="read"]').value = state.read ? "0" : "1";
      readForm.querySelector("button").textContent = state.read ? "Mark unread" : "Mark read";
    }
    const starForm = article.querySelector(".act-star");
    if (starForm) {
      starForm.querySelector('input[name="starred"]').value = state.starred ? "0" : "1";
      const button = starForm.querySelector("button");
      button.textContent = state.starred ? "★ Starred" : "☆ Star";
      button.setAttribute("aria-pressed", state.starred ? "true" : "false");
    }
    if (article.dataset.read !== undefined) article.dataset.read = state.read ? "1" : "0";
  }

  function mark(article, field, value) {
    const id = article.dataset.id;
    return post("/entry/" + id + "/mark", { [field]: value ? "1" : "0" })
      .then((state) => applyState(article, state))
      .catch(() => toast("Could not save; are you still signed in?"));
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.classList.contains("act")) return;
    const article = form.closest("[data-id]");
    if (!article) return;
    event.preventDefault();
    const input = form.querySelector('input[name="read"], input[name="starred"]');
    mark(article, input.name, input.value === "1");
  });

  // --- the river: selection, keyboard, scroll ------------------------------

  const cards = () => Array.from(document.querySelectorAll("#cards .card, .results .card"));
  let current = null;

  function select(card) {
    if (!card) return;
    if (current) current.classList.remove("current");
    current = card;
    card.classList.add("current");
    card.scrollIntoView({ block: "nearest" });
  }

  function step(delta) {
    const list = cards();
    if (!list.length) return;
    const at = list.indexOf(current);
    const next = at < 0 ? list[0] : list[Math.max(0, Math.min(list.length - 1, at + delta))];
    select(next);
    if (delta > 0 && at >= 0 && body.dataset.markScroll === "1") markRead(list[at]);
  }

  function markRead(card) {
    if (!card || card.classList.contains("read")) return;
    card.classList.add("read");
    pendingRead.add(card.dataset.id);
    flushSoon();
  }

  const pendingRead = new Set();
  let flushTimer = null;
  function flushSoon() {
    clearTimeout(flushTimer);
    flushTimer = setTimeout(() => {
      const ids = Array.from(pendingRead);
      pendingRead.clear();
      if (ids.length) post("/entries/read", { ids: ids.join(",") }).catch(() => {});
    }, 400);
  }

  const story = document.getElementById("story");
  const focused = () => story || current;

  function open(card) {
    const link = card && card.querySelector("a.open");
    if (!link) return;
    remember(card);
    window.location.href = link.href;
  }

  // --- story navigation: back to the list, where the reader left it (#15) ---

  const LAST = "The last story in this list";
  const FIRST = "The first story in this list";
  const LIST_KEY = "tidings:list";
  const NEAR_KEY = "tidings:near";
  const here = () => location.pathname + location.search;

  function stored(key) {
    try { return JSON.parse(sessionStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function store(key, value) {
    try { sessionStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode */ }
  }

  // the list page as it was left: which card, where on the screen, how many loaded
  function remember(card) {
    store(LIST_KEY, {
      list: here(), id: card.dataset.id, top: card.getBoundingClientRect().top,
      count: cards().length,
    });
  }

  function follow(selector, none) {
    const link = document.querySelector(selector);
    if (link) window.location.href = link.href;
    else if (none) toast(none);
  }

  function refresh() {
    post("/refresh").then((r) => toast(r.started ? "Refreshing your feeds…" : "Refreshed a moment ago"))
      .catch(() => toast("Could not refresh"));
  }

  function toggleHelp() {
    const help = document.getElementById("help");
    if (help.open) help.close(); else help.showModal();
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select") {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    const target = focused();
    const actions = {
      j: () => (story ? follow("a.nav-next", LAST) : step(1)),
      k: () => (story ? follow("a.nav-prev", FIRST) : step(-1)),
      n: () => story && follow("a.nav-next", LAST),
      p: () => story && follow("a.nav-prev", FIRST),
      o: () => open(current),
      Enter: () => current && open(current),
      m: () => target && mark(target, "read", !target.classList.contains("read") && target.dataset.read !== "1"),
      s: () => target && mark(target, "starred", !target.classList.contains("starred") && !isStarred(target)),
      v: () => { const a = document.querySelector(".source-link"); if (story && a) window.open(a.href, "_blank", "noopener"); },
      r: refresh,
      u: () => story && follow("a.back-link"),
      "/": () => { const box = document.getElementById("search-box"); if (box) box.focus(); },
      "?": toggleHelp,
    };
    const action = actions[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });

  function isStarred(el) {
    const button = el.querySelector(".act-star button");
    return button && button.getAttribute("aria-pressed") === "true";
  }

  // mark read on open (the story page), as a POST: GETs never change state
  if (story && body.dataset.markOpen === "1" && story.dataset.read === "0") {
    mark(story, "read", true);
  }

  // mark read when scrolled past (the card's bottom leaves the top of the window)
  if (body.dataset.markScroll === "1" && "IntersectionObserver" in window) {
    const seen = new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (!e.isIntersecting && e.boundingClientRect.bottom < 0) markRead(e.target);
      }
    });
    const watch = (root) => root.querySelectorAll(".card").forEach((c) => seen.observe(c));
    watch(document);
    document.addEventListener("tidings:cards", (e) => watch(e.detail));
  }

  // --- infinite scroll and new stories ------------------------------------

  const river = document.getElementById("river");
  const cardsBox = document.getElementById("cards");

  function fragment(html) {
    const box = document.createElement("div");
    box.innerHTML = html;
    return box;
  }

  function loadMore(link, then) {
    if (link.dataset.loading) return;
    link.dataset.loading = "1";
    const url = new URL(link.href);
    url.searchParams.set("partial", "1");
    fetch(url, { credentials: "same-origin" }).then((r) => r.text()).then((html) => {
      const box = fragment(html);
      link.remove();
      const added = Array.from(box.children);
      added.forEach((el) => cardsBox.appendChild(el));
      document.dispatchEvent(new CustomEvent("tidings:cards", { detail: cardsBox }));
      watchMore();
      if (then) then();
    }).catch(() => { delete link.dataset.loading; });
  }

  const moreObserver = "IntersectionObserver" in window
    ? new IntersectionObserver((entries) => {
      for (const e of entries) if (e.isIntersecting) loadMore(e.target);
    }, { rootMargin: "600px" })
    : null;

  function watchMore() {
    const link = cardsBox && cardsBox.querySelector("a.more");
    if (link && moreObserver) moreObserver.observe(link);
  }
  watchMore();

  if (river) {
    const banner = river.querySelector(".new-stories");
    let latest = parseInt(river.dataset.latest || "0", 10);
    let waiting = 0;
    let most = 500; // what one click may add (the poll says); past it, a reload

    const poll = () => {
      if (document.hidden) return;
      fetch(river.dataset.poll + "&after=" + latest, {
        credentials: "same-origin", headers: { Accept: "application/json" },
      }).then((r) => r.json()).then((data) => {
        waiting = data.count || 0;
        most = data.max || most;
        banner.hidden = waiting === 0;
        banner.textContent = waiting === 1 ? "1 new story" : waiting + " new stories";
      }).catch(() => {});
    };

    banner.addEventListener("click", () => {
      if (waiting > most) { location.reload(); return; }
      const url = new URL(river.dataset.listing, location.origin);
      url.searchParams.set("after", String(latest));
      fetch(url, { credentials: "same-origin" }).then((r) => r.text()).then((html) => {
        const box = fragment(html);
        const added = Array.from(box.querySelectorAll(".card"));
        for (const card of added.reverse()) {
          latest = Math.max(latest, parseInt(card.dataset.id, 10));
          cardsBox.insertBefore(card, cardsBox.firstChild);
        }
        const empty = cardsBox.querySelector(".empty");
        if (empty && added.length) empty.remove();
        document.dispatchEvent(new CustomEvent("tidings:cards", { detail: cardsBox }));
        banner.hidden = true;
      });
    });
    setInterval(poll, POLL_MS);
    document.addEventListener("visibilitychange", poll);
    river.pollNow = poll; // for tests and the 'r' key
  }

  // the story page says which stories are beside it, for when its own leaves the list
  if (story) store(NEAR_KEY, { id: story.dataset.id, near: (story.dataset.near || "").split(",") });

  // back on a list at #entry-N: that card (or, if it left the list, a neighbour of
  // it) where it was on the screen, loading older pages as far as the reader had
  function restore() {
    const wanted = /^#entry-(\d+)$/.exec(location.hash);
    if (!wanted || !cards().length) return;
    const id = wanted[1];
    const near = stored(NEAR_KEY);
    const ids = [id].concat(near && near.id === id ? near.near.filter(Boolean) : []);
    const left = stored(LIST_KEY);
    const same = left && left.list === here();
    const find = () => {
      for (const i of ids) {
        const card = cards().find((c) => c.dataset.id === i);
        if (card) return card;
      }
      return null;
    };
    let tries = 0;
    const settle = () => {
      const card = find();
      const link = cardsBox && cardsBox.querySelector("a.more");
      const deeper = same ? left.count : 0;
      if (!card && link && tries < 20 && cards().length < deeper + 30) {
        tries += 1;
        if (link.dataset.loading) { // already on its way (infinite scroll)
          document.addEventListener("tidings:cards", settle, { once: true });
        } else {
          loadMore(link, settle);
        }
        return;
      }
      if (!card) return;
      select(card);
      const top = same && left.id === card.dataset.id ? left.top : null;
      if (top !== null) window.scrollBy(0, card.getBoundingClientRect().top - top);
      else card.scrollIntoView({ block: "start" });
    };
    settle();
  }
  if (document.readyState === "complete") restore();
  else window.addEventListener("load", restore, { once: true });
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a.open");
    const card = link && link.closest(".card");
    if (card) remember(card);
  });

  // --- small things ---------------------------------------------------------

  const help = document.querySelector(".help-button");
  if (help) help.addEventListener("click", toggleHelp);
  const menu = document.querySelector(".menu-toggle");
  if (menu) menu.addEventListener("click", () => body.classList.toggle("nav-open"));
  cards().forEach((card) => card.addEventListener("click", (e) => {
    if (!e.target.closest("a, button, form")) select(card);
  }));
})();
