/* pmsite: "/" focuses the search box (the search page's own, else the header's), unless the
 * reader is typing somewhere already. */
(function () {
  "use strict";
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var box = document.getElementById("search-q") || document.getElementById("site-search-q");
    if (!box) return;
    e.preventDefault();
    box.focus();
    box.select();
  });
})();
