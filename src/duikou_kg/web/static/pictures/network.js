/* The network: actors as nodes sized by their number of pairings, coloured (grouped) by the program most of
   their pairings belong to; pairings as edges coloured by variant. Filters: variant, program; the search box
   highlights matching actors. #picture carries data-nodes, data-edges and data-highlighted. */
(function () {
  "use strict";

  var P = window.duikouPictures;
  var el = document.getElementById("picture");
  if (!P || !el || typeof echarts === "undefined") { return; }
  var T = P.T, config = P.config;
  var chart = P.chartIn(el);
  var pairings = [], programs = [], nodes = [];
  var search = document.getElementById("f-search");

  function network(list) {
    var byIri = {}, edges = [];
    list.forEach(function (p) {
      if (!p.supporter || !p.recipient) { return; }
      [[p.supporter, p.supporterLabel], [p.recipient, p.recipientLabel]].forEach(function (s) {
        var n = byIri[s[0]] || (byIri[s[0]] = { iri: s[0], label: s[1], pairings: 0, programs: {} });
        n.pairings += 1;
        n.programs[p.program] = (n.programs[p.program] || 0) + 1;
      });
      edges.push({ source: p.supporter, target: p.recipient, pairing: p,
                   lineStyle: { color: P.variantColor(p.variant) } });
    });
    var out = Object.keys(byIri).map(function (iri) {
      var n = byIri[iri];
      n.program = Object.keys(n.programs).sort(function (a, b) {
        return n.programs[b] - n.programs[a] || (a < b ? -1 : 1);
      })[0];
      return n;
    });
    return { nodes: out, edges: edges };
  }

  function tooltip(params) {
    var d = params.data || {};
    if (params.dataType === "edge") {
      return P.esc(d.pairing.label) + "<br>" + P.esc(d.pairing.variantLabel) + " · " + P.esc(d.pairing.programLabel);
    }
    return "<b>" + P.esc(d.name) + "</b><br>" + d.value + " " + P.esc(T.pairings) + " · " + P.esc(d.programLabel);
  }

  function highlight() {
    var text = (search.value || "").trim().toLowerCase();
    chart.dispatchAction({ type: "downplay", seriesIndex: 0 });
    var hits = [];
    if (text) {
      nodes.forEach(function (n, i) {
        if (n.label.toLowerCase().indexOf(text) >= 0 || P.slug(n.iri).indexOf(text) >= 0) { hits.push(i); }
      });
      if (hits.length) { chart.dispatchAction({ type: "highlight", seriesIndex: 0, dataIndex: hits }); }
    }
    el.setAttribute("data-highlighted", String(hits.length));
    el.setAttribute("data-search", text);
    if (text) { P.setStatus(T.search + ": " + hits.length + " " + T.matches); }
  }

  function draw() {
    var list = P.filterPairings(pairings, P.currentFilters());
    var net = network(list);
    nodes = net.nodes;
    var category = {};
    programs.forEach(function (p, i) { category[p.key] = i; });
    chart.setOption({
      series: [{
        type: "graph", layout: "force", roam: true, draggable: true,
        force: { repulsion: 70, gravity: 0.12, edgeLength: [15, 70], layoutAnimation: false },
        categories: programs.map(function (p) { return { name: p.label }; }),
        label: { show: false, position: "right", fontSize: 11 },
        labelLayout: { hideOverlap: true },
        emphasis: { focus: "none", scale: 1.8, label: { show: true, fontWeight: "bold" },
                    itemStyle: { borderColor: "#111", borderWidth: 2.5 } },
        lineStyle: { opacity: 0.55, width: 1, curveness: 0.1 },
        edgeSymbol: ["none", "arrow"], edgeSymbolSize: 5,
        data: nodes.map(function (n) {
          var program = programs[category[n.program]] || {};
          return { id: n.iri, name: n.label, value: n.pairings, iri: n.iri, category: category[n.program],
                   programLabel: program.label || T.none, symbolSize: 5 + Math.sqrt(n.pairings) * 4,
                   label: { show: n.pairings >= 6 } };
        }),
        links: net.edges
      }]
    }, { replaceMerge: ["series"] });
    el.setAttribute("data-nodes", String(nodes.length));
    el.setAttribute("data-edges", String(net.edges.length));
    P.setStatus(T.shown + ": " + nodes.length + " / " + net.edges.length + " " + T.pairings);
    highlight();
  }

  P.fetchAll(config.queries["pairing-overview"]).then(function (rows) {
    pairings = P.pairingsFromRows(rows);
    programs = P.countBy(pairings, "program");
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item", formatter: tooltip },
      legend: { type: "scroll", top: 4, left: 4, right: 4,
                data: programs.map(function (p) { return p.label; }) },
      series: []
    });
    P.setUpFilters(pairings, draw);
    search.addEventListener("input", highlight);
    chart.on("click", function (params) {
      var d = params.data || {};
      var target = params.dataType === "edge" ? P.href(d.pairing.iri) : P.href(d.iri);
      if (target) { window.location.href = target; }
    });
    draw();
  }).catch(P.failed);
})();
