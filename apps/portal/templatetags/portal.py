from django import template
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_link(context, url_name: str, label: str):
    """A navbar item, marked as the current page (aria-current) when the path is under its URL."""
    url = reverse(url_name)
    current = context["request"].path.startswith(url)
    if current:
        return format_html(
            '<li class="nav-item"><a class="nav-link active" aria-current="page" href="{}">{}</a></li>', url, label
        )
    return format_html('<li class="nav-item"><a class="nav-link" href="{}">{}</a></li>', url, label)


@register.filter
def country_name(code: str) -> str:
    """The country's name for an ISO code, in the active language ("PT" → "Portugal")."""
    from django_countries import countries

    return countries.name(code) or code
