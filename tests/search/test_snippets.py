"""Result-card text (`search.text.marked`): whatever a highlighter returns, the card gets
escaped text whose only tags are <em>, cut to a bound on a word boundary with the match kept."""
from markupsafe import Markup

from search.text import SNIPPET_CHARS, highlight, marked


def visible(html: str) -> str:
    return html.replace("<em>", "").replace("</em>", "")


def test_only_em_survives_a_hostile_fragment():
    # given a fragment carrying other markup (a highlighter that did not encode its text)
    fragment = '<img src=x onerror="alert(1)"> <em>kopi</em> <b>&amp;</b> <em onclick=x>teh</em>'
    out = marked(fragment, '<img src=x onerror="alert(1)"> kopi <b>&</b> <em onclick=x>teh')
    assert isinstance(out, Markup)
    assert out == ('&lt;img src=x onerror=&#34;alert(1)&#34;&gt; <em>kopi</em> &lt;b&gt;&amp;&lt;/b&gt; '
                   "&lt;em onclick=x&gt;teh")


def test_plain_text_is_escaped_and_whitespace_collapsed():
    assert marked(None, "Kopi  <b>enak</b>\n\n& murah") == "Kopi &lt;b&gt;enak&lt;/b&gt; &amp; murah"


def test_a_long_description_is_cut_on_a_word_with_an_ellipsis():
    text = "Gula semut aren organik " + "dari pohon aren hutan Lampung, " * 20
    out = marked(None, text, SNIPPET_CHARS)
    assert out.endswith("…") and len(out) - 1 <= SNIPPET_CHARS
    assert (" " + " ".join(text.split()) + " ").find(" " + out[:-1] + " ") == 0


def test_a_late_match_stays_in_view():
    text = " ".join(f"kata{n}" for n in range(80)) + " pemanis alami " + " ".join(f"lain{n}" for n in range(80))
    fragment = highlight(text, {"pemanis"}, 180)      # the embedded backend's fragment
    assert len(visible(fragment)) <= 180 and "<em>pemanis</em>" in fragment
    out = marked(fragment, text, SNIPPET_CHARS)
    assert out.startswith("…") and out.endswith("…") and "<em>pemanis</em>" in out
    assert len(visible(out)) <= SNIPPET_CHARS + 2
    es_style = " ".join(f"kata{n}" for n in range(60, 80)) + " <em>pemanis</em> alami " + \
        " ".join(f"lain{n}" for n in range(20))                         # a fragment from inside
    out = marked(es_style, text, SNIPPET_CHARS)
    assert out.startswith("…") and "<em>pemanis</em>" in out and len(visible(out)) <= SNIPPET_CHARS + 2
