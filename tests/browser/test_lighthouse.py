"""Lighthouse (npm, node_modules/.bin/lighthouse; mobile, in Debian's Chromium) on the pages a
buyer lands on from a search engine or a shared link: accessibility, best practices and SEO each
at least 95. Performance depends on the machine's load, so it is measured by `make bench`
(bench/lighthouse.py), not asserted here. One Lighthouse run per page, on the seeded world of
tests/browser/world.py.
"""
from __future__ import annotations

import pytest

from tests.browser.checkers import LIGHTHOUSE, lighthouse, lighthouse_problems
from tests.browser.conftest import require_chromium, require_node_module
from tests.browser.world import _clean_db, site, world  # noqa: F401  (fixtures)

# Under pytest-xdist the module stays on one worker: its pages share one seeded `world`, and
# Lighthouse loads one page at a time (it asserts no speed score, but its loads have a time limit).
pytestmark = pytest.mark.xdist_group("lighthouse")

MINIMUM = 95
CATEGORIES = ["accessibility", "best-practices", "seo"]
# The five landing pages, also those of bench/lighthouse.py (name, path formatted with `world`).
LANDING_PAGES = [
    ("home", "/"),
    ("category", "/kategori/{category}"),
    ("search", "/cari?q=kopi"),
    ("product", "/produk/{product}"),
    ("event", "/acara/{event}"),
]
@pytest.fixture(scope="module")
def lighthouse_installed():
    """Checked before the world is seeded: skipped at once locally without npm's Lighthouse."""
    require_chromium()
    require_node_module(LIGHTHOUSE)


@pytest.mark.parametrize("path", [path for _name, path in LANDING_PAGES],
                         ids=[name for name, _path in LANDING_PAGES])
def test_landing_page_scores_at_least_95_in_lighthouse(lighthouse_installed, site, world, path):
    # given the seeded marketplace, when Lighthouse loads the page as a phone would
    url = site + path.format(**world)
    results = lighthouse(url, CATEGORIES)
    # then accessibility, best practices and SEO are each >= 95; the message names what fails
    problems = lighthouse_problems(results, MINIMUM)
    scores = ", ".join(f"{name} {r['score']}" for name, r in results.items())
    assert not problems, f"{url} ({scores}):\n" + "\n".join(problems)
