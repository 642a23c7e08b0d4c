"""PDF rendering with WeasyPrint: a Django template in, PDF bytes out (certificates, participant reports)."""

from __future__ import annotations

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


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render ``template_name`` with ``context`` to PDF.

    Relative URLs in the template (images, stylesheets) resolve against the project directory, so that
    ``static/...`` paths work without a web server; no network is used.
    """
    from weasyprint import HTML  # imported here: loading Pango costs ~0.3 s, needed only by the PDF paths

    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(font_config=_font_config())
