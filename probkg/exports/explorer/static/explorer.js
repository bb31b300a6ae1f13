/* probkg explorer: the page code shared by the served explorer (/explore) and the offline HTML export.
 *
 * Rendering is cytoscape.js (vendored). The page asks a backend for what it shows: the server's JSON
 * endpoints when served, or the data embedded in the page (#probkg-data) when exported offline; both
 * backends answer the same questions (facets, search, expand, node, timeline, named queries).
 */
(function () {
  "use strict";

  // ---- style rules: one table drives the graph style and the legend ----------------------------
  const KIND_RULES = [
    { kind: "Owner", label: "Owner", color: "#34495e", shape: "diamond", size: 34 },
    { kind: "CRC", label: "CRC", color: "#2c6fbb", shape: "round-rectangle", size: 32 },
    { kind: "NPS division", label: "NPS division", color: "#7b4fb0", shape: "hexagon", size: 32 },
    { kind: "NPS", label: "National Probation Service", color: "#4a2c7a", shape: "hexagon", size: 36 },
    { kind: "Inspection", label: "Inspection", color: "#7f8c8d", shape: "rectangle", size: 22 },
    { kind: "Theme", label: "Theme", color: "#16a085", shape: "tag", size: 20 },
    { kind: "Source", label: "Source document", color: "#a0a8b0", shape: "rectangle", size: 16 },
  ];
  const POLARITY_RULES = [
    { value: "critical", label: "Finding: critical", color: "#c0392b" },
    { value: "mixed", label: "Finding: mixed", color: "#e6a100" },
    { value: "positive", label: "Finding: positive", color: "#2e8b57" },
  ];
  // rating scale order (skos:notation): 1 worst .. 4 best
  const RATING_COLORS = { 1: "#c0392b", 2: "#e67e22", 3: "#27ae60", 4: "#1e6b3a" };

  const dataEl = document.getElementById("probkg-data");
  const OFFLINE = dataEl ? JSON.parse(dataEl.textContent) : null;
  const BASE = document.body.dataset.base || "";

  // ---- backends --------------------------------------------------------------------------------
  function serverBackend() {
    async function get(name, params) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(params || {})) {
        if (Array.isArray(v)) v.forEach((x) => qs.append(k, x));
        else if (v !== undefined && v !== null && v !== "") qs.append(k, v);
      }
      const res = await fetch(`${BASE}/api/${name}?${qs}`, { headers: { Accept: "application/json" } });
      const body = await res.json();
      if (!res.ok) throw new Error(body.error || res.statusText);
      return body;
    }
    return {
      offline: false,
      facets: () => get("facets"),
      search: (q) => get("search", { q, limit: 30 }).then((b) => b.nodes),
      expand: (iri, filters, limit, offset) => get("expand", Object.assign({ iri, limit, offset: offset || 0 }, filters)),
      node: (iri) => get("node", { iri }),
      timeline: (providers) => get("timeline", { provider: providers }),
      queries: () => get("queries"),
      query: (name, params) => get("query", Object.assign({ name }, params)),
    };
  }

  function offlineBackend(data) {
    const byId = new Map(data.nodes.map((n) => [n.id, n]));
    const adj = new Map();
    for (const e of data.edges) {
      for (const [a, b] of [[e.source, e.target], [e.target, e.source]]) {
        if (!adj.has(a)) adj.set(a, []);
        adj.get(a).push([b, e]);
      }
    }
    const text = (n) => {
      const d = data.details[n.id] || {};
      return [n.label, ...(d.prefLabel || []), ...(d.altLabel || []), ...(d.hiddenLabel || []), ...(d.comment || []),
        ...((d.evidence || []).map((e) => e.quote || ""))].join(" \u0001 ").toLowerCase();
    };
    const squash = (s) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
    return {
      offline: true,
      facets: async () => data.facets,
      search: async (q) => {
        const words = q.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
        const sq = squash(q);
        const hits = [];
        for (const n of data.nodes) {
          const t = text(n);
          const label = squash(n.label);
          const alt = ((data.details[n.id] || {}).hiddenLabel || []).concat((data.details[n.id] || {}).altLabel || []);
          const squashHit = label.startsWith(sq) || alt.some((a) => squash(a).startsWith(sq));
          if (squashHit || words.every((w) => t.includes(w))) hits.push(Object.assign({ matched: squashHit ? "label" : "text" }, n));
        }
        hits.sort((a, b) => (a.kind === "Finding") - (b.kind === "Finding"));
        return hits.slice(0, 30);
      },
      expand: async (iri, filters, limit) => {
        const nodes = [], edges = [];
        for (const [other, e] of adj.get(iri) || []) {
          const n = byId.get(other);
          if (n && matches(n, filters, data.edges)) { nodes.push(n); edges.push(e); }
        }
        return { center: iri, nodes: nodes.slice(0, limit), edges, total: nodes.length, shown: Math.min(limit, nodes.length) };
      },
      node: async (iri) => data.details[iri] || byId.get(iri),
      timeline: async (providers) => {
        const want = new Set(providers);
        const t = data.timeline || { ownerships: [], inspections: [] };
        if (!want.size) return t;
        return { ownerships: t.ownerships.filter((o) => want.has(o.provider)), inspections: t.inspections.filter((i) => want.has(i.provider)) };
      },
      queries: async () => [],
      query: async () => ({ nodes: [] }),
    };
  }

  const backend = OFFLINE ? offlineBackend(OFFLINE) : serverBackend();

  // ---- filters -----------------------------------------------------------------------------------
  const ASSESSED = new Set(["Finding", "Rating"]);
  const PROVIDERS = new Set(["CRC", "NPS division", "NPS"]);
  function currentFilters() {
    const f = {};
    for (const el of document.getElementById("filters").elements) if (el.name && el.value) f[el.name] = el.value.trim();
    return f;
  }
  function inRange(date, f) {
    if (!date) return false;
    if (f.from && date < f.from) return false;
    if (f.to && date > f.to + "-99") return false;
    return true;
  }
  function matches(n, f, edges) {
    if (!f) return true;
    const local = (iri) => (iri || "").split("#").pop().toLowerCase();
    if (n.kind === "Finding") {
      if (f.polarity && n.polarity !== local(f.polarity)) return false;
      if (f.rating && !f.polarity) return false;
      if (f.theme && !(n.themes || [n.theme]).includes(f.theme)) return false;
    }
    if (n.kind === "Rating") {
      if (f.polarity) return false;
      if (f.rating && (n.rating || "").toLowerCase() !== local(f.rating)) return false;
    }
    if ((ASSESSED.has(n.kind) || n.kind === "Inspection") && (f.from || f.to) && !inRange(n.date, f)) return false;
    if (PROVIDERS.has(n.kind)) {
      if (f.providerKind && n.kind !== f.providerKind) return false;
      if (f.owner && edges && !edges.some((e) => e.rel === "owns" && e.source === f.owner && e.target === n.id)) return false;
    }
    return true;
  }

  // ---- graph -------------------------------------------------------------------------------------
  const styles = [
    { selector: "node", style: {
      label: "data(label)", "font-size": 11, "min-zoomed-font-size": 7, "text-wrap": "ellipsis", "text-max-width": "170px",
      "text-valign": "bottom", "text-margin-y": 3, "text-background-color": "#fff", "text-background-opacity": 0.8,
      "text-background-padding": 1, width: 18, height: 18, "background-color": "#9aa5b1", color: "#1d232a",
      "border-width": 1, "border-color": "#ffffff" } },
    ...KIND_RULES.map((r) => ({ selector: `node[kind = "${r.kind}"]`, style: {
      "background-color": r.color, shape: r.shape, width: r.size, height: r.size, "font-size": r.size > 25 ? 12 : 10,
      "font-weight": r.size > 25 ? "bold" : "normal" } })),
    { selector: 'node[kind = "Finding"]', style: { shape: "ellipse", width: 14, height: 14, "font-size": 9, "min-zoomed-font-size": 9 } },
    ...POLARITY_RULES.map((r) => ({ selector: `node[kind = "Finding"][polarity = "${r.value}"]`, style: { "background-color": r.color } })),
    { selector: 'node[kind = "Rating"]', style: { shape: "triangle", width: 20, height: 20 } },
    ...Object.entries(RATING_COLORS).map(([o, c]) => ({ selector: `node[kind = "Rating"][ratingOrder = ${o}]`, style: { "background-color": c } })),
    { selector: "node.pinned", style: { "border-width": 3, "border-style": "double", "border-color": "#f0a500" } },
    { selector: "node:selected", style: { "border-width": 4, "border-color": "#f0a500", "z-index": 10 } },
    { selector: "node.expanded", style: { "outline-width": 0 } },
    { selector: ".hidden", style: { display: "none" } },
    { selector: "edge", style: { width: 1, "line-color": "#c3ccd5", "curve-style": "haystack", "haystack-radius": 0, opacity: 0.8 } },
    { selector: 'edge[rel = "owns"]', style: { width: 3, "line-color": "#34495e", "curve-style": "straight", "target-arrow-shape": "triangle",
      "target-arrow-color": "#34495e", label: "data(label)", "font-size": 9, "min-zoomed-font-size": 8, "text-rotation": "autorotate",
      "text-background-color": "#fff", "text-background-opacity": 0.9 } },
    { selector: 'edge[rel = "inspected"]', style: { width: 2, "line-color": "#7f8c8d" } },
  ];

  const cy = cytoscape({
    container: document.getElementById("cy"), style: styles, minZoom: 0.02, maxZoom: 4,
    textureOnViewport: true, hideEdgesOnViewport: false, pixelRatio: 1, boxSelectionEnabled: false,
  });
  window.probkgCy = cy;
  const expandedBy = new Map(); // node id -> set of node ids its expansion added
  const moreFrom = new Map(); // hub node id -> offset of the neighbours not read yet
  let facets = null;

  const status = (msg) => { document.getElementById("status").textContent = msg; };
  const el = (tag, attrs, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else if (v !== undefined && v !== null) e.setAttribute(k, v);
    }
    for (const k of kids) if (k !== null && k !== undefined) e.append(k.nodeType ? k : document.createTextNode(String(k)));
    return e;
  };

  function addNodes(nodes, around) {
    const fresh = nodes.filter((n) => cy.getElementById(n.id).empty());
    const c = around && !around.empty() ? around.position() : { x: 0, y: 0 };
    // place new nodes on rings around the node they came from (fast and stable; "Layout" tidies up)
    let ring = 0, placed = 0, cap = 0, radius = 0;
    const start = Math.random() * Math.PI * 2;
    cy.batch(() => {
      fresh.forEach((n) => {
        if (placed >= cap) { ring += 1; radius = 90 + ring * 70; cap = Math.max(6, Math.floor((2 * Math.PI * radius) / 38)); placed = 0; }
        const a = start + (2 * Math.PI * placed) / Math.min(cap, fresh.length - (ring > 1 ? 0 : 0) || 1);
        placed += 1;
        cy.add({ group: "nodes", data: Object.assign({}, n), position: { x: c.x + radius * Math.cos(a), y: c.y + radius * Math.sin(a) } });
      });
    });
    return fresh.map((n) => n.id);
  }
  function addEdges(edges) {
    cy.batch(() => {
      for (const e of edges) {
        if (cy.getElementById(e.id).empty() && !cy.getElementById(e.source).empty() && !cy.getElementById(e.target).empty()) {
          cy.add({ group: "edges", data: Object.assign({}, e) });
        }
      }
    });
  }

  async function expand(id) {
    const node = cy.getElementById(id);
    status(`Expanding ${node.data("label") || id}…`);
    try {
      const res = await backend.expand(id, currentFilters(), 300, moreFrom.get(id) || 0);
      if (res.next) moreFrom.set(id, res.next); else moreFrom.delete(id);
      const added = addNodes(res.nodes, node);
      addEdges(res.edges);
      const prev = expandedBy.get(id) || new Set();
      added.forEach((a) => prev.add(a));
      expandedBy.set(id, prev);
      node.addClass("expanded");
      applyFilters(false);
      const more = res.total - res.shown;
      const rest = res.next ? `, up to ${more} more: press “More neighbours”` : more > 0 ? `, ${more} more not shown (narrow the filters)` : "";
      status(`${node.data("label")}: ${res.shown} neighbours shown${rest}. ${cy.nodes().length} nodes in view.`);
      refreshTimeline();
      if (cy.nodes().length < 400) cy.animate({ fit: { eles: node.closedNeighborhood(), padding: 40 } }, { duration: 250 });
      if (cy.$(":selected").id() === id) showPanel(id);
    } catch (err) { status(`Could not expand: ${err.message}`); }
  }

  function collapse(id) {
    const added = expandedBy.get(id);
    if (!added) return;
    cy.batch(() => {
      for (const a of added) {
        const n = cy.getElementById(a);
        if (n.empty() || n.hasClass("pinned") || expandedBy.has(a)) continue;
        // keep nodes that another expanded node also brought in
        const keptElsewhere = [...expandedBy.entries()].some(([k, s]) => k !== id && s.has(a));
        if (!keptElsewhere) n.remove();
      }
    });
    expandedBy.delete(id);
    moreFrom.delete(id);
    cy.getElementById(id).removeClass("expanded");
    status(`Collapsed. ${cy.nodes().length} nodes in view.`);
    refreshTimeline();
    showPanel(id);
  }

  function togglePin(id) {
    const n = cy.getElementById(id);
    if (n.hasClass("pinned")) { n.removeClass("pinned"); n.unlock(); } else { n.addClass("pinned"); n.lock(); }
    showPanel(id);
  }

  function select(id) {
    cy.$(":selected").unselect();
    const n = cy.getElementById(id);
    if (!n.empty()) { n.select(); if (!n.visible()) status("This node is hidden by the filters."); }
    showPanel(id);
  }

  // ---- details panel -----------------------------------------------------------------------------
  const panel = document.getElementById("panel");
  async function showPanel(id) {
    let d;
    try { d = await backend.node(id); } catch (err) { panel.replaceChildren(el("p", {}, `Could not load details: ${err.message}`)); return; }
    if (!d) return;
    const n = cy.getElementById(id);
    const inView = !n.empty();
    const rows = [];
    const dl = (k, v) => { if (v !== null && v !== undefined && v !== "") rows.push(el("dt", {}, k), el("dd", {}, v)); };
    const parts = [el("h3", { id: "panel-title" }, d.label), el("span", { class: "badge" }, d.kind)];
    const actions = el("div", { class: "actions" });
    if (!inView) actions.append(el("button", { type: "button", onclick: () => { addNodes([d]); select(id); } }, "Add to view"));
    else {
      actions.append(expandedBy.has(id)
        ? el("button", { type: "button", id: "act-collapse", onclick: () => collapse(id) }, "Collapse")
        : el("button", { type: "button", id: "act-expand", onclick: () => expand(id) }, "Expand"));
      if (moreFrom.has(id)) actions.append(el("button", { type: "button", id: "act-more", onclick: () => expand(id) }, "More neighbours"));
      actions.append(el("button", { type: "button", id: "act-pin", onclick: () => togglePin(id) }, n.hasClass("pinned") ? "Unpin" : "Pin"));
    }
    parts.push(actions);
    const ev = (d.evidence || []).filter((e) => e.quote || e.url);
    if (ev.length) {
      const e = ev.find((x) => x.quote) || ev[0];
      if (e.quote) {
        const bq = el("blockquote", { id: "panel-quote", style: `border-left-color:${(POLARITY_RULES.find((p) => p.value === d.polarity) || {}).color || "#7f8c8d"}` }, e.quote);
        parts.push(bq);
      }
      if (e.start !== null && e.start !== undefined) dl("Offsets", `characters ${e.start}–${e.end} of the source text`);
    } else if (d.comment && d.comment.length) {
      parts.push(el("p", {}, d.comment[0]));
    }
    if (d.kind === "Finding") { dl("Polarity", d.valueLabel || d.polarity); dl("Theme", d.themeLabel); }
    if (d.kind === "Rating") dl("Rating", d.valueLabel || d.rating);
    if (d.inspection && d.inspection.id) dl("Inspection", linkButton(d.inspection.id, `${d.inspection.label || "inspection"}${d.inspection.date ? ` (${d.inspection.date})` : ""}`, d.inspection));
    if (d.provider && d.provider.id) dl("Provider", linkButton(d.provider.id, d.provider.label || d.provider.id, d.provider));
    if (d.date && d.kind !== "Finding") dl("Date", d.date);
    for (const e of ev) {
      if (!e.url && !e.source) continue;
      const a = e.url ? el("a", { href: e.url, target: "_blank", rel: "noopener noreferrer", class: "source-link" }, e.title || e.url) : (e.title || e.source);
      dl("Source", el("span", { class: "source" }, a, e.issued ? ` (${e.issued})` : ""));
    }
    if (d.url) dl("Web page", el("a", { href: d.url, target: "_blank", rel: "noopener noreferrer", class: "source-link" }, d.url));
    for (const s of d.sources || []) if (s.url) dl("Source", el("a", { href: s.url, target: "_blank", rel: "noopener noreferrer", class: "source-link" }, s.title || s.url));
    const alt = [...(d.altLabel || []), ...(d.hiddenLabel || [])].filter((x) => x !== d.label);
    if (alt.length) dl("Also called", alt.join("; "));
    if (d.ownerships && d.ownerships.length) {
      const ul = el("ul", { class: "list" });
      for (const o of d.ownerships) {
        const other = o.owner === id ? [o.provider, o.providerLabel] : [o.owner, o.ownerLabel];
        ul.append(el("li", {}, linkButton(other[0], `${o.owner === id ? "owns" : "owned by"} ${other[1] || other[0]}: ${o.from || "?"} – ${o.to || "now"}`)));
      }
      rows.push(el("dt", {}, "Ownership"), el("dd", {}, ul));
    }
    if (rows.length) parts.push(el("dl", {}, ...rows));
    if (inView) {
      const nb = n.neighborhood("node").filter((x) => x.visible());
      if (nb.length) {
        parts.push(el("h2", {}, `Neighbours in view (${nb.length})`));
        const ul = el("ul", { class: "list", id: "neighbours" });
        nb.sort((a, b) => (a.data("kind") === "Finding") - (b.data("kind") === "Finding") || String(a.data("label")).localeCompare(b.data("label")))
          .slice(0, 300).forEach((m) => ul.append(el("li", {}, el("button", { type: "button", onclick: () => select(m.id()) },
            el("span", { class: "kind" }, m.data("kind") + (m.data("date") ? ` · ${m.data("date")}` : "")), m.data("label")))));
        parts.push(ul);
      }
    }
    parts.push(el("p", { class: "note" }, el("small", {}, id)));
    panel.replaceChildren(...parts);
  }
  function linkButton(id, text, node) {
    return el("button", { type: "button", class: "link", onclick: async () => {
      if (cy.getElementById(id).empty()) {
        const d = await backend.node(id);
        if (d) addNodes([{ id, label: d.label, kind: d.kind, date: d.date }], cy.$(":selected"));
      }
      select(id);
    } }, text);
  }

  // ---- start sets ----------------------------------------------------------------------------
  function showResults(nodes, note) {
    const ul = document.getElementById("results");
    document.getElementById("results-note").textContent = note;
    ul.replaceChildren(...nodes.map((n) => el("li", {}, el("button", { type: "button", "data-iri": n.id, onclick: () => {
      if (cy.getElementById(n.id).empty()) addNodes([n], cy.$(":selected"));
      select(n.id);
      cy.animate({ center: { eles: cy.getElementById(n.id) }, zoom: Math.max(cy.zoom(), 0.8) }, { duration: 200 });
    } }, el("span", { class: "kind" }, n.kind + (n.matched ? ` · matched ${n.matched}` : "")), n.label,
      n.snippet && n.matched !== "label" ? el("span", { class: "snippet" }, n.snippet) : null))));
  }
  document.getElementById("search-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const q = document.getElementById("q").value.trim();
    if (!q) return;
    try {
      const nodes = await backend.search(q);
      showResults(nodes, nodes.length ? `${nodes.length} results for “${q}”` : `Nothing found for “${q}”.`);
      const first = document.querySelector("#results button");
      if (first) first.focus();
    } catch (err) { showResults([], `Search failed: ${err.message}`); }
  });

  async function setupQueries() {
    const section = document.getElementById("query-section");
    const list = await backend.queries();
    if (!list.length) { section.hidden = true; return; }
    const sel = document.getElementById("query-name");
    sel.replaceChildren(...list.map((q) => el("option", { value: q.name }, q.title || q.name)));
    const params = document.getElementById("query-params");
    const draw = () => {
      const q = list.find((x) => x.name === sel.value);
      params.replaceChildren(...(q ? q.parameters : []).map((p) => el("label", {}, `${p.name}${p.required ? " (required)" : ""}`,
        el("input", { name: p.name, "data-param": p.name }))));
    };
    sel.addEventListener("change", draw);
    draw();
    document.getElementById("query-run").addEventListener("click", async () => {
      const values = {};
      params.querySelectorAll("input").forEach((i) => { if (i.value.trim()) values[i.name] = i.value.trim(); });
      try {
        const res = await backend.query(sel.value, values);
        showResults(res.nodes, `${res.nodes.length} nodes from the query “${sel.selectedOptions[0].textContent}”`);
        addNodes(res.nodes.slice(0, 200));
        runLayout();
      } catch (err) { showResults([], `Query failed: ${err.message}`); }
    });
  }

  // ---- filters: applied to what is in view, and to what expansions fetch --------------------------
  function applyFilters(refetch) {
    const f = currentFilters();
    const edges = cy.edges().map((e) => e.data());
    cy.batch(() => {
      cy.nodes().forEach((n) => {
        const keep = n.selected() || n.hasClass("pinned") || expandedBy.has(n.id()) || matches(n.data(), f, edges);
        n.toggleClass("hidden", !keep);
      });
      cy.edges('[rel = "owns"]').forEach((e) => {
        const d = e.data();
        const out = (f.to && d.from && d.from > f.to + "-99") || (f.from && d.to && d.to < f.from);
        e.toggleClass("hidden", Boolean(out));
      });
    });
    if (refetch) {
      const ids = [...expandedBy.keys()];
      Promise.all(ids.map((id) => backend.expand(id, f, 300).then((res) => {
        if (res.next) moreFrom.set(id, res.next); else moreFrom.delete(id);
        const added = addNodes(res.nodes, cy.getElementById(id));
        addEdges(res.edges);
        const s = expandedBy.get(id) || new Set(); added.forEach((a) => s.add(a)); expandedBy.set(id, s);
      }))).then(() => {
        applyFilters(false);
        const shown = cy.nodes().filter((n) => n.visible()).length;
        status(`Filters applied: ${shown} of ${cy.nodes().length} nodes shown.`);
        const sel = cy.$(":selected");
        if (sel.nonempty()) showPanel(sel.id());
        drawTimeline();
      }).catch((err) => status(`Filter failed: ${err.message}`));
    }
  }
  document.getElementById("filters").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const form = ev.target;
    if (!form.checkValidity()) { status("Dates must look like 2018 or 2018-03."); return; }
    applyFilters(true);
  });
  document.getElementById("filters").addEventListener("reset", () => setTimeout(() => applyFilters(true), 0));

  async function setupFacets() {
    facets = await backend.facets();
    const fill = (id, items, label) => {
      const sel = document.getElementById(id);
      sel.append(...items.map((x) => el("option", { value: x.id === undefined ? x : x.id }, label ? label(x) : x.label || x)));
    };
    fill("f-owner", facets.owners);
    fill("f-kind", facets.providerKinds.map((k) => ({ id: k, label: k })));
    fill("f-theme", facets.themes);
    fill("f-polarity", facets.polarities);
    fill("f-rating", facets.ratings, (r) => `${r.order}. ${r.label}`);
  }

  function legend() {
    const ul = document.getElementById("legend");
    const item = (color, shape, text, cls) => el("li", {}, el("span", { class: `swatch ${cls || `shape-${shape}`}`, style: `background:${color}` }), text);
    ul.replaceChildren(
      ...KIND_RULES.map((r) => item(r.color, r.shape, r.label)),
      ...POLARITY_RULES.map((r) => item(r.color, "ellipse", r.label)),
      ...Object.entries(RATING_COLORS).map(([o, c]) => {
        const r = facets && facets.ratings.find((x) => String(x.order) === o);
        return item(c, "triangle", `Rating ${o}: ${r ? r.label : ""}`);
      }),
      item("#34495e", "", "owns (with dates)", "edge"),
    );
  }

  // ---- timeline ----------------------------------------------------------------------------------
  let timelineData = { ownerships: [], inspections: [] };
  async function refreshTimeline() {
    const providers = cy.nodes().filter((n) => PROVIDERS.has(n.data("kind"))).map((n) => n.id()).slice(0, 400);
    try { timelineData = providers.length ? await backend.timeline(providers) : { ownerships: [], inspections: [] }; } catch (err) { timelineData = { ownerships: [], inspections: [] }; }
    drawTimeline();
  }
  const svgNS = "http://www.w3.org/2000/svg";
  const sv = (tag, attrs, text) => { const e = document.createElementNS(svgNS, tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); if (text) e.textContent = text; return e; };
  const toYear = (d) => { if (!d) return null; const [y, m] = d.split("-"); return Number(y) + ((Number(m) || 1) - 1) / 12; };
  let scale = null;
  function drawTimeline() {
    const svg = document.getElementById("timeline");
    const w = svg.clientWidth || 600, h = svg.clientHeight || 130;
    svg.replaceChildren();
    const own = timelineData.ownerships, insp = timelineData.inspections;
    const years = [...own.flatMap((o) => [toYear(o.from), toYear(o.to)]), ...insp.map((i) => toYear(i.date))].filter((x) => x !== null);
    if (!years.length) { svg.append(sv("text", { x: 10, y: 20, class: "axis" }, "Expand a provider to see its ownership periods and inspections.")); scale = null; return; }
    const lo = Math.floor(Math.min(...years)), hi = Math.ceil(Math.max(...years) + 0.01);
    const x = (y) => 10 + ((y - lo) / (hi - lo)) * (w - 20);
    scale = { lo, hi, w, inv: (px) => lo + ((px - 10) / (w - 20)) * (hi - lo) };
    const axis = sv("g", { class: "axis" });
    for (let y = lo; y <= hi; y++) { axis.append(sv("line", { x1: x(y), x2: x(y), y1: 0, y2: h - 14, stroke: "#e3e8ee" })); if (x(y) < w - 30) axis.append(sv("text", { x: x(y) + 2, y: h - 3 }, String(y))); }
    svg.append(axis);
    const f = currentFilters();
    if (f.from || f.to) {
      const a = f.from ? toYear(f.from) : lo, b = f.to ? toYear(f.to) + (f.to.length === 4 ? 1 : 1 / 12) : hi;
      svg.append(sv("rect", { class: "brush", x: x(a), y: 0, width: Math.max(2, x(b) - x(a)), height: h - 14 }));
    }
    const rows = Math.max(1, Math.floor((h - 40) / 11));
    own.slice(0, rows).forEach((o, i) => {
      const a = toYear(o.from) || lo, b = toYear(o.to) || hi;
      const r = sv("rect", { class: "own", x: x(a), y: 4 + i * 11, width: Math.max(2, x(b) - x(a)), height: 9 });
      r.append(sv("title", {}, `${o.ownerLabel} owns ${o.providerLabel}: ${o.from || "?"} – ${o.to || "now"}`));
      svg.append(r, sv("text", { class: "own-label", x: x(a) + 3, y: 11 + i * 11 }, `${o.ownerLabel} → ${o.providerLabel}`));
    });
    for (const i of insp) {
      const t = sv("rect", { class: "insp", x: x(toYear(i.date)) - 1, y: h - 32, width: 2, height: 14 });
      t.append(sv("title", {}, `${i.label || "inspection"} (${i.date})`));
      svg.append(t);
    }
  }
  (function brush() {
    const svg = document.getElementById("timeline");
    let start = null, rect = null;
    const fmt = (y) => { const yy = Math.floor(y); const m = Math.min(12, Math.max(1, Math.floor((y - yy) * 12) + 1)); return `${yy}-${String(m).padStart(2, "0")}`; };
    svg.addEventListener("mousedown", (e) => { if (!scale) return; start = e.offsetX; rect = sv("rect", { class: "brush", x: start, y: 0, width: 1, height: svg.clientHeight - 14 }); svg.append(rect); });
    svg.addEventListener("mousemove", (e) => { if (start === null) return; rect.setAttribute("x", Math.min(start, e.offsetX)); rect.setAttribute("width", Math.abs(e.offsetX - start)); });
    window.addEventListener("mouseup", (e) => {
      if (start === null) return;
      const a = Math.min(start, e.offsetX), b = Math.max(start, e.offsetX);
      start = null;
      if (b - a < 4) { document.getElementById("f-from").value = ""; document.getElementById("f-to").value = ""; }
      else { document.getElementById("f-from").value = fmt(scale.inv(a)); document.getElementById("f-to").value = fmt(scale.inv(b)); }
      applyFilters(true);
    });
  })();

  // ---- toolbar and graph events ------------------------------------------------------------------
  function runLayout() {
    const eles = cy.elements(":visible");
    const n = eles.nodes().length;
    const opts = n <= 600 ? { name: "cose", animate: false, nodeRepulsion: () => 9000, idealEdgeLength: () => 70, numIter: 600, randomize: false }
      : { name: "concentric", concentric: (x) => x.degree(), levelWidth: () => 3, animate: false, minNodeSpacing: 4 };
    eles.layout(Object.assign({ fit: true, padding: 30 }, opts)).run();
  }
  document.getElementById("fit").addEventListener("click", () => cy.fit(cy.elements(":visible"), 30));
  document.getElementById("relayout").addEventListener("click", runLayout);
  document.getElementById("clear").addEventListener("click", () => {
    cy.nodes().not(".pinned").remove(); expandedBy.clear(); panel.replaceChildren(el("p", { class: "note" }, "Select a node to see its details."));
    refreshTimeline(); status("Cleared.");
  });
  cy.on("tap", "node", (e) => select(e.target.id()));
  cy.on("dbltap", "node", (e) => { const id = e.target.id(); if (expandedBy.has(id)) collapse(id); else expand(id); });

  async function init() {
    legend();
    try { await setupFacets(); legend(); } catch (err) { status(`Could not load the filter values: ${err.message}`); }
    try { await setupQueries(); } catch (err) { document.getElementById("query-section").hidden = true; }
    if (OFFLINE) {
      addNodes(OFFLINE.nodes);
      addEdges(OFFLINE.edges);
      runLayout();
      status(`Offline export: ${OFFLINE.nodes.length} nodes, ${OFFLINE.edges.length} links.`);
      refreshTimeline();
    } else {
      status("Search for an organisation, an inspection or words of a quote to start.");
      drawTimeline();
    }
    document.body.dataset.ready = "1";
  }
  window.addEventListener("resize", drawTimeline);
  init();
})();
