/* pmsite search: queries the index `pmsite build` writes under search/ with elasticlunr.js.
 * The index is split so a query downloads only what it needs: search/meta.json (the layout
 * and facet names), the field lengths and facet values of the documents it matches
 * (search/meta/<k>.json, or meta/all.json for most of the library), one shard per query word (search/shards/<n>.json, chosen by
 * the word's first three characters, or one part of it, search/shards/<n>-<k>.json, by the
 * first five) and the result lines it shows (search/docs/<n>.json).
 * Terms go through elasticlunr's own pipeline and scoring; a result must contain every
 * query word, in any field. The query, facets and sort live in the URL. */
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box) return;
  var root = box.getAttribute("data-root") || "/";
  var input = document.getElementById("search-q");
  var sortSelect = document.getElementById("search-sort");
  var facetsEl = document.getElementById("search-facets");
  var statusEl = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var moreButton = document.getElementById("search-more");
  // [key in meta.json, URL parameter, heading]
  var FACETS = [["severity", "severity", "Severity"], ["component", "component", "Component"],
    ["root_cause", "root-cause", "Root cause"],
    ["contributing_factor", "contributing-factor", "Contributing factor"], ["type", "type", "Type"],
    ["year", "year", "Year"]];
  var PAGE = 20;
  var meta = null;
  var files = {};
  var run = 0;
  var shown = [];
  var shownCount = 0;
  var current = null;

  if (!window.elasticlunr || !window.fetch) {
    statusEl.textContent = "Search needs a current browser with JavaScript.";
    return;
  }
  // The default elasticlunr pipeline (trimmer, stop words, stemmer), as the index was built.
  var analyzer = window.elasticlunr();
  // pmsite's URL policy, here too: only http, https, mailto and relative links are written.
  function safeHref(url) {
    var s = String(url || "").replace(/[\t\n\r]/g, "").trim();
    var scheme = /^([a-z][a-z0-9+.-]*):/i.exec(s);
    return !scheme || /^(https?|mailto)$/i.test(scheme[1]) ? s : "#";
  }

  function analyze(text) {
    return analyzer.pipeline.run(window.elasticlunr.tokenizer(text));
  }

  function load(path) {
    if (!files[path]) {
      var url = root + path + (meta ? "?v=" + meta.version : "");
      files[path] = fetch(url, meta ? {} : { cache: "no-cache" }).then(function (r) {
        if (!r.ok) throw new Error(path + ": HTTP " + r.status);
        return r.json();
      });
      files[path].catch(function () { delete files[path]; });
    }
    return files[path];
  }

  function chars(s) { return Array.from(s); }

  // FNV-1a of the first `prefix` characters (UTF-8), as `search::shard_of` computes it.
  function shardOf(term, prefix, shards) {
    var bytes = new TextEncoder().encode(chars(term).slice(0, prefix).join(""));
    var h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
    return h % shards;
  }
  window.pmsiteShardOf = shardOf;

  // A query word matches a term exactly or, when it is long enough, as its prefix; an id
  // (`ops_123`) only exactly, so OPS-123 is not OPS-1234.
  function expands(word) {
    return word.indexOf("_") < 0 && chars(word).length >= meta.prefix;
  }
  function matches(word, term) {
    return term === word || (expands(word) && term.lastIndexOf(word, 0) === 0);
  }

  // The files that hold the terms a word matches (`how`: "query", as `matches` does; "exact",
  // the word itself; "all", its whole shard): its shard, or when the shard is cut in parts
  // (`search::part_of`), the part of the word's first `part_chars` characters, or every part
  // for a shorter word that expands.
  function shardFiles(word, how) {
    var s = shardOf(word, meta.prefix, meta.shards);
    var n = (meta.parts || [])[s] || 1;
    if (n === 1) return ["search/shards/" + s + ".json"];
    var ks = [];
    var every = how === "all" || (how === "query" && expands(word) && chars(word).length < meta.part_chars);
    if (every) for (var k = 0; k < n; k++) ks.push(k);
    else ks.push(shardOf(word, meta.part_chars, n));
    return ks.map(function (k) { return "search/shards/" + s + "-" + k + ".json"; });
  }
  function loadShards(words, how) {
    var needed = {};
    words.forEach(function (w) { shardFiles(w, how).forEach(function (f) { needed[f] = true; }); });
    return Promise.all(Object.keys(needed).map(load));
  }

  function readState() {
    var p = new URLSearchParams(location.search);
    var state = { q: p.get("q") || "", sort: p.get("sort") === "date" ? "date" : "", f: {} };
    FACETS.forEach(function (f) { var v = p.get(f[1]); if (v) state.f[f[0]] = v; });
    return state;
  }

  function stateUrl(state) {
    var p = new URLSearchParams();
    if (state.q) p.set("q", state.q);
    FACETS.forEach(function (f) { if (state.f[f[0]]) p.set(f[1], state.f[f[0]]); });
    if (state.sort) p.set("sort", state.sort);
    var s = p.toString();
    return location.pathname + (s ? "?" + s : "");
  }

  // Ids and ticket keys (`SRE-1249`) are one term each, as `search::id_term` indexes them.
  var ID = /\b[A-Za-z][A-Za-z0-9]*(?:-\d+)+\b/g;

  function editDistance(a, b) {
    var prev = [];
    for (var j = 0; j <= b.length; j++) prev.push(j);
    for (var i = 1; i <= a.length; i++) {
      var cur = [i];
      for (var k = 1; k <= b.length; k++) {
        cur.push(Math.min(prev[k] + 1, cur[k - 1] + 1, prev[k - 1] + (a[i - 1] === b[k - 1] ? 0 : 1)));
      }
      prev = cur;
    }
    return prev[b.length];
  }

  // Documents matching every query word, with elasticlunr's scores, and for a word that
  // matches nothing, the nearest indexed term of its shard (a typo's suggestion).
  function find(query) {
    var ids = (query.match(ID) || []).map(function (id) { return id.toLowerCase().replace(/-/g, "_"); });
    query = query.replace(ID, " ") + " " + ids.join(" ");
    var words = analyze(query).filter(function (w, i, all) { return w && all.indexOf(w) === i; });
    if (!words.length) {
      var all = [];
      for (var d = 0; d < meta.n; d++) all.push({ doc: d, score: 0 });
      return loadDocs(all.map(function (h) { return h.doc; })).then(function () {
        return { words: words, hits: all };
      });
    }
    // [field, term, document, tf] of every posting a query word matches.
    var postings = [];
    var perWord = words.map(function () { return {}; });
    return loadShards(words, "query").then(function (shards) {
      shards.forEach(function (shard) {
        for (var term in shard) {
          var which = [];
          for (var w = 0; w < words.length; w++) if (matches(words[w], term)) which.push(w);
          if (!which.length) continue;
          var a = shard[term];
          var i = 0;
          while (i < a.length) {
            var field = meta.fields[a[i]];
            var count = a[i + 1];
            var doc = 0;
            i += 2;
            for (var k = 0; k < count; k++, i += 2) {
              doc += a[i];
              postings.push([field, term, doc, Math.sqrt(a[i + 1])]);
              which.forEach(function (w) { perWord[w][doc] = true; });
            }
          }
        }
      });
      // Only a document with every word is a result: only its lengths change a result's
      // score, so only its fragment is fetched.
      var every = Object.keys(perWord[0]).filter(function (d) {
        return perWord.every(function (m) { return m[d]; });
      });
      return loadDocs(every.map(Number)).then(function () { return every; });
    }).then(function (every) {
      var idx = window.elasticlunr(function () {
        this.setRef("id");
        meta.fields.forEach(function (f) { this.addField(f); }, this);
        this.saveDocument(false);
      });
      var store = idx.documentStore;
      var result = {};
      every.forEach(function (d) { result[d] = true; });
      postings.forEach(function (p) {
        var doc = p[2];
        idx.index[p[0]].addToken(p[1], { ref: doc, tf: p[3] });
        if (!(doc in store.docs)) {
          store.docs[doc] = null;
          var info = {};
          meta.fields.forEach(function (f, n) { info[f] = result[doc] ? docLength(n, doc) : 1; });
          store.docInfo[doc] = info;
        }
      });
      store.length = meta.n;
      var fields = {};
      meta.fields.forEach(function (f, n) {
        if (meta.boost[n] > 0) fields[f] = { boost: meta.boost[n], bool: "OR", expand: true };
      });
      var hits = idx.search(query, { fields: fields, bool: "OR", expand: true })
        .map(function (r) { return { doc: +r.ref, score: r.score }; })
        .filter(function (h) { return perWord.every(function (m) { return m[h.doc]; }); });
      // A word that matches nothing: the nearest term of its whole shard, every part.
      var lost = words.filter(function (w, n) { return !Object.keys(perWord[n]).length && chars(w).length >= 4; });
      var found = { words: words, hits: hits, suggest: [] };
      if (!lost.length) return found;
      return Promise.all(lost.map(function (w) { return loadShards([w], "all"); })).then(function (perLost) {
        lost.forEach(function (w, n) {
          var best = null, bestD = 3;
          perLost[n].forEach(function (shard) {
            for (var term in shard) {
              var d = editDistance(w, term);
              if (d < bestD || (d === bestD && best !== null && term < best)) { best = term; bestD = d; }
            }
          });
          if (best !== null) found.suggest.push([w, best]);
        });
        return found;
      });
    });
  }

  // Per-document data (facet values, field lengths) comes in fragments of `meta.fragment`
  // documents; a query that needs most of them fetches `meta/all.json` instead.
  var perDoc = { all: null, fragments: {} };
  function loadDocs(docs) {
    if (perDoc.all) return Promise.resolve();
    var needed = {};
    docs.forEach(function (d) { needed[Math.floor(d / meta.fragment)] = true; });
    var ks = Object.keys(needed).filter(function (k) { return !perDoc.fragments[k]; });
    var count = Math.ceil(meta.n / meta.fragment);
    if (ks.length * 4 > count * 3) {
      return load("search/meta/all.json").then(function (all) { perDoc.all = decodeDocs(all); });
    }
    return Promise.all(ks.map(function (k) {
      return load("search/meta/" + k + ".json").then(function (f) { perDoc.fragments[k] = decodeDocs(f); });
    }));
  }
  // Numbers come as [width, digits]: `width` base-64 digits each (`search::meta::Digits`);
  // a single value per document is one up (0: none), lists are joined by spaces.
  var DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
  function numbers(w, s) {
    var out = [];
    for (var i = 0; w && i + w <= s.length; i += w) {
      var n = 0;
      for (var k = 0; k < w; k++) n = n * 64 + DIGITS.indexOf(s.charAt(i + k));
      out.push(n);
    }
    return out;
  }
  function decodeDocs(raw) {
    var one = function (d) { return numbers(d[0], d[1]).map(function (n) { return n - 1; }); };
    var lists = function (d) {
      return d[0] ? d[1].split(" ").map(function (s) { return numbers(d[0], s); }) : [];
    };
    return {
      severity: one(raw.severity), type: one(raw.type), year: one(raw.year),
      component: lists(raw.component), root_cause: lists(raw.root_cause),
      contributing_factor: lists(raw.contributing_factor),
      lengths: raw.lengths.map(function (d) { return numbers(d[0], d[1]); })
    };
  }
  function docData(doc) {
    return perDoc.all ? [perDoc.all, doc] : [perDoc.fragments[Math.floor(doc / meta.fragment)], doc % meta.fragment];
  }
  function facetValue(key, doc) {
    var d = docData(doc);
    return d[0][key][d[1]];
  }
  function docLength(field, doc) {
    var d = docData(doc);
    return d[0].lengths[field][d[1]];
  }

  function passes(doc, filters, except) {
    for (var key in filters) {
      if (key === except) continue;
      var want = filters[key];
      var v = facetValue(key, doc);
      if (Array.isArray(v) ? v.indexOf(want) < 0 : v !== want) return false;
    }
    return true;
  }

  function render(state, found) {
    var filters = {};
    FACETS.forEach(function (f) {
      var name = state.f[f[0]];
      if (name === undefined) return;
      var i = meta.facets[f[0]].map(String).indexOf(name);
      // A value this library does not have matches nothing.
      filters[f[0]] = i < 0 ? -2 : i;
    });
    var hits = found.hits.filter(function (h) { return passes(h.doc, filters, null); });
    if (state.sort === "date") hits.sort(function (a, b) { return a.doc - b.doc; });
    renderFacets(state, found.hits, filters);
    shown = hits;
    shownCount = 0;
    current = found.words;
    list.textContent = "";
    var label = hits.length === 1 ? "1 post-mortem" : hits.length + " post-mortems";
    var verb = hits.length === 1 ? " matches" : " match";
    var active = FACETS.filter(function (f) { return state.f[f[0]] !== undefined; })
      .map(function (f) { return f[2].toLowerCase() + " " + state.f[f[0]]; });
    var within = active.length ? ", with " + active.join(" and ") : "";
    statusEl.textContent = state.q && !found.words.length
      ? "Only common words: showing every post-mortem" + within + "." : state.q
        ? label + verb + " \u201c" + state.q + "\u201d" + within + "." : label + within + ".";
    var q = state.q;
    // An id's term (`ops_123`) is written as the id was typed: OPS-123.
    (found.suggest || []).forEach(function (s) {
      var id = s[0].indexOf("_") >= 0;
      var pattern = s[0].replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/_/g, "[-_]") + (id ? "" : "\\w*");
      q = q.replace(new RegExp(pattern, "i"), id ? s[1].toUpperCase().replace(/_/g, "-") : s[1]);
    });
    if (!hits.length && q !== state.q) {
      var next = readState();
      next.q = q;
      statusEl.appendChild(document.createTextNode(" Did you mean "));
      var a = document.createElement("a");
      a.href = stateUrl(next);
      a.className = "suggestion";
      a.textContent = q;
      statusEl.appendChild(a);
      statusEl.appendChild(document.createTextNode("?"));
    }
    return showMore();
  }

  function renderFacets(state, hits, filters) {
    facetsEl.textContent = "";
    FACETS.forEach(function (f) {
      var key = f[0];
      var names = meta.facets[key];
      if (!names.length) return;
      var counts = names.map(function () { return 0; });
      hits.forEach(function (h) {
        if (!passes(h.doc, filters, key)) return;
        var v = facetValue(key, h.doc);
        (Array.isArray(v) ? v : [v]).forEach(function (x) { if (x >= 0) counts[x]++; });
      });
      var group = document.createElement("section");
      group.className = "facet";
      group.setAttribute("data-facet", f[1]);
      var h = document.createElement("h2");
      h.className = "small";
      h.textContent = f[2];
      group.appendChild(h);
      var ul = document.createElement("ul");
      names.forEach(function (name, i) {
        var selected = filters[key] === i;
        if (!counts[i] && !selected) return;
        var li = document.createElement("li");
        var b = document.createElement("button");
        b.type = "button";
        b.setAttribute("aria-pressed", selected ? "true" : "false");
        b.setAttribute("data-value", String(name));
        var n = document.createElement("span");
        n.className = "count";
        n.textContent = counts[i];
        b.appendChild(document.createTextNode(String(name) + " "));
        b.appendChild(n);
        b.addEventListener("click", function () {
          var next = readState();
          if (selected) delete next.f[key]; else next.f[key] = String(name);
          history.pushState(null, "", stateUrl(next));
          update();
        });
        li.appendChild(b);
        ul.appendChild(li);
      });
      // A facet none of the results has (no near miss among them) is not shown empty.
      if (!ul.children.length) return;
      group.appendChild(ul);
      facetsEl.appendChild(group);
    });
  }

  // A word of text, split from its punctuation, and whether it matches a query word.
  function wordHit(piece, words) {
    var m = /^(\W*)([\s\S]*?)(\W*)$/.exec(piece);
    var stem = m && m[2] ? analyze(m[2])[0] : undefined;
    return { m: m, hit: !!stem && words.some(function (w) { return matches(w, stem); }) };
  }

  function hasHit(text, words) {
    return String(text || "").split(/[\s\-]+/).some(function (piece) { return wordHit(piece, words).hit; });
  }

  // Wraps the words of `text` that match a query word in <mark>, as text nodes only.
  function highlighted(text, words) {
    var frag = document.createDocumentFragment();
    text.split(/([\s\-]+)/).forEach(function (piece) {
      var w = wordHit(piece, words), m = w.m;
      if (!w.hit) {
        frag.appendChild(document.createTextNode(piece));
        return;
      }
      frag.appendChild(document.createTextNode(m[1]));
      var mark = document.createElement("mark");
      mark.textContent = m[2];
      frag.appendChild(mark);
      frag.appendChild(document.createTextNode(m[3]));
    });
    return frag;
  }

  // For a match in the body alone: about 40 words around the first match, from the
  // block of the post-mortem's page that holds it. The page is already on the server, so
  // nothing is built for this; "" when the page cannot be read (a file:// copy).
  function passage(path, words) {
    return fetch(root + path).then(function (r) { return r.ok ? r.text() : ""; }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var body = doc.querySelector(".incident-main .body") || doc.querySelector("article");
      var blocks = body ? body.querySelectorAll("p, li, td, pre, h2, h3, h4, blockquote") : [];
      for (var i = 0; i < blocks.length; i++) {
        var text = blocks[i].textContent.replace(/\s+/g, " ").trim();
        if (!hasHit(text, words)) continue;
        var pieces = text.split(" ");
        var at = 0;
        while (at < pieces.length && !wordHit(pieces[at], words).hit) at++;
        var from = Math.max(0, at - 15), to = Math.min(pieces.length, at + 25);
        return (from > 0 ? "\u2026 " : "") + pieces.slice(from, to).join(" ") + (to < pieces.length ? " \u2026" : "");
      }
      return "";
    }).catch(function () { return ""; });
  }

  // The result lines of some hits: a function from a document number to its line, once
  // the chunks holding them are loaded.
  function linesOf(hits) {
    var chunks = {};
    hits.forEach(function (h) { chunks[Math.floor(h.doc / meta.chunk)] = true; });
    return Promise.all(Object.keys(chunks).map(function (c) {
      return load("search/docs/" + c + ".json").then(function (lines) { return [c, lines]; });
    })).then(function (loaded) {
      var byChunk = {};
      loaded.forEach(function (l) { byChunk[l[0]] = l[1]; });
      return function (doc) { return byChunk[Math.floor(doc / meta.chunk)][doc % meta.chunk]; };
    });
  }

  // A result's item: its title (a node) as a link, and a meta line that starts with the
  // severity badge; the caller adds the rest.
  function resultItem(line, title) {
    var li = document.createElement("li");
    li.className = "result";
    var a = document.createElement("a");
    // A relative root (`relative_urls`) links folders by their index.html, for file://.
    var path = root.charAt(0) === "." && /\/$/.test(line.path) ? line.path + "index.html" : line.path;
    a.href = safeHref(root + path);
    a.className = "result-title";
    a.appendChild(title);
    var head = document.createElement("p");
    head.className = "result-meta";
    if (line.severity) {
      var sev = document.createElement("span");
      sev.className = "sev sev-" + line.severity.toLowerCase();
      sev.textContent = line.severity;
      head.appendChild(sev);
      head.appendChild(document.createTextNode(" "));
    }
    li.appendChild(a);
    li.appendChild(head);
    return { li: li, head: head };
  }

  function showMore() {
    var page = shown.slice(shownCount, shownCount + PAGE);
    var words = current;
    var mine = run;
    return linesOf(page).then(function (lineOf) {
      if (mine !== run) return;
      page.forEach(function (h) {
        var line = lineOf(h.doc);
        var item = resultItem(line, highlighted(line.title, words));
        var li = item.li, head = item.head;
        if (line.type) {
          var kind = document.createElement("span");
          kind.className = "chip chip-type";
          kind.textContent = line.type;
          head.appendChild(kind);
          head.appendChild(document.createTextNode(" "));
        }
        var when = document.createElement(line.date ? "time" : "span");
        if (line.date) when.setAttribute("datetime", line.date);
        when.textContent = line.date || "undated";
        head.appendChild(when);
        head.appendChild(document.createTextNode(" \u00b7 " + line.id));
        var summary = document.createElement("p");
        summary.className = "result-summary";
        summary.appendChild(highlighted(line.summary, words));
        li.appendChild(summary);
        if (words.length && !hasHit(line.title, words) && !hasHit(line.summary, words)) {
          var where = document.createElement("p");
          where.className = "result-passage";
          where.hidden = true;
          li.appendChild(where);
          passage(line.path, words).then(function (text) {
            if (!text || mine !== run) return;
            where.appendChild(highlighted(text, words));
            where.hidden = false;
          });
        }
        list.appendChild(li);
      });
      shownCount += page.length;
      moreButton.hidden = shownCount >= shown.length;
      box.setAttribute("data-state", "done");
    });
  }

  function update() {
    var state = readState();
    if (input.value !== state.q && document.activeElement !== input) input.value = state.q;
    sortSelect.value = state.sort;
    var mine = ++run;
    box.setAttribute("data-state", "loading");
    return load("search/meta.json").then(function (m) {
      meta = meta || m;
      return find(state.q);
    }).then(function (found) {
      if (mine === run) return render(state, found);
    }).catch(function (e) {
      if (mine !== run) return;
      statusEl.textContent = "The search index could not be loaded (" + e.message + ").";
      box.setAttribute("data-state", "error");
    });
  }

  var typing = null;
  input.addEventListener("input", function () {
    clearTimeout(typing);
    typing = setTimeout(function () {
      var next = readState();
      next.q = input.value.trim();
      history.replaceState(null, "", stateUrl(next));
      update();
    }, 120);
  });
  sortSelect.addEventListener("change", function () {
    var next = readState();
    next.sort = sortSelect.value;
    history.pushState(null, "", stateUrl(next));
    update();
  });
  box.querySelector("form").addEventListener("submit", function (e) {
    e.preventDefault();
    clearTimeout(typing);
    var next = readState();
    next.q = input.value.trim();
    history.replaceState(null, "", stateUrl(next));
    update().then(function () {
      var first = list.querySelector("a");
      if (first) first.focus();
    });
  });
  moreButton.addEventListener("click", function () { showMore(); });

  // Arrows move through the results; Enter opens the focused one (a plain link).
  function links() { return Array.prototype.slice.call(list.querySelectorAll("a.result-title")); }
  box.addEventListener("keydown", function (e) {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    var all = links();
    var at = all.indexOf(document.activeElement);
    if (document.activeElement === input) at = -1;
    else if (at < 0) return;
    var next = e.key === "ArrowDown" ? Math.min(at + 1, all.length - 1) : at - 1;
    e.preventDefault();
    if (next < 0) input.focus();
    else if (all[next]) all[next].focus();
  });
  window.addEventListener("popstate", function () { input.value = readState().q; update(); });

  // "Find similar": the past incidents most like a pasted text, scored as `pmsite similar`
  // scores them (`similar::similar`): per distinct term of the text, ln(1 + N / df) times,
  // per field, the field's boost times sqrt(count) / sqrt(field length); a repeated term
  // counts 1 + ln(repeats) times. Every field's words count; none is required.
  var similarForm = document.getElementById("similar-form");
  var FIELD_WORDS = { title: "title", summary: "summary", components: "component", tags: "tag", root_causes: "cause", body: "body" };
  function similarTerms(text) {
    var counts = {};
    analyze(text).concat((text.match(ID) || []).map(function (id) { return id.toLowerCase().replace(/-/g, "_"); }))
      .forEach(function (t) { if (t) counts[t] = (counts[t] || 0) + 1; });
    return counts;
  }
  function findSimilar(text, limit) {
    var query = similarTerms(text);
    var terms = Object.keys(query);
    return loadShards(terms, "exact").then(function (shards) {
      // Every document that has a term scores: all of their lengths are needed.
      var touched = {};
      terms.forEach(function (term) {
        shards.forEach(function (sh) {
          if (!Object.prototype.hasOwnProperty.call(sh, term)) return;
          var flat = sh[term];
          for (var i = 0; i + 1 < flat.length;) {
            var n = flat[i + 1], doc = 0;
            i += 2;
            for (var k = 0; k < n && i + 1 < flat.length; k++, i += 2) { doc += flat[i]; touched[doc] = true; }
          }
        });
      });
      return loadDocs(Object.keys(touched).map(Number)).then(function () { return shards; });
    }).then(function (shards) {
      var scores = {}, why = {};
      terms.forEach(function (term) {
        var flat = null;
        shards.forEach(function (sh) { if (Object.prototype.hasOwnProperty.call(sh, term)) flat = sh[term]; });
        if (!flat) return;
        var hits = [], docs = {}, df = 0;
        for (var i = 0; i + 1 < flat.length;) {
          var field = flat[i], n = flat[i + 1], doc = 0;
          i += 2;
          for (var k = 0; k < n && i + 1 < flat.length; k++, i += 2) {
            doc += flat[i];
            hits.push([field, doc, flat[i + 1]]);
            if (!docs[doc]) { docs[doc] = true; df++; }
          }
        }
        if (!df) return;
        var idf = Math.log(1 + meta.n / df);
        var repeats = 1 + Math.log(query[term]);
        hits.forEach(function (h) {
          var boost = meta.boost[h[0]];
          var len = Math.max(1, docLength(h[0], h[1]) || 1);
          var x = repeats * idf * boost * Math.sqrt(h[2]) / Math.sqrt(len);
          if (!(x > 0)) return;
          scores[h[1]] = (scores[h[1]] || 0) + x;
          var list = why[h[1]] = why[h[1]] || [];
          var name = FIELD_WORDS[meta.fields[h[0]]] || "body";
          var r = list.filter(function (r) { return r[0] === term; })[0];
          if (r) { r[1] += x; if (r[2].indexOf(name) < 0) r[2].push(name); } else list.push([term, x, [name]]);
        });
      });
      return Object.keys(scores).map(function (d) { return { doc: +d, score: scores[d], why: why[d] }; })
        .sort(function (a, b) { return b.score - a.score || a.doc - b.doc; })
        .slice(0, limit);
    });
  }
  if (similarForm) {
    var similarList = document.getElementById("similar-results");
    var similarStatus = document.getElementById("similar-status");
    similarForm.addEventListener("submit", function (e) {
      e.preventDefault();
      var text = document.getElementById("similar-text").value;
      similarList.textContent = "";
      if (!text.trim()) { similarStatus.textContent = "Paste the text of an alert, a message or a first guess."; return; }
      similarStatus.textContent = "Looking…";
      box.setAttribute("data-similar", "loading");
      load("search/meta.json").then(function (m) {
        meta = meta || m;
        return findSimilar(text, 10);
      }).then(function (found) {
        return linesOf(found).then(function (lineOf) {
          found.forEach(function (h) {
            var line = lineOf(h.doc);
            var item = resultItem(line, document.createTextNode(line.title));
            var li = item.li;
            item.head.appendChild(document.createTextNode([line.id, line.date || "undated"].concat(line.ttm ? ["mitigated in " + line.ttm] : []).join(" \u00b7 ")));
            if (line.mitigated) {
              var by = document.createElement("p");
              by.className = "result-summary";
              by.textContent = "What mitigated it: " + line.mitigated;
              li.appendChild(by);
            }
            var because = document.createElement("p");
            because.className = "muted similar-why";
            h.why.sort(function (x, y) { return y[1] - x[1] || (x[0] < y[0] ? -1 : 1); });
            because.textContent = "Because: " + h.why.slice(0, 6).map(function (r) { return r[0] + " (" + r[2].join(", ") + ")"; }).join(", ");
            li.appendChild(because);
            similarList.appendChild(li);
          });
          similarStatus.textContent = found.length ? found.length + " past incident" + (found.length === 1 ? "" : "s") + " like it, most alike first." : "No past incident shares a word with that text.";
          box.setAttribute("data-similar", "done");
          var first = similarList.querySelector("a");
          if (first) first.focus();
        });
      }).catch(function (err) {
        similarStatus.textContent = "The search index could not be loaded (" + err.message + ").";
        box.setAttribute("data-similar", "error");
      });
    });
  }

  input.value = readState().q;
  // Arriving with a query (the header's box), focus lands on the first result, as Enter
  // here does, not on the page's body.
  update().then(function () {
    if (!readState().q || document.activeElement !== document.body) return;
    var first = list.querySelector("a");
    (first || input).focus();
  });
})();
