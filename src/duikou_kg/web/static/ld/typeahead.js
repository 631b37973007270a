// Typeahead for the search box: fills a <datalist> from /search (JSON); Enter or a pick opens the page.
(function () {
  "use strict";
  var input = document.getElementById("ld-q");
  if (!input) { return; }
  var list = document.getElementById("ld-suggestions");
  var hrefs = {};
  var timer = null;
  input.addEventListener("input", function () {
    var q = input.value.trim();
    if (hrefs[q]) { window.location.href = hrefs[q]; return; }
    clearTimeout(timer);
    if (q.length < 1) { return; }
    timer = setTimeout(function () {
      var url = input.getAttribute("data-suggest") + "?limit=10&q=" + encodeURIComponent(q);
      fetch(url, { headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          while (list.firstChild) { list.removeChild(list.firstChild); }
          hrefs = {};
          data.results.forEach(function (hit) {
            var option = document.createElement("option");
            option.value = hit.label;  // textContent/value, never innerHTML: labels are data
            hrefs[hit.label] = hit.href;
            list.appendChild(option);
          });
        })
        .catch(function () { /* suggestions are optional */ });
    }, 150);
  });
}());
