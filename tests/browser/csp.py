"""Watching a Playwright page for Content-Security-Policy violations.

watch_csp(page) -> a list that fills with one line per violation on any document the page
loads afterwards: `securitypolicyviolation` events (reported through a binding, so they survive
navigations) and Chromium's "Refused to ..." console messages. Call it before the first goto.
"""
from __future__ import annotations

_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.__pasarCspViolation([e.effectiveDirective || e.violatedDirective, e.blockedURI,
                              location.pathname, e.sample].join(" | "));
});
"""


def watch_csp(page) -> list[str]:
    violations: list[str] = []
    page.expose_binding("__pasarCspViolation", lambda _source, line: violations.append(line))
    page.add_init_script(_LISTENER)

    def on_console(message) -> None:
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            violations.append(f"console: {text}")

    page.on("console", on_console)
    return violations
