"""The light user-agent stylesheet the certificates render with (``apps.core.pdf.render_pdf(..., light=True)``).

It goes through WeasyPrint's private ``HTML._ua_stylesheets``: these tests fail loudly if a WeasyPrint upgrade
stops calling it or changes what it must return, rather than letting certificates silently lose their layout
(or their speed).
"""

import inspect
import io

import pytest
import weasyprint
from pypdf import PdfReader

from apps.certificates import rendering, services
from apps.certificates.tests.test_rendering import outcomes  # noqa: F401 (a fixture)
from apps.core import pdf

pytestmark = pytest.mark.django_db

SAMPLE = "certificates/certificate_pdf.html"


def test_weasyprint_still_has_the_private_hook_with_the_same_signature():
    hook = getattr(weasyprint.HTML, "_ua_stylesheets", None)
    assert hook is not None, f"WeasyPrint {weasyprint.__version__} has no HTML._ua_stylesheets: see apps/core/pdf.py"
    assert list(inspect.signature(hook).parameters) == ["self", "forms"], (
        f"WeasyPrint {weasyprint.__version__} changed HTML._ua_stylesheets: see apps/core/pdf.py"
    )


def test_weasyprint_calls_the_hook_and_uses_the_light_stylesheet(monkeypatch):
    light = pdf._light_html_class()
    calls = []
    real = light._ua_stylesheets
    monkeypatch.setattr(light, "_ua_stylesheets", lambda self, forms=False: calls.append(forms) or real(self, forms))
    document = light(string="<h1>Title</h1><p>one<br>two</p><p><b>bold</b> text</p>").render(
        font_config=pdf._font_config()
    )
    assert calls, "WeasyPrint no longer asks HTML._ua_stylesheets for the user-agent stylesheet"
    (page,) = document.pages
    html_box = page._page_box.children[0]
    body_box = html_box.children[0]
    heading, first, second = body_box.children
    assert heading.style["font_weight"] == 700 and heading.style["display"] == ("block", "flow")
    assert len(first.children) == 2, "<br> no longer breaks the line"  # two line boxes
    assert second.children[0].children[0].style["font_weight"] == 700
    assert document.make_bookmark_tree()[0][0] == "Title"  # (label, target, children, state)


def test_the_light_stylesheet_renders_the_certificate_as_the_full_one_does(outcomes, manager_a):  # noqa: F811
    certificate = services.certificate_issue(mobility=outcomes, by=manager_a)
    context = rendering.certificate_context(certificate)
    full = pdf.render_pdf(SAMPLE, context, stylesheet=rendering.PDF_STYLESHEET)
    light = rendering.certificate_pdf(context)

    def layout(data):
        return [page.extract_text(extraction_mode="layout") for page in PdfReader(io.BytesIO(data)).pages]

    assert layout(light) == layout(full)
