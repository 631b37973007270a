/* Shared by the picture pages: configuration, fetching canned queries page by page, grouping rows into
   pairings, filters and counts. Mirrors duikou_kg/pictures/data.py (the plot command), so that the pages
   and the plots agree. Configuration comes from the JSON block #pictures-config (no inline script). */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("pictures-config").textContent);
  var T = config.texts;
  var NONE = "";

  function esc(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function slug(iri) {
    return String(iri || "").replace(/\/+$/, "").split("/").pop();
  }

  /* The page of an IRI on this server: https://w3id.org/duikou/id/actor/x → <root>/id/actor/x?lang=… */
  function href(iri) {
    if (!iri) { return null; }
    var base = config.publicBase;
    var path = iri.indexOf(base) === 0 ? "/" + iri.slice(base.length) : null;
    if (path === null) { return iri; }
    return config.root + path + "?lang=" + encodeURIComponent(config.lang);
  }

  function setStatus(text, isError) {
    var el = document.getElementById("status");
    if (el) {
      el.textContent = text;
      el.classList.toggle("error", !!isError);
    }
  }

  /* Every row of a canned query: the API pages with "next" links; follow them. */
  function fetchAll(url) {
    var rows = [];
    function step(next) {
      var withLimit = next + (next.indexOf("limit=") < 0 ? (next.indexOf("?") < 0 ? "?" : "&") + "limit=1000" : "");
      return fetch(withLimit, { headers: { Accept: "application/json" } }).then(function (response) {
        if (!response.ok) { throw new Error(url + ": HTTP " + response.status); }
        return response.json();
      }).then(function (body) {
        Array.prototype.push.apply(rows, body.rows || []);
        return body.next ? step(body.next) : rows;
      });
    }
    return step(url);
  }

  function variantKey(iri) {
    var keys = config.variantOrder;
    for (var i = 0; i < keys.length; i++) {
      if (config.variants[keys[i]].iri === iri) { return keys[i]; }
    }
    return "support";
  }

  function point(row, side) {
    var lat = row[side + "Lat"], lng = row[side + "Long"];
    return typeof lat === "number" && typeof lng === "number" ? [lng, lat] : null;
  }

  /* pairing-overview has one row per pairing and sector: group them. */
  function pairingsFromRows(rows) {
    var byIri = {}, order = [];
    rows.forEach(function (row) {
      var p = byIri[row.pairing];
      if (!p) {
        p = byIri[row.pairing] = {
          iri: row.pairing,
          label: row.pairingLabel || slug(row.pairing),
          variant: variantKey(row.variant),
          variantLabel: row.variantLabel || "",
          supporter: row.supporter, supporterLabel: row.supporterLabel || slug(row.supporter),
          supporterAt: row.supporterAt, supporterPoint: point(row, "supporter"),
          recipient: row.recipient, recipientLabel: row.recipientLabel || slug(row.recipient),
          recipientAt: row.recipientAt, recipientPoint: point(row, "recipient"),
          program: row.program || NONE, programLabel: row.programLabel || (row.program ? slug(row.program) : T.none),
          startYear: typeof row.startYear === "number" ? row.startYear : null,
          endYear: typeof row.endYear === "number" ? row.endYear : null,
          sectors: []
        };
        order.push(p);
      }
      if (row.sector && !p.sectors.some(function (s) { return s.iri === row.sector; })) {
        p.sectors.push({ iri: row.sector, label: row.sectorLabel || slug(row.sector) });
      }
    });
    return order;
  }

  function inForce(p, year) {
    return p.startYear !== null && p.startYear <= year && (p.endYear === null || p.endYear >= year);
  }

  /* filters: {variant, program, sector, year}; empty or null lets everything through. */
  function filterPairings(pairings, f) {
    return pairings.filter(function (p) {
      if (f.variant && p.variant !== f.variant) { return false; }
      if (f.program && p.program !== f.program) { return false; }
      if (f.sector && !p.sectors.some(function (s) { return s.iri === f.sector; })) { return false; }
      if (f.year != null && !inForce(p, f.year)) { return false; }
      return true;
    });
  }

  /* [{key, label, count}] per program, variant, sector or decade (same order rules as data.py). */
  function countBy(pairings, kind) {
    var counts = {}, labels = {};
    function add(key, label) {
      counts[key] = (counts[key] || 0) + 1;
      labels[key] = label;
    }
    pairings.forEach(function (p) {
      if (kind === "program") { add(p.program, p.programLabel); }
      else if (kind === "variant") { add(p.variant, p.variantLabel || p.variant); }
      else if (kind === "sector") {
        if (p.sectors.length === 0) { add(NONE, T.none); }
        p.sectors.forEach(function (s) { add(s.iri, s.label); });
      } else if (kind === "decade") {
        var d = p.startYear === null ? NONE : String(Math.floor(p.startYear / 10) * 10);
        add(d, d === NONE ? T.none : (config.lang === "zh" ? d + "年代" : d + "s"));
      }
    });
    var out = Object.keys(counts).map(function (k) { return { key: k, label: labels[k], count: counts[k] }; });
    if (kind === "variant") {
      var order = config.variantOrder;
      out.sort(function (a, b) { return order.indexOf(a.key) - order.indexOf(b.key); });
    } else if (kind === "decade") {
      out.sort(function (a, b) { return (a.key === NONE) - (b.key === NONE) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0); });
    } else {
      out.sort(function (a, b) { return b.count - a.count || (a.key === NONE) - (b.key === NONE) || (a.label < b.label ? -1 : 1); });
    }
    return out;
  }

  /* Fill a <select> with "All" and [{value, label}] (text set as text: never parsed as HTML). */
  function fillSelect(select, options) {
    if (!select) { return; }
    select.textContent = "";
    [{ value: "", label: T.all }].concat(options).forEach(function (o) {
      var option = document.createElement("option");
      option.value = o.value;
      option.textContent = o.label;
      select.appendChild(option);
    });
  }

  function variantOptions(pairings) {
    return countBy(pairings, "variant").map(function (c) { return { value: c.key, label: c.label }; });
  }

  function programOptions(pairings) {
    return countBy(pairings, "program").filter(function (c) { return c.key !== NONE; })
      .map(function (c) { return { value: c.key, label: c.label + " (" + c.count + ")" }; });
  }

  function sectorOptions(pairings) {
    return countBy(pairings, "sector").filter(function (c) { return c.key !== NONE; })
      .map(function (c) { return { value: c.key, label: c.label + " (" + c.count + ")" }; });
  }

  /* The common filters of a page: selects #f-variant, #f-program, #f-sector (those that exist). */
  function setUpFilters(pairings, onChange) {
    fillSelect(document.getElementById("f-variant"), variantOptions(pairings));
    fillSelect(document.getElementById("f-program"), programOptions(pairings));
    fillSelect(document.getElementById("f-sector"), sectorOptions(pairings));
    ["f-variant", "f-program", "f-sector"].forEach(function (id) {
      var el = document.getElementById(id);
      if (el) { el.addEventListener("change", onChange); }
    });
    var form = document.getElementById("filters");
    if (form) { form.addEventListener("submit", function (e) { e.preventDefault(); }); }
  }

  function currentFilters() {
    function value(id) {
      var el = document.getElementById(id);
      return el && el.value ? el.value : null;
    }
    return { variant: value("f-variant"), program: value("f-program"), sector: value("f-sector"), year: null };
  }

  function variantColor(key) {
    return (config.variants[key] || {}).color || "#888";
  }

  /* A chart in #picture (or el) that follows the window's size. */
  function chartIn(el) {
    var chart = echarts.init(el, null, { renderer: "canvas" });
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  function failed(error) {
    setStatus(T.load_failed + ": " + (error && error.message ? error.message : error), true);
  }

  window.duikouPictures = {
    config: config, T: T, NONE: NONE, esc: esc, slug: slug, href: href, setStatus: setStatus,
    fetchAll: fetchAll, pairingsFromRows: pairingsFromRows, inForce: inForce, filterPairings: filterPairings,
    countBy: countBy, fillSelect: fillSelect, setUpFilters: setUpFilters, currentFilters: currentFilters,
    variantColor: variantColor, chartIn: chartIn, failed: failed
  };
})();
