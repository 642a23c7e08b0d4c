"""PDF rendering with WeasyPrint: a Django template in, PDF bytes out (certificates, participant reports)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render ``template_name`` with ``context`` to PDF.

    Relative URLs in the template (images, stylesheets) resolve against the project directory, so that
    ``static/...`` paths work without a web server; no network is used.
    """
    from weasyprint import HTML  # imported here: loading Pango costs ~0.3 s, needed only by the PDF paths

    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
