// pmsite embed: shows the latest incidents, or a search box, on any page (a wiki, a runbook).
//
//   <script src="https://incidents.example.com/embed.js" data-component="checkout-api"
//           data-limit="5"></script>
//
// Filters: data-component, data-tag, data-root-cause, data-severity; data-limit (default 5);
// data-search adds a search box over titles, ids and summaries. It reads a small file from
// the site the script came from: the filtered term's newest incidents
// (`components/<c>/latest.json`), or the library's (`latest.json`); only the search box
// reads the whole `incidents.json`. That site must send `Access-Control-Allow-Origin` for
// them when the page is on another origin (see the README). No dependencies; the list is
// built with text nodes only, so nothing in the data can inject markup.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var base = script.src.replace(/embed\.js(\?.*)?$/, "");
  var data = script.dataset;
  var limit = parseInt(data.limit || "5", 10) || 5;

  var box = document.createElement("div");
  box.className = "pmsite-embed";
  script.parentNode.insertBefore(box, script.nextSibling);

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
    return node;
  }

  // pmsite's URL policy, here too: only http, https, mailto and relative links are written.
  function safeHref(url) {
    var s = String(url || "").replace(/[\t\n\r]/g, "").trim();
    var scheme = /^([a-z][a-z0-9+.-]*):/i.exec(s);
    return !scheme || /^(https?|mailto)$/i.test(scheme[1]) ? s : "#";
  }

  function has(list, value) {
    return (list || []).some(function (v) { return v.toLowerCase() === value.toLowerCase(); });
  }

  function wanted(inc) {
    if (data.component && !has(inc.components, data.component)) return false;
    if (data.tag && !has(inc.tags, data.tag)) return false;
    if (data.rootCause && !has(inc.root_causes, data.rootCause)) return false;
    if (data.severity && (inc.severity || "").toLowerCase() !== data.severity.toLowerCase()) return false;
    return true;
  }

  function render(list, incidents, query) {
    list.textContent = "";
    var q = (query || "").trim().toLowerCase();
    var shown = incidents.filter(function (inc) {
      if (!q) return true;
      return [inc.title, inc.id, inc.summary || ""].join(" ").toLowerCase().indexOf(q) !== -1;
    }).slice(0, limit);
    shown.forEach(function (inc) {
      var item = el("li", null, { "class": "pmsite-embed-item" });
      if (inc.severity) item.appendChild(el("strong", "[" + inc.severity + "] "));
      item.appendChild(el("a", inc.title, { href: safeHref(inc.url) }));
      if (inc.date) item.appendChild(el("span", " " + inc.date.slice(0, 10), { "class": "pmsite-embed-date" }));
      list.appendChild(item);
    });
    if (!shown.length) list.appendChild(el("li", "No incidents.", { "class": "pmsite-embed-empty" }));
  }

  // A term's slug as pmsite makes it for ASCII names; a name it cannot make (accents, other
  // scripts) finds no file, and the whole library is read instead.
  function slug(name) {
    return String(name).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  }

  function source() {
    if ("search" in data) return "incidents.json";
    var terms = [["components", data.component], ["tags", data.tag],
                 ["root-causes", data.rootCause], ["severities", data.severity]];
    for (var k = 0; k < terms.length; k++) {
      if (terms[k][1] && slug(terms[k][1])) return terms[k][0] + "/" + slug(terms[k][1]) + "/latest.json";
    }
    return "latest.json";
  }

  function get(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    });
  }

  // incidents.json lists its pages; the whole library is their incidents, in order.
  function library() {
    return get(base + "incidents.json").then(function (index) {
      return Promise.all((index.pages || []).map(function (p) {
        return get(base + String(p.path || "").replace(/^\/+/, ""));
      }))
        .then(function (pages) {
          return { incidents: [].concat.apply([], pages.map(function (p) { return p.incidents || []; })) };
        });
    });
  }

  function load(path) {
    if (path === "incidents.json") return library();
    return fetch(base + path).then(function (r) {
      if (r.status === 404) return library();
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    });
  }

  load(source())
    .then(function (json) {
      var incidents = (json.incidents || []).filter(wanted);
      var list = el("ul", null, { "class": "pmsite-embed-list" });
      if ("search" in data) {
        var input = el("input", null, { type: "search", placeholder: "Search incidents", "aria-label": "Search incidents", "class": "pmsite-embed-search" });
        input.addEventListener("input", function () { render(list, incidents, input.value); });
        box.appendChild(input);
      }
      box.appendChild(list);
      render(list, incidents, "");
    })
    .catch(function (e) {
      box.appendChild(el("p", "Incidents could not be loaded from " + base + " (" + e.message + ").", { "class": "pmsite-embed-error" }));
    });
})();
