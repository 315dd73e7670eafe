// pmsite: sortable tables and the incident list's filters. Every page works without this
// script; it only sorts and hides rows that are already there.
(function () {
  "use strict";

  var NUMBER = /^-?\d+(\.\d+)?$/;

  function value(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    var sort = cell.getAttribute("data-sort");
    if (sort === null) {
      // A date sorts by its machine-readable form.
      var time = cell.querySelector("time[datetime]");
      if (time) sort = time.getAttribute("datetime");
    }
    return (sort !== null ? sort : cell.textContent).trim();
  }

  function compare(a, b) {
    if (a === "" || b === "") return a === b ? 0 : a === "" ? 1 : -1; // empty last
    if (NUMBER.test(a) && NUMBER.test(b)) return parseFloat(a) - parseFloat(b);
    return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
  }

  function makeSortable(table) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var c = compare(value(r1, index), value(r2, index));
          return ascending ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  // What a row leaves out because it is the default or in its cells: a row without a type
  // is an incident, without a status published; its year is its date's.
  function unwritten(row, name) {
    if (name === "type") return "incident";
    if (name === "status") return "published";
    if (name === "year") {
      var time = row.cells[0] && row.cells[0].querySelector("time[datetime]");
      return time ? time.getAttribute("datetime").slice(0, 4) : "";
    }
    return "";
  }

  function setUpFilters(form) {
    var table = document.getElementById(form.getAttribute("data-table"));
    var counter = document.getElementById(form.getAttribute("data-count"));
    if (!table) return;
    var selects = form.querySelectorAll("select");
    var params = new URLSearchParams(window.location.search);
    Array.prototype.forEach.call(selects, function (s) {
      if (params.has(s.name)) s.value = params.get(s.name);
    });

    function matches(row, name, wanted) {
      if (!wanted) return true;
      var data = row.getAttribute("data-" + name);
      if (data === null) data = unwritten(row, name);
      // Lists are written |a|b|; a single value as it is.
      if (data.charAt(0) === "|") return data.indexOf("|" + wanted + "|") !== -1;
      return data === wanted;
    }

    function apply() {
      var shown = 0;
      var query = new URLSearchParams();
      Array.prototype.forEach.call(selects, function (s) { if (s.value) query.set(s.name, s.value); });
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var ok = Array.prototype.every.call(selects, function (s) { return matches(row, s.name, s.value); });
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      if (counter) counter.textContent = String(shown);
      var search = query.toString();
      history.replaceState(null, "", search ? "?" + search : window.location.pathname);
    }

    // A list of several pages is filtered across all of them by the search page, which
    // knows every post-mortem's severity, components, causes, type and year; the tag and
    // status filters, which it does not have, filter the page in place.
    var searchUrl = form.getAttribute("data-search");
    var searchable = ["severity", "component", "root-cause", "contributing-factor", "type", "year"];
    function acrossPages(e) {
      if (!searchUrl || !e || !e.target || searchable.indexOf(e.target.name) < 0 || !e.target.value) return false;
      var query = new URLSearchParams();
      Array.prototype.forEach.call(selects, function (s) {
        if (s.value && searchable.indexOf(s.name) >= 0) query.set(s.name, s.value);
      });
      window.location.href = searchUrl + "?" + query.toString();
      return true;
    }

    form.hidden = false;
    form.addEventListener("change", function (e) { if (!acrossPages(e)) apply(); });
    form.addEventListener("reset", function () { setTimeout(apply, 0); });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    apply();
  }

  document.querySelectorAll("table.sortable").forEach(makeSortable);
  document.querySelectorAll("form.filters").forEach(setUpFilters);
})();
