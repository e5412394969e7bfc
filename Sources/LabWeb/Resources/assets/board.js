// The lab board: every rig as a tile, redrawn from the live feed (server-sent events).
// EventSource reconnects by itself, so the board survives a collector restart.
"use strict";
(function () {
  const root = document.getElementById("board");
  const tiles = document.getElementById("rigs");
  const state = document.getElementById("feed-state");
  const sound = document.getElementById("sound");
  const central = document.getElementById("central");
  const storeLine = document.getElementById("store");
  const canAck = root.dataset.instructor === "1";
  let known = new Set();
  // When each firing alarm first showed here: the wall screen's own latency, kept on the page.
  const seenAt = new Map();

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "class") node.className = value; else node.setAttribute(key, value);
    }
    for (const child of children) node.append(child);
    return node;
  }
  function time(iso) { return iso ? new Date(iso).toLocaleTimeString() : ""; }
  function beep() {
    try {
      const audio = new AudioContext(), osc = audio.createOscillator();
      osc.connect(audio.destination); osc.frequency.value = 880; osc.start(); osc.stop(audio.currentTime + 0.25);
    } catch (e) { /* no audio device: the tile still shows the alarm */ }
  }
  function ack(rig, alarm) {
    const note = prompt("Acknowledge " + alarm.alarm + " on " + rig.name + ": note (optional)");
    if (note === null) return;
    fetch("/api/v1/rigs/" + encodeURIComponent(rig.id) + "/ack", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": root.dataset.csrf },
      body: JSON.stringify({ alarm: alarm.alarm, since: alarm.since, note: note })
    }).then(r => r.ok ? r.json() : r.json().then(e => Promise.reject(e.error)))
      .then(a => { alert("Acknowledged by " + a.by + " at " + time(a.at)); })
      .catch(e => alert("Not acknowledged: " + e));
  }
  function render(rigs) {
    const firing = new Set();
    let section = null;
    const nodes = [];
    for (const rig of rigs) {
      // Sections of Dashboards/board.yaml, in its order (the API sends the rigs so).
      if (rig.section && rig.section !== section) {
        section = rig.section;
        nodes.push(el("h2", { class: "section" }, section));
      }
      nodes.push(tile(rig, firing));
    }
    tiles.replaceChildren(...nodes);
    if (sound.checked && [...firing].some(key => !known.has(key))) beep();
    known = firing;
    root.dataset.updated = String(Date.now());
  }
  function tile(rig, firing) {
    const card = el("article", { class: "tile " + (rig.up ? "up" : "down") + (rig.alarms.length ? " alarm" : ""), "data-rig": rig.id });
    card.append(el("h2", {}, el("a", { href: "/rigs/" + encodeURIComponent(rig.id) }, rig.name), " ",
      el("span", { class: "state" }, rig.up ? "online" : "offline")));
    card.append(el("p", { class: "who" }, rig.student ? rig.student.name + " since " + time(rig.since) : "nobody"));
    for (const attempt of rig.attempts) {
      card.append(el("p", { class: "attempt" }, attempt.exercise + ": step " + attempt.step + " of " + attempt.steps));
    }
    const values = el("dl", { class: "values" });
    for (const value of rig.values.filter(v => v.key)) {
      values.append(el("dt", {}, value.channel), el("dd", {}, value.value == null ? "–" : value.label ? value.label : (+value.value.toFixed(2)) + " " + value.unit));
    }
    card.append(values);
    for (const alarm of rig.alarms) {
      const key = rig.id + "/" + alarm.alarm + "/" + alarm.since;
      firing.add(key);
      if (!seenAt.has(key)) seenAt.set(key, Date.now());
      const line = el("p", { class: "alarm-line " + alarm.severity, "data-alarm": alarm.alarm, "data-fired": alarm.fired,
        "data-seen": String(seenAt.get(key)) }, "⚠ " + alarm.alarm + " since " + time(alarm.since));
      if (canAck) {
        const button = el("button", { type: "button" }, "Acknowledge");
        button.addEventListener("click", () => ack(rig, alarm));
        line.append(" ", button);
      }
      card.append(line);
    }
    return card;
  }
  // Forwarding to the central store (null when the lab does not forward): up to when, what
  // waits, and why the last attempt failed.
  function showCentral(status) {
    central.hidden = !status;
    if (!status) return;
    let text = "Central store: " + (status.forwarded_until ? "forwarded up to " + time(status.forwarded_until) : "not caught up yet")
      + ", " + status.waiting + " rows waiting";
    if (!status.connected) text += ", not connected";
    if (status.last_error) text += ". Last error: " + status.last_error;
    central.textContent = text;
    central.className = "central" + (status.connected ? "" : " lost");
    central.dataset.waiting = String(status.waiting);
  }
  // The store's writes (null when nothing collects): a full or read-only disk is the
  // technician's to fix, and the board says so until the collector writes again.
  function showStore(status) {
    const failing = !!status && !status.writable;
    storeLine.hidden = !failing && !(status && status.dropped_samples > 0);
    if (!status) return;
    storeLine.textContent = failing
      ? "Storage: cannot write since " + time(status.failing_since) + ". " + status.error + ". " + status.dropped_samples + " samples dropped."
      : "Storage: writing again; " + status.dropped_samples + " samples were dropped while it could not.";
    storeLine.className = "central" + (failing ? " lost" : "");
    storeLine.dataset.writable = String(status.writable);
  }
  // The feed sends the whole board first on each connection, then only what changes: each rig's
  // state and its values as numbers in the board's channel order.
  let board = [];
  function merge(changes) {
    showCentral(changes.central);
    showStore(changes.store);
    const byID = new Map(board.map(rig => [rig.id, rig]));
    for (const change of changes.rigs) {
      const rig = byID.get(change.id);
      if (!rig) continue;
      for (const key of ["up", "time", "student", "since", "alarms", "attempts"]) rig[key] = change[key];
      change.values.forEach((value, index) => {
        if (!rig.values[index]) return;
        rig.values[index].value = value;
        rig.values[index].label = change.labels[String(index)] ?? null;
      });
    }
    render(board);
  }
  function live() { state.textContent = "live"; state.className = "feed live"; }
  fetch("/api/v1/rigs", { credentials: "same-origin" }).then(r => r.json()).then(rigs => { if (!board.length) { board = rigs; render(board); } }).catch(() => {});
  const feed = new EventSource("/api/v1/live");
  feed.addEventListener("board", event => { live(); board = JSON.parse(event.data); render(board); });
  feed.addEventListener("values", event => { live(); merge(JSON.parse(event.data)); });
  feed.onerror = () => { state.textContent = "reconnecting…"; state.className = "feed lost"; };
})();
