/* The timeline: one row per program (a bar from the first to the last start year of its pairings),
   pairings as dots at their start year, meetings and documents (events-timeline) as diamonds on the row of
   their program, or on a row of their own. Everything links to its page. Filters: variant, program.
   #picture carries data-pairings, data-events and data-programs (what is drawn). */
(function () {
  "use strict";

  var P = window.duikouPictures;
  var el = document.getElementById("picture");
  if (!P || !el || typeof echarts === "undefined") { return; }
  var T = P.T, config = P.config;
  var chart = P.chartIn(el);
  var pairings = [], events = [], programs = [];

  function tooltip(params) {
    var d = params.data || {};
    if (d.kind === "program") {
      return "<b>" + P.esc(d.label) + "</b><br>" + d.first + "–" + d.last + " · " + d.count + " " + P.esc(T.pairings);
    }
    if (d.kind === "event") {
      return P.esc(d.year) + " · " + P.esc(d.kindLabel) + "<br><b>" + P.esc(d.label) + "</b>" +
        (d.count ? "<br>" + d.count + " " + P.esc(T.pairings) : "");
    }
    return P.esc(d.pairing.startYear) + " · " + P.esc(d.pairing.label);
  }

  function draw() {
    var f = P.currentFilters();
    var list = P.filterPairings(pairings, f).filter(function (p) { return p.startYear !== null; });
    var rows = programs.filter(function (p) { return !f.program || p.key === f.program; });
    var rowOf = {};
    rows.forEach(function (p, i) { rowOf[p.key] = i + 1; });  // row 0: events of no program
    var spans = rows.filter(function (p) { return p.first !== null; }).map(function (p) {
      return { value: [rowOf[p.key], p.first, p.last], kind: "program", iri: p.key, label: p.label,
               first: p.first, last: p.last, count: p.count };
    });
    var seen = {};
    var dots = list.filter(function (p) { return rowOf[p.program] !== undefined; }).map(function (p) {
      var key = p.program + "|" + p.startYear;
      var k = seen[key] = (seen[key] || 0) + 1;
      var jitter = ((k * 0.618) % 1 - 0.5) * 0.6;
      return { value: [p.startYear + ((k * 0.37) % 1 - 0.5) * 0.5, rowOf[p.program] + jitter], pairing: p,
               itemStyle: { color: P.variantColor(p.variant) } };
    });
    var shownEvents = events.filter(function (e) {
      return f.program ? e.program === f.program : true;
    }).map(function (e, i) {
      var row = e.program && rowOf[e.program] !== undefined ? rowOf[e.program] : 0;
      return { value: [e.year, row + (row === 0 ? ((i * 0.618) % 1 - 0.5) * 0.5 : -0.32)], kind: "event", iri: e.iri,
               label: e.label, year: e.year, kindLabel: e.kindLabel, count: e.count };
    });
    var labels = [T.events].concat(rows.map(function (p) { return p.label; }));
    chart.setOption({
      yAxis: { type: "value", min: -1, max: labels.length, interval: 1, inverse: true,
               axisLabel: { formatter: function (v) { return labels[v] || ""; }, width: 230, overflow: "truncate" },
               splitLine: { lineStyle: { color: "#eee" } } },
      series: [
        { type: "custom", name: T.program, renderItem: renderSpan, encode: { x: [1, 2], y: 0 }, data: spans, z: 1 },
        { type: "scatter", name: T.pairings, symbolSize: 7, data: dots, z: 3, itemStyle: { color: "#777", opacity: 0.8 } },
        { type: "scatter", name: T.events, symbol: "diamond", symbolSize: 13, data: shownEvents, z: 4,
          itemStyle: { color: "#f0b429", borderColor: "#7a5300", borderWidth: 1 } }
      ]
    }, { replaceMerge: ["series"] });
    el.setAttribute("data-pairings", String(dots.length));
    el.setAttribute("data-events", String(shownEvents.length));
    el.setAttribute("data-programs", String(spans.length));
    P.setStatus(T.shown + ": " + dots.length + " " + T.pairings + " · " + shownEvents.length + " " + T.events);
  }

  function renderSpan(params, api) {
    var row = api.value(0);
    var start = api.coord([api.value(1) - 0.4, row]);
    var end = api.coord([api.value(2) + 0.4, row]);
    var height = api.size([0, 1])[1] * 0.35;
    return { type: "rect", shape: { x: start[0], y: start[1] - height / 2, width: Math.max(end[0] - start[0], 3), height: height },
             style: { fill: "#d5c4b0", opacity: 0.8 } };
  }

  Promise.all([
    P.fetchAll(config.queries["pairing-overview"]),
    P.fetchAll(config.queries["events-timeline"])
  ]).then(function (results) {
    pairings = P.pairingsFromRows(results[0]);
    events = results[1].filter(function (r) { return typeof r.year === "number"; }).map(function (r) {
      return { iri: r.item, label: r.itemLabel || P.slug(r.item), year: r.year, kindLabel: r.kindLabel || "",
               program: r.program || null, count: r.pairingsEstablished || 0 };
    });
    programs = P.countBy(pairings, "program").map(function (c) {
      var years = pairings.filter(function (p) { return p.program === c.key && p.startYear !== null; })
        .map(function (p) { return p.startYear; });
      return { key: c.key, label: c.label, count: c.count,
               first: years.length ? Math.min.apply(null, years) : null,
               last: years.length ? Math.max.apply(null, years) : null };
    }).sort(function (a, b) { return (a.first === null) - (b.first === null) || a.first - b.first || (a.label < b.label ? -1 : 1); });
    var years = events.map(function (e) { return e.year; }).concat(pairings.map(function (p) { return p.startYear; }))
      .filter(function (y) { return y !== null; });
    chart.setOption({
      animation: false,
      grid: { left: 250, right: 30, top: 40, bottom: 60 },
      tooltip: { trigger: "item", formatter: tooltip },
      legend: { top: 6, data: [T.pairings, T.events] },
      dataZoom: [{ type: "slider", xAxisIndex: 0, bottom: 10 }, { type: "inside", xAxisIndex: 0 }],
      xAxis: { type: "value", min: Math.min.apply(null, years) - 2, max: Math.max(config.thisYear, Math.max.apply(null, years)) + 1,
               axisLabel: { formatter: function (v) { return String(Math.round(v)); } } },
      yAxis: { type: "value" },
      series: []
    });
    P.setUpFilters(pairings, draw);
    chart.on("click", function (params) {
      var d = params.data || {};
      var target = d.pairing ? P.href(d.pairing.iri) : P.href(d.iri);
      if (target) { window.location.href = target; }
    });
    draw();
  }).catch(P.failed);
})();
