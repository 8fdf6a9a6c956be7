"""Interface strings come from the gettext catalogs (Babel) with plural forms; the catalogs are complete."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from components import i18n
from components.i18n import t

ROOT = Path(__file__).resolve().parents[2]


def test_catalogs_hold_every_registered_string():
    """`python -m tools.i18n_extract` was run after the last string was added or changed (a fresh process:
    strings registered by other tests do not count)."""
    done = subprocess.run([sys.executable, "-m", "tools.i18n_extract", "--check"], cwd=ROOT, capture_output=True, check=False,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_catalog_entry_has_a_text_in_both_languages():
    ids = {}
    for lang in i18n.LANGUAGES:
        with i18n.po_path(lang).open("rb") as handle:
            ids[lang] = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in read_po(handle) if m.id}
    assert set(ids["ru"]) == set(ids["en"])
    empty = [(lang, key) for lang, entries in ids.items() for key, text in entries.items()
             if not (all(text) if isinstance(text, tuple) else text)]
    assert empty == []


def test_every_catalog_entry_is_translated_in_both_languages():
    for lang in i18n.LANGUAGES:
        cat = i18n.catalog(lang)
        other = i18n.catalog("en" if lang == "ru" else "ru")
        untranslated = [k for k in cat.translations._catalog if isinstance(k, str) and k and not cat.translations._catalog[k]]
        assert untranslated == []
        assert cat.plural_keys == other.plural_keys


@pytest.mark.parametrize("n, text", [(221, "221 ответ"), (2, "2 ответа"), (5, "5 ответов"), (11, "11 ответов"),
                                     (1, "1 ответ"), (1000, "1 000 ответов"), (22, "22 ответа")])
def test_russian_plural_forms(n, text):
    assert t("n.answers", "ru", n=n) == text


def test_english_plural_forms():
    assert t("n.answers", "en", n=1) == "1 answer"
    assert t("n.answers", "en", n=1234) == "1,234 answers"


def test_t_reads_the_catalog_not_the_registration(monkeypatch):
    monkeypatch.setitem(i18n.STRINGS, "nav.home", {"ru": "Устаревший текст", "en": "Stale text"})
    assert t("nav.home", "ru") == "Главная" and t("nav.home", "en") == "Home"


def test_a_registered_key_not_yet_in_the_catalogs_falls_back_to_its_registration(monkeypatch):
    monkeypatch.setitem(i18n.STRINGS, "test.only.key", {"ru": "Проверка {x}", "en": "Check {x}"})
    monkeypatch.setitem(i18n.STRINGS, "test.only.plural", {"ru": ("{n} кот", "{n} кота", "{n} котов"),
                                                           "en": ("{n} cat", "{n} cats")})
    assert t("test.only.key", "en", x=1) == "Check 1"
    assert t("test.only.plural", "ru", n=3) == "3 кота"
    assert t("unknown.key") == "unknown.key"
