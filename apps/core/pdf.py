"""PDF rendering with WeasyPrint: a Django template in, PDF bytes out (certificates, participant reports)."""

from __future__ import annotations

import functools
import threading

from django.conf import settings
from django.template.loader import render_to_string

_local = threading.local()


def _font_config():
    """One WeasyPrint ``FontConfiguration`` per thread (building it costs ~15-20 % of a one-page PDF).

    It holds Fontconfig's configuration and the fonts found on the system, not any document's data; WeasyPrint
    adds a document's ``@font-face`` rules to it, which our self-contained templates (system fonts, no web
    fonts) do not have. Per thread rather than per process, because Pango's font map is not thread-safe: a
    Celery worker process (prefork pool) has one thread, so one configuration.
    """
    config = getattr(_local, "font_config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _local.font_config = FontConfiguration()
    return config


# A user-agent stylesheet for simple documents (``render_pdf(..., light=True)``) in place of WeasyPrint's HTML5
# one, whose ~250 rules (many with attribute selectors) are matched against every element: ~15-20 % of a
# certificate's rendering time. It keeps WeasyPrint's defaults for the elements such a document may use: html,
# head, body, div, p, span, b, strong, em, i, br, img, h1-h3. Anything else (tables, lists, links, forms) is
# laid out as inline text, so templates with those keep the full stylesheet.
LIGHT_USER_AGENT_CSS = """
head, link, meta, script, style, template, title, [hidden] { display: none }
html, body, div, p, h1, h2, h3 { display: block }
body { margin: 8px }
p { margin-top: 1em; margin-bottom: 1em }
h1 { font-size: 2em; margin-top: .67em; margin-bottom: .67em; bookmark-level: 1 }
h2 { font-size: 1.5em; margin-top: .83em; margin-bottom: .83em; bookmark-level: 2 }
h3 { font-size: 1.17em; margin-top: 1em; margin-bottom: 1em; bookmark-level: 3 }
h1, h2, h3 { font-weight: bold; bookmark-label: content(text); hyphens: manual }
h1, h2, h3 { break-after: avoid; break-inside: avoid }
b, strong { font-weight: bold }
em, i { font-style: italic }
br::before { content: "\\A"; white-space: pre-line }
img { overflow: hidden }
"""


@functools.cache
def _light_html_class():
    """``weasyprint.HTML`` with ``LIGHT_USER_AGENT_CSS`` as its user-agent stylesheet (parsed once per process;
    a parsed stylesheet is not changed by rendering).

    WeasyPrint has no public option for this: ``HTML._ua_stylesheets`` is private API (WeasyPrint 70, pinned in
    requirements.txt). ``apps/certificates/tests/test_pdf_light.py`` fails if WeasyPrint stops calling it.
    """
    from weasyprint import CSS, HTML

    stylesheet = CSS(string=LIGHT_USER_AGENT_CSS)

    class LightHTML(HTML):
        def _ua_stylesheets(self, forms=False):
            return [stylesheet]

    return LightHTML


@functools.cache
def _stylesheet(template_name: str):
    """The stylesheet ``template_name`` (a template without variables), rendered and parsed once per process: a
    parsed ``CSS`` is not changed by rendering, and parsing it costs ~5 % of a one-page PDF."""
    from weasyprint import CSS

    return CSS(string=render_to_string(template_name), base_url=str(settings.BASE_DIR))


def render_pdf(template_name: str, context: dict, *, light: bool = False, stylesheet: str | None = None) -> bytes:
    """Render ``template_name`` with ``context`` to PDF.

    Relative URLs in the template (images, stylesheets) resolve against the project directory, so that
    ``static/...`` paths work without a web server; no network is used. ``light``: the template uses only the
    elements ``LIGHT_USER_AGENT_CSS`` styles (faster, for PDFs rendered by the thousand, like certificates).
    ``stylesheet``: the name of a template holding the document's CSS, parsed once per process instead of with
    every document (it must not depend on the context or the language).
    """
    from weasyprint import HTML  # imported here: loading Pango costs ~0.3 s, needed only by the PDF paths

    html = render_to_string(template_name, context)
    document_class = _light_html_class() if light else HTML
    stylesheets = [_stylesheet(stylesheet)] if stylesheet else None
    document = document_class(string=html, base_url=str(settings.BASE_DIR))
    return document.write_pdf(stylesheets=stylesheets, font_config=_font_config())
