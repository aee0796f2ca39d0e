"""The outside checkers run in the browser tests: horizontal overflow at phone width, axe-core
(npm, node_modules/axe-core) and Lighthouse (npm, node_modules/.bin/lighthouse).

Each returns a list of problems as readable lines (empty when the page passes), so a test
asserts `problems == []` and its failure message says what to fix and where.
"""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, NODE_MODULES, require_node_module

AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
LIGHTHOUSE = NODE_MODULES / ".bin" / "lighthouse"

# The elements sticking out past the viewport's right edge, outermost scroll container aside
# (content inside an element that scrolls or clips on its own does not widen the page).
_OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const describe = (el) => {
    const parts = [];
    for (let node = el; node && node.nodeType === 1 && parts.length < 4; node = node.parentElement) {
      let part = node.localName;
      if (node.id) { parts.unshift(part + '#' + node.id); break; }
      const classes = [...node.classList].slice(0, 2);
      if (classes.length) part += '.' + classes.join('.');
      parts.unshift(part);
    }
    return parts.join(' > ');
  };
  // Clipped by a scrolling or clipping box on its containing-block chain: an absolutely
  // positioned box (a .sr-only label) escapes every static ancestor, a fixed one all of them.
  const clipped = (el) => {
    let position = getComputedStyle(el).position;
    for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
      if (position === 'fixed') return false;
      const style = getComputedStyle(node);
      if (position === 'absolute' && style.position === 'static') continue;
      if (style.overflowX !== 'visible') return true;
      position = style.position;
    }
    return false;
  };
  const offenders = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 0.5 || clipped(el)) continue;
    offenders.push({element: describe(el), right: Math.round(box.right), width: Math.round(box.width)});
  }
  // Widest first: the culprit is usually the widest box that is not the page itself.
  offenders.sort((a, b) => b.width - a.width || b.right - a.right);
  return {scrollWidth: document.documentElement.scrollWidth, width, offenders: offenders.slice(0, 6)};
}"""


def overflow_problems(page, width: int) -> list[str]:
    """[] when the page does not scroll sideways at `width`; else the widest offenders."""
    found = page.evaluate(_OVERFLOW_JS)
    if found["scrollWidth"] <= width:
        return []
    lines = [f"scrollWidth {found['scrollWidth']} > {width}; elements past the right edge:"]
    seen = []
    for o in found["offenders"]:
        line = f"  {o['element']} (right {o['right']} px, width {o['width']} px)"
        if line not in seen:
            seen.append(line)
    lines += seen
    return lines


def axe_problems(page) -> list[str]:
    """Run axe-core (default rules: WCAG 2.x A/AA and best practices, every impact) on the page
    as it is now; one line per violation with the selectors of the nodes at fault."""
    source = require_node_module(AXE_JS).read_text()
    # Evaluated through the DevTools protocol, so the page's strict CSP (no inline scripts)
    # stays in force for the page itself and is not bypassed.
    page.evaluate(f"() => {{ {source}\n; window.__axe = axe; }}")
    violations = page.evaluate("() => window.__axe.run(document, {resultTypes: ['violations']})"
                               ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact,"
                               " help: v.help, nodes: v.nodes.map(n => ({target: n.target.join(' '),"
                               " html: n.html, why: n.failureSummary}))})))")
    lines = []
    for v in violations:
        targets = ", ".join(n["target"] for n in v["nodes"][:6])
        more = f" (+{len(v['nodes']) - 6} more)" if len(v["nodes"]) > 6 else ""
        lines.append(f"{v['id']} [{v['impact']}] {v['help']}: {targets}{more}")
        first = v["nodes"][0]
        why = " ".join((first.get("why") or "").split("\n")[1:2]).strip()
        lines.append(f"    e.g. {first['html'][:160]}" + (f" -- {why[:200]}" if why else ""))
    return lines


def lighthouse(url: str, categories: list[str], *, timeout: int = 120) -> dict:
    """Run Lighthouse (mobile form factor, its default) on `url` in Debian's Chromium, headless.

    Returns {category: {"score": 0-100, "failing": [(audit id, title, score)]}}.
    """
    require_node_module(LIGHTHOUSE)
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    with tempfile.TemporaryDirectory(prefix="pasar-lighthouse-") as work:
        out = Path(work) / "report.json"
        env = {**os.environ, "CHROME_PATH": CHROMIUM, "HOME": work}
        run = subprocess.run(
            [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
             f"--only-categories={','.join(categories)}", f"--chrome-flags={flags}",
             "--max-wait-for-load=30000"],
            env=env, capture_output=True, text=True, timeout=timeout, check=False)
        if run.returncode != 0 or not out.exists():
            raise RuntimeError(f"lighthouse failed on {url} ({run.returncode}): {run.stderr[-2000:]}")
        report = json.loads(out.read_text())
    if report.get("runtimeError"):
        raise RuntimeError(f"lighthouse on {url}: {report['runtimeError']}")
    audits = report["audits"]
    results = {}
    for name, category in report["categories"].items():
        failing = []
        for ref in category["auditRefs"]:
            audit = audits[ref["id"]]
            if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 1:
                title = audit["title"] + _what(audit)
                failing.append((ref["id"], title, round(audit["score"] * 100)))
        score = category["score"]
        results[name] = {"score": None if score is None else round(score * 100), "failing": failing}
    return results


def _what(audit: dict) -> str:
    """The first items of a failing audit (a console error, a node, a URL), to say where."""
    items = (audit.get("details") or {}).get("items") or []
    said = []
    for item in items[:3]:
        if not isinstance(item, dict):
            continue
        node = item.get("node") if isinstance(item.get("node"), dict) else {}
        text = item.get("description") or node.get("selector") or item.get("url") or item.get("source")
        if isinstance(text, str) and text:
            said.append(text[:120])
    return f" [{'; '.join(said)}]" if said else ""


def lighthouse_problems(results: dict, minimum: int) -> list[str]:
    """One line per category below `minimum`, naming its failing audits."""
    lines = []
    for name, result in results.items():
        if result["score"] is None or result["score"] < minimum:
            audits = "; ".join(f"{i} ({title}: {score})" for i, title, score in result["failing"])
            lines.append(f"{name} {result['score']} < {minimum}: {audits or 'no failing audit listed'}")
    return lines
