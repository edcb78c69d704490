"""Every user-visible string goes through gettext: templates and forms."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from flask_babel import LazyString
from flask_wtf import FlaskForm

import portal
from tests.portal.i18n.template_text import unmarked_text

TEMPLATES = Path(portal.__file__).parent / "templates"
TEMPLATE_FILES = sorted(p for p in TEMPLATES.rglob("*") if p.suffix in (".html", ".txt"))


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_template_text_is_marked_for_translation(app, path):
    found = unmarked_text(app.jinja_env, path, str(path.relative_to(TEMPLATES)))
    assert found == [], f"unmarked text in {path.name}: {found}"


def test_the_checker_catches_unmarked_text(app, tmp_path):
    sample = tmp_path / "sample.html"
    sample.write_text('<p>{{ _("Fine") }}</p><p>Not fine {{ x }}</p>'
                      '<input placeholder="Type here"><a title="{{ _(\'Ok\') }}">Capacity Match</a>')
    assert unmarked_text(app.jinja_env, sample, "sample.html") == ["Not fine …", 'placeholder="Type here"']


def _form_classes():
    for module_info in pkgutil.walk_packages(portal.__path__, "portal."):
        if module_info.name.endswith(".forms"):
            module = importlib.import_module(module_info.name)
            for _name, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, FlaskForm) and cls is not FlaskForm and cls.__module__ == module.__name__:
                    yield cls


FORMS = sorted(set(_form_classes()), key=lambda cls: cls.__qualname__)


@pytest.mark.parametrize("form_class", FORMS, ids=lambda cls: cls.__name__)
def test_form_labels_and_descriptions_are_lazy_strings(app, form_class):
    with app.test_request_context("/"):
        form = form_class(meta={"csrf": False})
        for field in form:
            if field.type in ("HiddenField", "CSRFTokenField", "SubmissionTokenField"):
                continue
            assert isinstance(field.label.text, LazyString), f"{form_class.__name__}.{field.name} label"
            if field.description:
                assert isinstance(field.description, LazyString), f"{form_class.__name__}.{field.name} description"


def test_forms_were_found():
    assert {"NeedForm", "OfferForm", "LoginForm", "DecisionForm"} <= {cls.__name__ for cls in FORMS}
