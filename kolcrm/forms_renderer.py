"""The form renderer: Django's, with selects and checkbox/radio groups built in Python.

Django renders a select as a template that includes a template per option, each including
the attributes template: three template renders per option. The KOL page has about 180
options (kinds, topics, the question bank), and that was a fifth of its rendering time
(make bench). These functions write exactly the HTML of Django's templates
(django/forms/widgets/select.html, select_option.html, multiple_input.html,
input_option.html, input.html, attrs.html), escaped the same way; a widget whose options use
another template falls back to the templates. tests/test_forms_renderer.py compares the two.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

SELECT = "django/forms/widgets/select.html"
MULTIPLE = {"django/forms/widgets/checkbox_select.html", "django/forms/widgets/radio.html"}
SELECT_OPTION = "django/forms/widgets/select_option.html"
INPUT_OPTIONS = {
    "django/forms/widgets/checkbox_option.html",
    "django/forms/widgets/radio_option.html",
}


def _text(value) -> str:
    """{{ value|stringformat:'s' }} with autoescaping."""
    return str(conditional_escape(value if hasattr(value, "__html__") else str(value)))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html"""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {_text(name)}")
        else:
            parts.append(f' {_text(name)}="{_text(value)}"')
    return "".join(parts)


def _select(widget: dict) -> str:
    out = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _ in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            out.append(
                f'\n  <option value="{_text(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def _input_option(option: dict) -> str:
    """checkbox_option.html / radio_option.html (each file's final newline included)."""
    value = option["value"]
    html = (
        f'<input type="{_text(option["type"])}" name="{_text(option["name"])}"'
        + (f' value="{_text(value)}"' if value is not None else "")
        + f"{_attrs(option['attrs'])}>\n"
    )
    if not option.get("wrap_label"):
        return html + "\n\n"
    option_id = option["attrs"].get("id")
    label_for = f' for="{_text(option_id)}"' if option_id else ""
    return f"<label{label_for}>{html} {_text(option['label'])}</label>\n\n"


def _multiple(widget: dict) -> str:
    attrs = widget["attrs"]
    out = ["<div"]
    if attrs.get("id"):
        out.append(f' id="{_text(attrs["id"])}"')
    if attrs.get("class"):
        out.append(f' class="{_text(attrs["class"])}"')
    out.append(">")
    for group, options, _ in widget["optgroups"]:
        if group:
            out.append(f"\n  <div><label>{_text(group)}</label>")
        for option in options:
            out.append(f"<div>\n    {_input_option(option)}</div>")
        if group:
            out.append("\n  </div>")
    out.append("\n</div>")
    return "".join(out)


def _options(widget: dict) -> list[dict]:
    return [option for _, options, _ in widget["optgroups"] for option in options]


class FastWidgetRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None and "optgroups" in widget:
            templates = {option["template_name"] for option in _options(widget)}
            if template_name == SELECT and templates <= {SELECT_OPTION}:
                return mark_safe(_select(widget))  # noqa: S308 (every value escaped above)
            if template_name in MULTIPLE and templates <= INPUT_OPTIONS:
                return mark_safe(_multiple(widget))  # noqa: S308 (every value escaped above)
        return super().render(template_name, context, request)
