/* The map: places at their coordinates, arcs supporter → recipient coloured by variant, on the province
   outlines of china.json (ECharts 4.9.0's, installed by setup.sh). Filters: variant, program, sector, and a
   year slider ("in force in") that can play the history. #picture carries data-arcs, data-places and
   data-unplaced for tests and readers. */
(function () {
  "use strict";

  var P = window.duikouPictures;
  var el = document.getElementById("picture");
  if (!P || !el || typeof echarts === "undefined") { return; }
  var T = P.T, config = P.config;
  var chart = P.chartIn(el);
  var pairings = [];
  var timer = null;

  var byYear = document.getElementById("f-by-year");
  var slider = document.getElementById("f-year");
  var shown = document.getElementById("f-year-value");
  var play = document.getElementById("f-play");

  /* Without outlines, a frame around China keeps the geo projection (points and arcs only). */
  var FRAME = { type: "FeatureCollection", features: [{ type: "Feature", properties: { name: "" },
    geometry: { type: "Polygon", coordinates: [[[73, 18], [135, 18], [135, 54], [73, 54], [73, 18]]] } }] };

  function outlines() {
    if (!config.outlines) { return Promise.resolve(null); }
    return fetch(config.outlines).then(function (r) { return r.ok ? r.json() : null; }).catch(function () { return null; });
  }

  function filters() {
    var f = P.currentFilters();
    f.year = byYear.checked ? Number(slider.value) : null;
    shown.textContent = byYear.checked ? slider.value : T.all_years;
    return f;
  }

  function tooltip(params) {
    var d = params.data || {};
    if (params.seriesType === "lines") {
      return P.esc(d.pairing.label) + "<br>" + P.esc(d.pairing.variantLabel) + " · " + P.esc(d.pairing.programLabel) +
        (d.pairing.startYear !== null ? " · " + d.pairing.startYear + (d.pairing.endYear !== null ? "–" + d.pairing.endYear : "–") : "");
    }
    if (params.seriesType === "scatter") {
      return "<b>" + P.esc(d.name) + "</b> (" + P.esc(params.seriesName) + ")<br>" +
        d.actors.map(P.esc).join("、") + "<br>" + d.count + " " + P.esc(T.pairings);
    }
    return "";
  }

  function draw() {
    var list = P.filterPairings(pairings, filters());
    var placed = list.filter(function (p) { return p.supporterPoint && p.recipientPoint; });
    var series = config.variantOrder.map(function (key) {
      return {
        type: "lines", name: key, coordinateSystem: "geo", zlevel: 1,
        lineStyle: { color: P.variantColor(key), width: 1.4, opacity: 0.65, curveness: 0.25 },
        emphasis: { lineStyle: { width: 3, opacity: 1 } },
        data: placed.filter(function (p) { return p.variant === key; }).map(function (p) {
          return { coords: [p.supporterPoint, p.recipientPoint], pairing: p };
        })
      };
    });
    var places = { supporter: {}, recipient: {} };
    placed.forEach(function (p) {
      [["supporter", p.supporterAt, p.supporterPoint, p.supporterLabel],
       ["recipient", p.recipientAt, p.recipientPoint, p.recipientLabel]].forEach(function (s) {
        var at = places[s[0]][s[1]] || (places[s[0]][s[1]] = { iri: s[1], point: s[2], actors: [], count: 0 });
        at.count += 1;
        if (at.actors.indexOf(s[3]) < 0) { at.actors.push(s[3]); }
      });
    });
    var labelOf = {};
    placed.forEach(function (p) {
      if (p.supporterAt === p.supporter) { labelOf[p.supporter] = p.supporterLabel; }
      if (p.recipientAt === p.recipient) { labelOf[p.recipient] = p.recipientLabel; }
    });
    [["supporter", T.supporter, "#7b241c"], ["recipient", T.recipient, "#1b4f72"]].forEach(function (s) {
      series.push({
        type: "scatter", name: s[1], coordinateSystem: "geo", zlevel: 2,
        itemStyle: { color: s[2], borderColor: "#fff", borderWidth: 0.6 },
        symbolSize: function (value) { return 5 + Math.sqrt(value[2]) * 2.2; },
        data: Object.keys(places[s[0]]).map(function (iri) {
          var at = places[s[0]][iri];
          return { name: labelOf[iri] || P.slug(iri), value: [at.point[0], at.point[1], at.count], iri: iri,
                   actors: at.actors, count: at.count };
        })
      });
    });
    chart.setOption({ series: series }, { replaceMerge: ["series"] });
    var placeCount = Object.keys(places.supporter).length + Object.keys(places.recipient).length;
    el.setAttribute("data-arcs", String(placed.length));
    el.setAttribute("data-places", String(placeCount));
    el.setAttribute("data-unplaced", String(list.length - placed.length));
    el.setAttribute("data-year", byYear.checked ? slider.value : "");
    P.setStatus(T.shown + ": " + placed.length + " " + T.pairings +
      (list.length > placed.length ? " · " + (list.length - placed.length) + " " + T.unplaced : ""));
  }

  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    play.textContent = T.play;
  }

  function start() {
    byYear.checked = true;
    if (Number(slider.value) >= Number(slider.max)) { slider.value = String(config.firstYear); }
    play.textContent = T.pause;
    draw();
    timer = setInterval(function () {
      if (Number(slider.value) >= Number(slider.max)) { stop(); return; }
      slider.value = String(Number(slider.value) + 1);
      draw();
    }, 700);
  }

  Promise.all([P.fetchAll(config.queries["pairing-overview"]), outlines()]).then(function (results) {
    pairings = P.pairingsFromRows(results[0]);
    var geo = results[1];
    if (!geo) { P.setStatus(T.no_outlines); }
    echarts.registerMap("duikou-china", geo || FRAME);
    var years = pairings.map(function (p) { return p.startYear; }).filter(function (y) { return y !== null; });
    slider.min = String(Math.min.apply(null, years.concat([config.firstYear])));
    slider.max = String(config.thisYear);
    slider.step = "1";
    slider.value = String(config.firstYear);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item", formatter: tooltip },
      legend: {
        top: 8, left: 8, orient: "vertical",
        data: config.variantOrder.map(function (key) {
          return { name: key, itemStyle: { color: P.variantColor(key) } };
        }).concat([{ name: T.supporter }, { name: T.recipient }]),
        formatter: function (name) {
          var sample = pairings.find(function (p) { return p.variant === name; });
          return sample ? sample.variantLabel : name;
        }
      },
      geo: {
        map: "duikou-china", roam: true, zoom: 1.15, center: [104, 36],
        itemStyle: { areaColor: geo ? "#f3efe6" : "transparent", borderColor: geo ? "#b9ae9c" : "#ddd" },
        emphasis: { disabled: true }, label: { show: false }, silent: true
      },
      series: []
    });
    P.setUpFilters(pairings, draw);
    byYear.addEventListener("change", function () { stop(); draw(); });
    slider.addEventListener("input", function () { stop(); byYear.checked = true; draw(); });
    play.addEventListener("click", function () { if (timer === null) { start(); } else { stop(); } });
    chart.on("click", function (params) {
      var d = params.data || {};
      var target = params.seriesType === "scatter" ? P.href(d.iri) : params.seriesType === "lines" ? P.href(d.pairing.iri) : null;
      if (target) { window.location.href = target; }
    });
    draw();
  }).catch(P.failed);
})();
