/* The query editor: YASGUI pointed at the app's /sparql, with the canned queries as examples.
   Configuration comes from the JSON block #editor-config (no inline script on the page). */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("editor-config").textContent);
  var holder = document.getElementById("yasgui");
  if (!holder || typeof Yasgui === "undefined") {
    return;
  }

  // Only local autocompleters: the class and property ones ask a remote vocabulary service (LOV).
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];

  var requestConfig = { endpoint: config.endpoint, method: "POST" };
  var yasgui = new Yasgui(holder, {
    requestConfig: requestConfig,
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: {
      getData: function () { return [{ endpoint: config.endpoint }]; },
      keys: []
    },
    persistenceId: null,
    yasqe: { value: config.defaultQuery },
    yasr: { defaultPlugin: "table" }
  });

  var current = yasgui.getTab();
  if (current) {
    current.setEndpoint(config.endpoint);
  }

  function openExample(example) {
    var tab = yasgui.addTab(true, {
      name: example.name,
      yasqe: { value: example.text },
      requestConfig: requestConfig
    });
    tab.setEndpoint(config.endpoint);
    tab.setQuery(example.text);
    tab.query();
  }

  var buttons = document.querySelectorAll("button[data-example]");
  Array.prototype.forEach.call(buttons, function (button) {
    button.addEventListener("click", function () {
      var example = config.examples[Number(button.getAttribute("data-example"))];
      if (example) {
        openExample(example);
      }
    });
  });
  var opened = config.examples.filter(function (e) { return e.name === config.open; })[0];
  if (opened) {
    openExample(opened);
  }
  window.duikouEditor = { yasgui: yasgui, openExample: openExample };
})();
