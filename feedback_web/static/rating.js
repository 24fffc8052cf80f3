// The citizen's rating screen (kiosk tablet and QR form). No external code: this file,
// rating.css and the page's JSON config are all it needs.
//
// Offline-safe: every rating goes into a queue in localStorage first, with a feedback_id
// made here. The queue is sent in order; a failure keeps the item and retries with
// exponential backoff, and the same feedback_id travels on every retry, so the stream
// workers count each rating once however often it is sent.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("config").textContent);
  var language = config.language;
  var pendingRating = null;
  var resetTimer = null;
  var flushTimer = null;
  var flushing = false;
  var blocked = null; // an i18n key while the device is rejected: stop sending, keep the queue

  var queueKey = "dost-queue:" + config.mode + ":" + (config.mode === "kiosk" ? config.centerId : config.submitUrl);
  var tokenKey = "dost-kiosk-token:" + config.centerId;

  // --- Device token (kiosk only): given once as #token=... in the setup link -------------
  function deviceToken() {
    var match = /(?:^|[#&])token=([^&]+)/.exec(window.location.hash);
    if (match) {
      localStorage.setItem(tokenKey, decodeURIComponent(match[1]));
      // Take the token out of the address bar (and so out of screenshots and history).
      history.replaceState(null, "", window.location.pathname + window.location.search);
    }
    return localStorage.getItem(tokenKey);
  }

  // --- Queue -------------------------------------------------------------------------------
  function loadQueue() {
    try { return JSON.parse(localStorage.getItem(queueKey) || "[]"); } catch (e) { return []; }
  }
  function saveQueue(queue) {
    localStorage.setItem(queueKey, JSON.stringify(queue));
    showPending(queue);
  }
  function newId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function enqueue(rating, comment) {
    var body = { feedback_id: newId(), rating: rating, submitted_at: new Date().toISOString() };
    if (config.mode === "kiosk") { body.center_id = config.centerId; body.channel = "kiosk"; }
    var service = document.getElementById("service");
    var group = config.serviceGroup || (service && service.value) || null;
    if (group) { body.service_group = group; }
    if (comment) { body.comment = comment.slice(0, config.maxCommentChars); }
    var queue = loadQueue();
    queue.push({ body: body, attempts: 0, nextAt: 0 });
    saveQueue(queue);
    flush();
  }
  function backoffMs(attempts) {
    var base = Math.min(60000, 1000 * Math.pow(2, attempts));
    return base / 2 + Math.random() * base / 2;
  }
  function scheduleFlush(ms) {
    clearTimeout(flushTimer);
    flushTimer = setTimeout(flush, ms);
  }
  function flush() {
    if (flushing || blocked) { return; }
    var queue = loadQueue();
    if (!queue.length) { return; }
    var item = queue[0];
    var wait = item.nextAt - Date.now();
    if (wait > 0) { scheduleFlush(wait); return; }
    var headers = { "Content-Type": "application/json" };
    if (config.mode === "kiosk") {
      var token = deviceToken();
      if (!token) { block("error_not_set_up"); return; }
      headers.Authorization = "Bearer " + token;
    }
    flushing = true;
    fetch(config.submitUrl, { method: "POST", headers: headers, body: JSON.stringify(item.body) })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          handleAnswer(response.status, data, item);
        });
      }, function () { retryLater(item, null); })
      .then(function () { flushing = false; if (!blocked) { scheduleFlush(0); } },
            function () { flushing = false; scheduleFlush(1000); });
  }
  function dropFirst(item) {
    var queue = loadQueue();
    if (queue.length && queue[0].body.feedback_id === item.body.feedback_id) { queue.shift(); }
    saveQueue(queue);
  }
  function retryLater(item, retryAfterSeconds) {
    var queue = loadQueue();
    if (!queue.length || queue[0].body.feedback_id !== item.body.feedback_id) { return; }
    queue[0].attempts += 1;
    var delay = retryAfterSeconds ? retryAfterSeconds * 1000 : backoffMs(queue[0].attempts);
    queue[0].nextAt = Date.now() + delay;
    saveQueue(queue);
  }
  function handleAnswer(status, data, item) {
    var code = data && data.code;
    if (status === 202) { dropFirst(item); return; }
    if (status === 401 || status === 403) { block("error_device_rejected"); return; }
    if (status === 410 || code === "qr_unknown") {
      dropFirst(item);
      block(code === "qr_expired" ? "qr_expired_title" : code === "qr_unknown" ? "qr_unknown_title" : "qr_used_title");
      return;
    }
    if (status === 422 && JSON.stringify(data).indexOf("submitted_at") >= 0 && item.body.submitted_at) {
      // This device's clock is off: let the server stamp the time instead of losing the rating.
      var queue = loadQueue();
      if (queue.length) { delete queue[0].body.submitted_at; saveQueue(queue); }
      return;
    }
    if (status === 422 || status === 400 || status === 404) {
      // Can never succeed as it is; keep the page usable rather than retrying forever.
      if (window.console) { console.error("rating refused", status, data); }
      dropFirst(item);
      return;
    }
    // 429, 503, other 5xx: later, as the server asks or with backoff.
    retryLater(item, status === 429 ? Number(data.retry_after_seconds || 0) || null : null);
  }

  // --- Screens -------------------------------------------------------------------------------
  function show(id) {
    ["screen-rate", "screen-comment", "screen-thanks", "screen-error"].forEach(function (name) {
      document.getElementById(name).hidden = name !== id;
    });
    // Move focus to where the citizen acts next (screen readers announce it too).
    var screen = document.getElementById(id);
    var focus = screen.querySelector("textarea") || screen.querySelector(".primary") || screen.querySelector("h1");
    if (focus) { focus.focus({ preventScroll: true }); }
  }
  function block(key) {
    blocked = key;
    var element = document.getElementById("error-text");
    element.setAttribute("data-i18n", key);
    element.textContent = config.messages[language][key];
    show("screen-error");
  }
  function showPending(queue) {
    var status = document.getElementById("status");
    document.getElementById("pending").textContent = String(queue.length);
    status.hidden = queue.length === 0 || navigator.onLine && queue.every(function (i) { return i.attempts === 0; });
  }
  function setLanguage(code) {
    language = code;
    document.documentElement.lang = code;
    var messages = config.messages[code];
    Array.prototype.forEach.call(document.querySelectorAll("[data-i18n]"), function (element) {
      element.textContent = messages[element.getAttribute("data-i18n")];
    });
    Array.prototype.forEach.call(document.querySelectorAll(".lang"), function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-lang") === code));
    });
    document.getElementById("center-name").textContent = config.centerNames[code];
    Array.prototype.forEach.call(document.querySelectorAll(".face"), function (button) {
      var r = button.getAttribute("data-rating");
      button.setAttribute("aria-label", r + " - " + messages["rating_" + r]);
    });
  }
  function submit(comment) {
    enqueue(pendingRating, comment);
    pendingRating = null;
    show("screen-thanks");
    if (config.mode === "kiosk") {
      clearTimeout(resetTimer);
      resetTimer = setTimeout(reset, config.resetSeconds * 1000);
    }
  }
  function reset() {
    clearTimeout(resetTimer);
    pendingRating = null;
    document.getElementById("comment").value = "";
    var service = document.getElementById("service");
    if (service) { service.value = ""; }
    setLanguage(config.defaultLanguage);
    if (blocked) { block(blocked); } else { show("screen-rate"); }
  }

  Array.prototype.forEach.call(document.querySelectorAll(".face"), function (button) {
    button.addEventListener("click", function () {
      pendingRating = Number(button.getAttribute("data-rating"));
      if (pendingRating <= 3) { show("screen-comment"); } else { submit(null); }
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll(".lang"), function (button) {
    button.addEventListener("click", function () { setLanguage(button.getAttribute("data-lang")); });
  });
  document.getElementById("send").addEventListener("click", function () {
    submit(document.getElementById("comment").value.trim() || null);
  });
  document.getElementById("skip").addEventListener("click", function () { submit(null); });
  document.getElementById("back").addEventListener("click", function () { show("screen-rate"); });
  var done = document.getElementById("done");
  if (done) { done.addEventListener("click", reset); }
  window.addEventListener("online", function () {
    // Back online: send now, whatever the backoff said.
    var queue = loadQueue();
    if (queue.length) { queue[0].nextAt = 0; saveQueue(queue); }
    flush();
  });
  window.addEventListener("offline", function () { showPending(loadQueue()); });

  setLanguage(language);
  if (config.mode === "kiosk" && !deviceToken()) { block("error_not_set_up"); }
  showPending(loadQueue());
  flush();
})();
