// Tidings media (#15), on story pages with audio, video or a video site's player:
// - restores where the reader stopped (the page says, data-position) and saves the
//   position as they listen (every few seconds, on pause, on leaving), CSRF-checked
//   like every other fetch;
// - loads a YouTube or Vimeo player only on click (an entry's video, or a frame in a
//   story's text): nothing comes from the video site before that, then a sandboxed
//   iframe of its privacy-preserving player.
// No inline script: the Content-Security-Policy allows only files of this site.
"use strict";
(function () {
  const meta = document.querySelector('meta[name="csrf-token"]');
  const csrf = meta ? meta.content : "";
  const SAVE_EVERY_MS = 5000;
  const EMBEDS = ["https://www.youtube-nocookie.com/embed/", "https://player.vimeo.com/video/"];
  const players = () => Array.from(document.querySelectorAll("audio[data-entry], video[data-entry]"));

  function save(el, keepalive) {
    const at = el.ended ? 0 : el.currentTime;
    if (!isFinite(at) || at < 0) return;
    const seconds = at.toFixed(3);
    if (el.dataset.saved === seconds) return;
    el.dataset.saved = seconds;
    fetch("/entry/" + encodeURIComponent(el.dataset.entry) + "/position", {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: { "X-CSRF-Token": csrf, Accept: "application/json" },
      body: new URLSearchParams({ position: seconds }),
    }).catch(() => { delete el.dataset.saved; });
  }

  players().forEach((el) => {
    const saved = parseFloat(el.dataset.position || "0");
    if (saved > 0) {
      el.dataset.saved = saved.toFixed(3);
      // before any data: the element's start position, applied when it loads; the
      // reader played it before, so its host may be asked for its length now
      el.currentTime = saved;
      el.preload = "metadata";
      el.addEventListener("loadedmetadata", () => {
        if (Math.abs(el.currentTime - saved) > 1 && saved < el.duration) el.currentTime = saved;
      }, { once: true });
    }
    let last = 0;
    el.addEventListener("timeupdate", () => {
      if (el.paused || Date.now() - last < SAVE_EVERY_MS) return;
      last = Date.now();
      save(el);
    });
    el.addEventListener("pause", () => save(el));
    el.addEventListener("ended", () => save(el));
    el.addEventListener("seeked", () => { if (el.paused) save(el); });
  });

  window.addEventListener("pagehide", () => {
    players().forEach((el) => { if (!el.paused) save(el, true); });
  });

  document.querySelectorAll("figure.embed[data-embed-src]").forEach((figure) => {
    const src = figure.dataset.embedSrc;
    const button = figure.querySelector(".embed-play");
    if (!button || !EMBEDS.some((prefix) => src.startsWith(prefix))) return;
    button.addEventListener("click", () => {
      const frame = document.createElement("iframe");
      frame.className = "embed-frame";
      const url = new URL(src);
      url.searchParams.set("autoplay", "1");
      frame.src = url.href;
      frame.title = figure.dataset.embedTitle || "Video";
      frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-presentation");
      frame.setAttribute("allow", "autoplay; encrypted-media; fullscreen; picture-in-picture");
      frame.setAttribute("allowfullscreen", "");
      // the players refuse to play without knowing the embedding site: its origin only
      frame.setAttribute("referrerpolicy", "strict-origin");
      button.replaceWith(frame);
      frame.focus();
    }, { once: true });
  });
})();
