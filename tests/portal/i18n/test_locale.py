"""Which language a page is in, the switcher, right-to-left, mail in the recipient's language."""

from __future__ import annotations

from babel.messages import pofile

from portal import i18n
from portal.extensions import db
from portal.notifications.models import OutboxMessage


def _catalogue(language):
    with (i18n.TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return pofile.read_po(handle)


def test_browser_preference_decides_for_a_visitor(client):
    page = client.get("/", headers={"Accept-Language": "fr, ru;q=0.5"}).get_data(as_text=True)
    assert '<html lang="fr" dir="ltr">' in page


def test_english_when_the_browser_asks_for_none_of_the_six(client):
    page = client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page


def test_arabic_pages_run_right_to_left(client):
    page = client.get("/", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page


def test_visitor_choice_beats_the_browser_and_stays_in_the_session(client):
    response = client.post("/language", data={"language": "zh", "next": "/auth/login"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/login")
    page = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="zh" dir="ltr">' in page


def test_switcher_refuses_other_sites_and_unknown_languages(client):
    response = client.post("/language", data={"language": "de", "next": "//evil.example/"})
    assert response.headers["Location"] == "/"
    assert '<html lang="en"' in client.get("/").get_data(as_text=True)


def test_switcher_is_remembered_in_the_profile(client, auth, state_user):
    auth.login(state_user)
    client.post("/language", data={"language": "ru", "next": "/"})
    db.session.refresh(state_user)
    assert state_user.locale == "ru"
    client.post("/auth/logout")
    auth.login(state_user)
    with client.session_transaction() as session:
        session.pop("locale", None)
    page = client.get("/needs/", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert '<html lang="ru"' in page


def test_a_form_error_is_shown_in_russian(client, auth, state_user):
    state_user.locale = "ru"
    db.session.commit()
    auth.login(state_user)
    page = client.post("/needs/new", data={"title": "", "submit": "1"}).get_data(as_text=True)
    assert '<html lang="ru"' in page
    assert "A title is required." not in page  # the Russian catalogue says it instead
    assert "Submit a need" not in page


def test_mail_goes_out_in_the_recipients_language(app, coordinator, make_need, make_offer, state_user):
    from portal.matches import workflow

    state_user.locale = "fr"
    db.session.commit()
    need, offer = make_need(status="submitted"), make_offer(status="submitted")
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        workflow.propose(need, offer, coordinator)
        db.session.commit()
    mail = db.session.scalars(db.select(OutboxMessage).where(
        OutboxMessage.recipient == state_user.email)).one()
    # Passes once the French catalogue is filled: the greeting is the French one.
    french = _catalogue("fr").get("Dear %(name)s,")
    assert french is not None and french.string, "the French catalogue lacks the greeting"
    assert mail.body.startswith(french.string % {"name": state_user.name})


def test_wtforms_own_messages_follow_the_users_language(client, auth, state_user):
    """WTF_I18N_ENABLED: WTForms' built-in messages come from its own catalogues."""
    state_user.locale = "ru"
    db.session.commit()
    auth.login(state_user)
    page = client.post("/needs/new", data={"title": "A need", "language": "xx",
                                           "save_draft": "1"}).get_data(as_text=True)
    assert "Неверный вариант." in page
    assert "Not a valid choice" not in page


def test_mail_is_rendered_under_the_recipients_locale(app, monkeypatch, coordinator, make_need,
                                                      make_offer, state_user):
    """Independent of the catalogues' content: the locale active while each e-mail is built."""
    from flask_babel import get_locale

    from portal.matches import workflow
    from portal.notifications import services as notifications

    seen = {}
    real_render = notifications.render_template

    def spy(template, **context):
        seen[context["recipient"].email] = str(get_locale())
        return real_render(template, **context)

    monkeypatch.setattr(notifications, "render_template", spy)
    state_user.locale = "ar"
    db.session.commit()
    need, offer = make_need(status="submitted"), make_offer(status="submitted")
    with app.test_request_context("/", headers={"Accept-Language": "zh"}):
        workflow.propose(need, offer, coordinator)
    assert seen[state_user.email] == "ar"
    assert set(seen.values()) <= {"ar", "en"}  # users without a choice get the default, not the sender's


def test_a_visitors_choice_survives_the_login(client, auth, state_user):
    client.post("/language", data={"language": "ar", "next": "/"})
    auth.login(state_user)
    page = client.get("/needs/").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    assert state_user.locale is None  # only the switcher writes the profile
