// Inbox enhancements: live updates (server-sent events), alerts, the SMS counter and
// canned-reply previews. Every page works without this script; it only adds to them.
"use strict";

(function () {
  const body = document.body;
  const page = body.dataset.page;
  const status = document.querySelector(".live-status");

  function announce(text) {
    if (status) status.textContent = text;
  }

  // ----- Alerts: a short sound and a browser notification, only when turned on. -----
  const alertsButton = document.querySelector("button.alerts");
  let alertsOn = localStorage.getItem("inbox-alerts") === "on";

  function showAlertsState() {
    if (!alertsButton) return;
    alertsButton.hidden = false;
    alertsButton.setAttribute("aria-pressed", alertsOn ? "true" : "false");
    alertsButton.textContent = alertsOn ? "Alerts on" : "Alerts off";
  }

  if (alertsButton) {
    showAlertsState();
    alertsButton.addEventListener("click", async function () {
      alertsOn = !alertsOn;
      if (alertsOn && "Notification" in window && Notification.permission === "default") {
        try { await Notification.requestPermission(); } catch (e) { /* sound still works */ }
      }
      localStorage.setItem("inbox-alerts", alertsOn ? "on" : "off");
      showAlertsState();
    });
  }

  function beep() {
    try {
      const ctx = new (window.AudioContext || window.webkitAudioContext)();
      const tone = ctx.createOscillator();
      const gain = ctx.createGain();
      tone.frequency.value = 660;
      gain.gain.value = 0.15;
      tone.connect(gain).connect(ctx.destination);
      tone.start();
      tone.stop(ctx.currentTime + 0.25);
    } catch (e) { /* no audio on this device */ }
  }

  function alertFor(change) {
    const text = change.kind === "handoff" ? "A resident is waiting for a person." : "A resident sent a new message.";
    announce(text);
    if (!alertsOn) return;
    beep();
    if ("Notification" in window && Notification.permission === "granted") {
      try { new Notification("Wellbeing inbox", { body: text, tag: "inbox-" + change.conversation_id }); } catch (e) { /* ignore */ }
    }
  }

  // ----- Live updates: refetch the part of the page that changed. -----
  async function refresh(url, target) {
    try {
      const response = await fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" });
      if (response.redirected || response.status === 401) { window.location.assign("/inbox/login"); return; }
      if (!response.ok) return;
      const html = await response.text();
      const scroller = target.querySelector(".transcript");
      const atBottom = !scroller || scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 20;
      target.innerHTML = html;
      const fresh = target.querySelector(".transcript");
      if (fresh && atBottom) fresh.scrollTop = fresh.scrollHeight;
    } catch (e) { /* the next event or poll tries again */ }
  }

  const queue = document.getElementById("queue");
  const transcript = document.getElementById("transcript");
  const panel = document.getElementById("panel");
  const columns = document.querySelector(".columns[data-conversation]");
  const here = columns ? Number(columns.dataset.conversation) : null;

  function onChange(change) {
    if (queue) {
      refresh("/inbox?part=queue&" + queue.dataset.query, queue);
      if (change.kind === "handoff" || change.kind === "message") alertFor(change);
    }
    if (transcript && change.conversation_id === here) {
      refresh("/inbox/conversations/" + here + "?part=transcript", transcript);
      // Never while the practitioner is filling in a form there: their input would be lost.
      const busy = panel && (panel.contains(document.activeElement) ||
        Array.from(panel.querySelectorAll("input:not([type=hidden]), textarea")).some(function (e) { return e.value; }));
      if (panel && !busy && (change.kind === "reminder" || change.kind === "appointment" || change.kind === "handoff")) {
        refresh("/inbox/conversations/" + here + "?part=panel", panel);
      }
      if (change.kind === "message") alertFor(change);
    }
  }

  if ((queue || transcript) && "EventSource" in window) {
    const source = new EventSource("/inbox/events");
    source.addEventListener("ready", function () { body.dataset.live = "on"; });
    // The session ended (logged out here or elsewhere, or timed out): stop and go to the login page.
    source.addEventListener("ended", function () {
      source.close();
      body.dataset.live = "ended";
      window.location.assign("/inbox/login");
    });
    source.addEventListener("change", function (event) {
      try { onChange(JSON.parse(event.data)); } catch (e) { /* ignore a bad event */ }
    });
    source.onerror = function () { body.dataset.live = "retrying"; };
  }
  // A slow poll as a safety net if events cannot get through (a proxy, say).
  if (queue || transcript) {
    setInterval(function () {
      if (body.dataset.live === "on" || body.dataset.live === "ended") return;
      onChange({ kind: "poll", conversation_id: here });
    }, 20000);
  }

  // ----- The reply box: characters, encoding and SMS parts as you type. -----
  const text = document.getElementById("reply-text");
  const meter = document.getElementById("reply-meter");
  if (text && meter) {
    const basic = new Set(Array.from(text.dataset.gsm));
    const extension = new Set(Array.from(text.dataset.gsmExt));
    const measure = function () {
      const value = text.value;
      const chars = Array.from(value);
      const gsm = chars.every(function (c) { return basic.has(c) || extension.has(c); });
      let units, single, multi;
      if (gsm) {
        units = chars.reduce(function (n, c) { return n + (extension.has(c) ? 2 : 1); }, 0);
        single = 160; multi = 153;
      } else {
        units = value.length; // UTF-16 code units, as the network counts them
        single = 70; multi = 67;
      }
      const parts = units === 0 ? 1 : units <= single ? 1 : Math.ceil(units / multi);
      meter.textContent = chars.length + " characters · " + (gsm ? "GSM-7" : "UCS-2") + " · " + parts + " SMS";
    };
    text.addEventListener("input", measure);
    measure();
  }

  // ----- Canned replies: choose from the list, or type the shortcut. -----
  const canned = document.getElementById("canned");
  const preview = document.getElementById("canned-preview");
  if (canned && preview) {
    const show = function () {
      const option = canned.selectedOptions[0];
      preview.textContent = option && option.value ? "Will send: " + option.dataset.text : "";
    };
    canned.addEventListener("change", show);
    if (text) {
      text.addEventListener("input", function () {
        const typed = text.value.trim();
        const match = Array.from(canned.options).find(function (o) { return o.dataset.shortcut === typed && !o.disabled; });
        if (match) { canned.value = match.value; show(); }
      });
    }
    show();
  }
})();
