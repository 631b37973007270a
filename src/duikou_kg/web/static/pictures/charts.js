/* The charts: pairings per program, variant, sector and decade of the start year, under the filters
   variant, program, sector. Each #chart-<kind> carries data-bars (bars drawn); #picture carries data-total
   (pairings under the filters). Clicking a program or sector bar opens its page. */
(function () {
  "use strict";

  var P = window.duikouPictures;
  var grid = document.getElementById("picture");
  if (!P || !grid || typeof echarts === "undefined") { return; }
  var T = P.T, config = P.config;
  var KINDS = ["program", "variant", "sector", "decade"];
  var charts = {};
  var pairings = [];

  function option(kind, counts) {
    var horizontal = kind === "program" || kind === "sector";
    var categories = counts.map(function (c) { return c.label; });
    var values = counts.map(function (c) {
      return { value: c.count, key: c.key,
               itemStyle: { color: kind === "variant" ? P.variantColor(c.key) : kind === "decade" ? "#8b1a1a" : "#5d6d7e" } };
    });
    var category = { type: "category", data: categories, inverse: horizontal,
                     axisLabel: horizontal ? { width: 210, overflow: "truncate" } : { interval: 0 } };
    var value = { type: "value", minInterval: 1 };
    return {
      animation: false,
      grid: { left: horizontal ? 220 : 50, right: 40, top: 20, bottom: 30 },
      tooltip: { trigger: "item", formatter: function (p) { return P.esc(p.name) + ": " + p.value; } },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: [{ type: "bar", data: values, label: { show: true, position: horizontal ? "right" : "top" } }]
    };
  }

  function draw() {
    var list = P.filterPairings(pairings, P.currentFilters());
    KINDS.forEach(function (kind) {
      var counts = P.countBy(list, kind);
      charts[kind].setOption(option(kind, counts), { notMerge: true });
      document.getElementById("chart-" + kind).setAttribute("data-bars", String(counts.length));
    });
    grid.setAttribute("data-total", String(list.length));
    P.setStatus(T.shown + ": " + list.length + " " + T.pairings);
  }

  KINDS.forEach(function (kind) {
    charts[kind] = P.chartIn(document.getElementById("chart-" + kind));
    charts[kind].on("click", function (params) {
      var key = params.data && params.data.key;
      if ((kind === "program" || kind === "sector") && key) { window.location.href = P.href(key); }
    });
  });

  P.fetchAll(config.queries["pairing-overview"]).then(function (rows) {
    pairings = P.pairingsFromRows(rows);
    P.setUpFilters(pairings, draw);
    draw();
  }).catch(P.failed);
})();
