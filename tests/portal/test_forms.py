"""The shared form pieces of portal.forms."""

from wtforms import Form, SelectChoice, SelectField, SelectMultipleField
from wtforms.widgets import Select

from portal.forms import LongSelect, select_choices


class Languages(Form):
    one = SelectField(choices=select_choices([("en", "English"), ("fr", "Français"),
                                              ("x&y", '<b>"Tricky"</b>')]))
    many = SelectMultipleField(choices=select_choices([("ar", "العربية"), ("zh", "中文"),
                                                        ("ru", "Русский")]))


def render(field, widget) -> str:
    return str(widget(field))


def test_long_select_writes_what_wtforms_writes():
    form = Languages(data={"one": "x&y", "many": ["ar", "ru"]})
    assert render(form.one, LongSelect()) == render(form.one, Select())
    assert render(form.many, LongSelect(multiple=True)) == render(form.many, Select(multiple=True))
    assert '<option selected value="x&amp;y">&lt;b&gt;&#34;Tricky&#34;&lt;/b&gt;</option>' in render(form.one, LongSelect())


def test_long_select_keeps_per_option_attributes():
    form = Languages()
    form.one.choices = [SelectChoice("en", "English", render_kw={"disabled": True})]
    assert render(form.one, LongSelect()) == render(form.one, Select())
    assert "disabled" in render(form.one, LongSelect())
