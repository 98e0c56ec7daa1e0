"""The form renderer: Django's, with the common form templates written in Python.

Django renders a select as a template that includes a template per option, each including
the attributes template: three template renders per option; a field group is four more
(field, label, errors, widget). The KOL page renders about 50 fields and 180 options (kinds,
topics, the question bank): a third of its time (make bench). These functions write exactly
the HTML of Django's templates (django/forms/field.html, label.html, errors/list/ul.html,
widgets/select.html, select_option.html, multiple_input.html, input_option.html, input.html,
textarea.html, attrs.html), escaped the same way; anything else (and a project override,
which would have to be listed here) goes to the templates. tests/test_forms_renderer.py
compares the two, byte for byte.
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


# Widgets whose template is exactly `{% include "django/forms/widgets/input.html" %}` + newline.
INPUTS = {
    f"django/forms/widgets/{name}.html"
    for name in (
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    )
}


def _input(widget: dict) -> str:
    """django/forms/widgets/input.html, included by a one-line template (two newlines)."""
    value = widget["value"]
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        + (f' value="{_text(value)}"' if value is not None else "")
        + f"{_attrs(widget['attrs'])}>\n\n"
    )


def _textarea(widget: dict) -> str:
    value = _text(widget["value"]) if widget["value"] else ""
    return (
        f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>\n'
    )


def _label(context: dict) -> str:
    """django/forms/label.html"""
    if not context.get("use_tag"):
        return f"{_text(context['label'])}\n"
    tag = _text(context["tag"])
    return f"<{tag}{_attrs(context['attrs'])}>{_text(context['label'])}</{tag}>\n"


def _errors(context: dict) -> str:
    """django/forms/errors/list/default.html and ul.html"""
    errors = context["errors"]
    if not errors:
        return ""
    field_id = getattr(errors, "field_id", None)
    items = "".join(f"<li>{_text(error)}</li>" for error in errors)
    id_attr = f' id="{_text(field_id)}_error"' if field_id else ""
    return f'<ul class="{_text(context["error_class"])}"{id_attr}>{items}</ul>'


def _field(field) -> str:
    """django/forms/field.html (a BoundField's as_field_group)."""
    out = []
    if field.use_fieldset:
        described = field.aria_describedby
        aria = f' aria-describedby="{_text(described)}"' if described else ""
        legend = _text(field.legend_tag()) if field.label else ""
        out.append(f"\n  <fieldset{aria}>\n  {legend}\n")
    else:
        out.append(f"\n  {_text(field.label_tag()) if field.label else ''}\n")
    out.append("\n")
    if field.help_text:
        help_id = f' id="{_text(field.auto_id)}_helptext"' if field.auto_id else ""
        out.append(f'<div class="helptext"{help_id}>{field.help_text}</div>')
    out.append(f"\n{_text(field.errors)}\n{_text(field)}")
    out.append("</fieldset>\n" if field.use_fieldset else "\n")
    return "".join(out)


FIELD = "django/forms/field.html"
LABEL = "django/forms/label.html"
ERRORS = {"django/forms/errors/list/default.html", "django/forms/errors/list/ul.html"}


class FastWidgetRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        html = self._fast(template_name, context) if isinstance(context, dict) else None
        if html is not None:
            return mark_safe(html.strip())  # noqa: S308 (escaped on the way; stripped as Django does)
        return super().render(template_name, context, request)

    def _fast(self, template_name: str, context: dict) -> str | None:
        widget = context.get("widget")
        if widget is not None and "optgroups" in widget:
            templates = {option["template_name"] for option in _options(widget)}
            if template_name == SELECT and templates <= {SELECT_OPTION}:
                return _select(widget)
            if template_name in MULTIPLE and templates <= INPUT_OPTIONS:
                return _multiple(widget)
            return None
        if widget is not None and template_name in INPUTS:
            return _input(widget)
        if widget is not None and template_name == "django/forms/widgets/textarea.html":
            return _textarea(widget)
        if template_name == FIELD and "field" in context:
            return _field(context["field"])
        if template_name == LABEL:
            return _label(context)
        if template_name in ERRORS and "errors" in context:
            return _errors(context)
        return None
