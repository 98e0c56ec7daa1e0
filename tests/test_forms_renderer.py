"""common.forms_renderer writes exactly the HTML of Django's widget templates."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from common.forms_renderer import FastWidgetRenderer

CHOICES = [
    ("", "Any"),
    ("a", "Alpha & <b>beta</b>"),
    ('Group "one"', [(1, "One"), (2, "Two's")]),
    (0, "Zero"),
]


class Sample(forms.Form):
    plain = forms.ChoiceField(choices=CHOICES, required=False)
    many = forms.MultipleChoiceField(choices=CHOICES, required=False)
    boxes = forms.MultipleChoiceField(
        choices=CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    radio = forms.ChoiceField(
        choices=CHOICES, required=False, widget=forms.RadioSelect(attrs={"class": "r<x>"})
    )
    no_id = forms.ChoiceField(choices=CHOICES, required=False)
    flagged = forms.ChoiceField(
        choices=CHOICES,
        required=True,
        widget=forms.Select(attrs={"data-x": '1"2', "disabled": True, "hidden": False}),
    )


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"plain": "a", "many": ["1", "a"], "boxes": ["2", "0"], "radio": "1", "flagged": ""},
        {"plain": "<script>", "boxes": ["nope"], "radio": "", "flagged": "x"},
    ],
)
@pytest.mark.parametrize("field", ["plain", "many", "boxes", "radio", "no_id", "flagged"])
def test_the_fast_widgets_write_what_the_templates_write(data, field):
    def render(renderer):
        form = Sample(data, renderer=renderer, auto_id=False if field == "no_id" else "id_%s")
        if data is not None:
            form.is_valid()
        bound = form[field]
        return str(bound), bound.as_field_group()

    assert render(FastWidgetRenderer()) == render(DjangoTemplates())


class Fields(forms.Form):
    name = forms.CharField(max_length=5, help_text="Their <b>name</b>", label="Name & title")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    count = forms.IntegerField(min_value=1, required=False)
    email = forms.EmailField(required=False)
    flag = forms.BooleanField(required=False)
    secret = forms.CharField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(choices=CHOICES[:2], widget=forms.RadioSelect)
    nolabel = forms.CharField(label="", required=False)
    web = forms.URLField(required=False, label_suffix="?")


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"name": "<script>alert(1)</script>", "count": "-3", "email": "x", "kind": "zz"},
        {
            "name": "Ada",
            "note": "Line\n<i>two</i>",
            "when": "2026-11-22",
            "count": "4",
            "flag": "on",
            "secret": "s&s",
            "kind": "a",
            "web": "https://x.example/?a=1&b=2",
        },
    ],
)
def test_the_fast_field_groups_write_what_the_templates_write(data):
    def render(renderer):
        form = Fields(data, renderer=renderer)
        if data is not None:
            form.is_valid()
        parts = [form[name].as_field_group() for name in form.fields]
        parts += [str(form[name]) for name in form.fields]
        parts += [form[name].label_tag() for name in form.fields]
        parts += [str(form.non_field_errors()), str(form.errors.get("name", ""))]
        return parts

    assert render(FastWidgetRenderer()) == render(DjangoTemplates())


def test_the_project_uses_it():
    from django.conf import settings

    assert settings.FORM_RENDERER == "common.forms_renderer.FastWidgetRenderer"
