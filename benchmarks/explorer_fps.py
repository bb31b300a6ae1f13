"""Frames per second of pan/zoom at 5,000 visible nodes in headless Chromium, per rendering library.

Each candidate draws the same random graph (N nodes, 1.5 N edges, labels) in a 1280x800 page; the page
then pans and zooms on every animation frame for a few seconds and records the intervals between
``requestAnimationFrame`` callbacks. Printed: median fps, 5th-percentile fps and the ratio to 60 fps.
The explorer's own vendored cytoscape.js is measured, with its canvas renderer as the explorer configures
it (textures while the viewport moves) and with its WebGL renderer, and then the explorer page itself (the
offline export's page: its cytoscape instance, styles and options) with N nodes of its kinds added;
sigma.js + graphology are measured
when given with ``--sigma DIR --graphology DIR`` (their npm packages unpacked), for the comparison.

    nice -n 10 python benchmarks/explorer_fps.py [--nodes 5000] [--seconds 4]
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from playwright.sync_api import sync_playwright

VENDOR = Path(__file__).resolve().parents[1] / "probkg" / "exports" / "explorer" / "static" / "vendor"
CHROMIUM = "/usr/bin/chromium"

GRAPH_JS = """
function makeGraph(n) {
  let seed = 7; const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const nodes = [], edges = [];
  for (let i = 0; i < n; i++) nodes.push({id: 'n' + i, x: rnd() * 4000, y: rnd() * 4000, label: 'node ' + i});
  for (let i = 0; i < n * 1.5; i++) {
    const a = Math.floor(rnd() * n), b = Math.floor(rnd() * n);
    if (a !== b) edges.push({id: 'e' + i, s: 'n' + a, t: 'n' + b});
  }
  return {nodes, edges};
}
function measure(step, seconds) {
  return new Promise(resolve => {
    const times = []; const t0 = performance.now();
    function frame(t) {
      times.push(t); step((t - t0) / 1000);
      if (t - t0 < seconds * 1000) requestAnimationFrame(frame);
      else {
        const d = []; for (let i = 1; i < times.length; i++) d.push(times[i] - times[i - 1]);
        resolve(d);
      }
    }
    requestAnimationFrame(frame);
  });
}
"""

CYTOSCAPE = """
async function run(n, seconds, webgl, hideEdges, hideLabels) {
  const g = makeGraph(n);
  const els = g.nodes.map(v => ({data: {id: v.id, label: v.label}, position: {x: v.x, y: v.y}}))
    .concat(g.edges.map(e => ({data: {id: e.id, source: e.s, target: e.t}})));
  const cy = cytoscape({container: document.getElementById('c'), elements: els, layout: {name: 'preset'},
    textureOnViewport: !webgl, hideEdgesOnViewport: !!hideEdges, hideLabelsOnViewport: !!hideLabels,
    pixelRatio: 1,
    renderer: webgl ? {name: 'canvas', webgl: true} : {name: 'canvas'},
    style: [{selector: 'node', style: {label: 'data(label)', width: 12, height: 12, 'font-size': 10,
      'min-zoomed-font-size': 8, 'background-color': '#3b6ea5'}},
      {selector: 'edge', style: {width: 1, 'line-color': '#bbb'}}]});
  cy.fit(); const z0 = cy.zoom(), p0 = cy.pan();
  return await measure(s => { cy.viewport({zoom: z0 * (1 + 0.5 * Math.sin(s * 2)),
    pan: {x: p0.x + 200 * Math.sin(s * 3), y: p0.y + 150 * Math.cos(s * 3)}}); }, seconds);
}
"""

EXPLORER = """
async function run(n, seconds, webgl) {
  // the explorer page's own cytoscape instance, styles and options; nodes of its kinds, findings coloured
  const cy = window.probkgCy; const g = makeGraph(n);
  const kinds = ['Finding', 'Finding', 'Finding', 'Finding', 'Inspection', 'CRC', 'Rating'];
  const pols = ['critical', 'positive', 'mixed'];
  const nodes = g.nodes.map((v, i) => ({group: 'nodes', position: {x: v.x, y: v.y},
    data: {id: v.id, label: 'Caseloads were too high in ' + v.label, kind: kinds[i % kinds.length],
      polarity: pols[i % 3], ratingOrder: 1 + i % 4}}));
  const edges = g.edges.map(e => ({group: 'edges', data: {id: e.id, source: e.s, target: e.t, rel: 'x'}}));
  cy.add(nodes.concat(edges));
  cy.fit(); const z0 = cy.zoom(), p0 = cy.pan();
  await new Promise(r => setTimeout(r, 500));
  return await measure(s => { cy.viewport({zoom: z0 * (1 + 0.5 * Math.sin(s * 2)),
    pan: {x: p0.x + 200 * Math.sin(s * 3), y: p0.y + 150 * Math.cos(s * 3)}}); }, seconds);
}
"""

SIGMA = """
async function run(n, seconds) {
  const g = makeGraph(n); const G = new graphology.Graph();
  g.nodes.forEach(v => G.addNode(v.id, {x: v.x, y: v.y, size: 4, label: v.label, color: '#3b6ea5'}));
  g.edges.forEach(e => { if (!G.hasEdge(e.s, e.t)) G.addEdge(e.s, e.t, {size: 1, color: '#bbb'}); });
  const r = new Sigma(G, document.getElementById('c'));
  const cam = r.getCamera();
  return await measure(s => { cam.setState({ratio: 1 / (1 + 0.5 * Math.sin(s * 2)),
    x: 0.5 + 0.05 * Math.sin(s * 3), y: 0.5 + 0.05 * Math.cos(s * 3)}); }, seconds);
}
"""


def explorer_page() -> str:
    """The explorer page as the offline export writes it (page code and cytoscape.js inlined), empty."""
    from probkg.exports.explorer import page_html

    empty = {
        "nodes": [],
        "edges": [],
        "details": {},
        "facets": {"owners": [], "providerKinds": [], "themes": [], "polarities": [], "ratings": []},
        "timeline": {"ownerships": [], "inspections": []},
        "start": [],
    }
    html = page_html(data=empty, inline=True)
    return html.replace("</body>", f"<script>{GRAPH_JS}{EXPLORER}</script></body>")


def page(scripts: list[Path], code: str) -> str:
    inline = "\n".join(f"<script>{p.read_text(encoding='utf-8')}</script>" for p in scripts)
    return (
        "<!doctype html><html><body style='margin:0'><div id='c' style='width:1280px;height:800px'></div>"
        f"{inline}<script>{GRAPH_JS}{code}</script></body></html>"
    )


def summarise(name: str, intervals: list[float]) -> dict[str, float | str]:
    fps = sorted(1000.0 / d for d in intervals if d > 0)
    mean = 1000.0 * len(intervals) / sum(intervals)
    median = statistics.median(fps)
    p5 = fps[max(0, len(fps) * 5 // 100 - 1)]
    return {
        "renderer": name,
        "frames": len(fps),
        "mean_fps": round(mean, 1),
        "median_fps": round(median, 1),
        "p5_fps": round(p5, 1),
        "ratio_to_60": round(mean / 60, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=5000)
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--sigma", type=Path, help="unpacked npm package 'sigma' (directory with dist/)")
    ap.add_argument("--graphology", type=Path, help="unpacked npm package 'graphology'")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    cyto = page([VENDOR / "cytoscape.min.js"], CYTOSCAPE)
    candidates: list[tuple[str, str, str]] = [
        ("cytoscape.js canvas, textures", cyto, "false, false, false"),
        ("cytoscape.js canvas, no labels moving", cyto, "false, false, true"),
        ("cytoscape.js canvas, no edges/labels moving", cyto, "false, true, true"),
        ("cytoscape.js webgl", cyto, "true, false, false"),
        ("explorer page (its own options)", explorer_page(), "false"),
    ]
    if args.sigma and args.graphology:
        scripts = [args.graphology / "dist" / "graphology.umd.min.js", args.sigma / "dist" / "sigma.min.js"]
        candidates.append(("sigma.js + graphology (webgl)", page(scripts, SIGMA), "false"))
    results = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--enable-unsafe-swiftshader"])
        for name, html, flag in candidates:
            ctx = browser.new_context(viewport={"width": 1280, "height": 800})
            tab = ctx.new_page()
            errors: list[str] = []
            tab.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            tab.set_content(html)
            intervals = tab.evaluate(f"run({args.nodes}, {args.seconds}, {flag})")
            row = summarise(name, intervals)
            if errors:
                row["errors"] = "; ".join(errors)[:200]
            results.append(row)
            ctx.close()
        browser.close()
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"pan/zoom at {args.nodes} nodes, {args.seconds:g} s each, headless Chromium")
    print(f"{'renderer':40} {'frames':>7} {'mean fps':>9} {'median fps':>11} {'p5 fps':>8} {'mean/60':>8}")
    for r in results:
        print(
            f"{r['renderer']:40} {r['frames']:>7} {r['mean_fps']:>9} {r['median_fps']:>11} {r['p5_fps']:>8}"
            f" {r['ratio_to_60']:>8}" + (f"  errors: {r['errors']}" if "errors" in r else "")
        )


if __name__ == "__main__":
    main()
