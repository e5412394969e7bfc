// A rig page: one dygraphs chart per dashboard panel over a rolling window, fed by the live
// feed; the attempt in progress and the alarms firing above them.
"use strict";
(function () {
  const root = document.getElementById("rig");
  const rigID = root.dataset.rig;
  // The rig's dashboard (Dashboards/<profile>.yaml): panels, ranges, limit lines, the window.
  const dashboard = JSON.parse(root.dataset.dashboard || "null");
  const panels = dashboard ? dashboard.panels : [];
  const windowSeconds = dashboard ? dashboard.windowSeconds : 60;
  const lang = (navigator.language || "en").slice(0, 2);
  const text = t => (t && (t[lang] || t.en)) || "";
  const colours = { critical: "#b3261e", warning: "#b26a00", info: "#6b6b70" };
  const now = document.getElementById("rig-now");
  const holder = document.getElementById("panels");
  const charts = [];
  if (typeof Dygraph === "undefined") {
    // No chart library on this PC: the server draws each panel, redrawn every two seconds.
    document.getElementById("charts-missing").hidden = false;
    panels.forEach((panel, index) => {
      const img = document.createElement("img");
      img.className = "panel-svg";
      img.alt = text(panel.title);
      const base = "/rigs/" + encodeURIComponent(rigID) + "/panels/" + index;
      img.src = base;
      holder.append(img);
      setInterval(() => { img.src = base + "?t=" + Date.now(); }, 2000);
    });
  } else {
    for (const panel of panels) {
      const div = document.createElement("div");
      div.className = "panel";
      const title = document.createElement("h3");
      title.textContent = text(panel.title) + (panel.unit ? " (" + panel.unit + ")" : "");
      const plot = document.createElement("div");
      plot.className = "plot";
      div.append(title, plot);
      holder.append(div);
      const data = [];
      const options = { labels: ["time"].concat(panel.channels), legend: "always", connectSeparatedPoints: true };
      if (panel.range) options.valueRange = panel.range;
      if (panel.thresholds && panel.thresholds.length) {
        // The profile's alarm limits as dashed lines across the chart.
        options.underlayCallback = (ctx, area, g) => {
          for (const limit of panel.thresholds) {
            const y = g.toDomYCoord(limit.value);
            if (y < area.y || y > area.y + area.h) continue;
            ctx.save(); ctx.strokeStyle = colours[limit.severity] || "#b3261e"; ctx.setLineDash([6, 4]);
            ctx.beginPath(); ctx.moveTo(area.x, y); ctx.lineTo(area.x + area.w, y); ctx.stroke(); ctx.restore();
          }
        };
      }
      charts.push({ panel, data, graph: null, plot, options });
    }
  }
  function draw(rig) {
    const t = rig.time ? new Date(rig.time) : null;
    const lines = [];
    lines.push((rig.up ? "online" : "offline") + (rig.student ? " · " + rig.student.name : " · nobody"));
    for (const a of rig.attempts) lines.push(a.exercise + ": step " + a.step + " of " + a.steps);
    now.replaceChildren(...lines.map(text => { const p = document.createElement("p"); p.textContent = text; return p; }));
    for (const alarm of rig.alarms) {
      const p = document.createElement("p"); p.className = "alarm-line " + alarm.severity; p.dataset.alarm = alarm.alarm;
      p.textContent = "⚠ " + alarm.alarm + " since " + new Date(alarm.since).toLocaleTimeString(); now.append(p);
    }
    if (!t) return;
    const byName = Object.fromEntries(channels.map((name, index) => [name, rig.values[index]]));
    for (const chart of charts) {
      const last = chart.data[chart.data.length - 1];
      if (last && last[0].getTime() === t.getTime()) continue;
      chart.data.push([t].concat(chart.panel.channels.map(name => byName[name] ?? null)));
      while (chart.data.length && chart.data[0][0] < t - windowSeconds * 1000) chart.data.shift();
      if (!chart.graph) chart.graph = new Dygraph(chart.plot, chart.data, chart.options);
      else chart.graph.updateOptions({ file: chart.data });
    }
    root.dataset.points = String(charts.reduce((n, c) => n + c.data.length, 0));
  }
  // The feed's first message is the whole board (channel names with the values); the rest carry
  // the values alone, in the same channel order.
  let channels = [];
  const feed = new EventSource("/api/v1/live");
  feed.addEventListener("board", event => {
    const rig = JSON.parse(event.data).find(r => r.id === rigID);
    if (!rig) return;
    channels = rig.values.map(v => v.channel);
    draw(Object.assign({}, rig, { values: rig.values.map(v => v.value) }));
  });
  feed.addEventListener("values", event => {
    const rig = JSON.parse(event.data).rigs.find(r => r.id === rigID);
    if (rig) draw(rig);
  });
})();
