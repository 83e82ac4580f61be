"""Every string of the admin view and simulator has a Vietnamese translation, and the compiled
catalog the app loads is the one the .po file describes."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).parents[1]
CATALOG = ROOT / "gateway/translations/vi/LC_MESSAGES"
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None}


def catalog():
    with open(CATALOG / "messages.po", "rb") as f:
        return read_po(f, locale="vi")


def test_every_ui_string_has_a_vietnamese_translation():
    translated = {m.id: m.string for m in catalog() if m.id}
    used = {msg for _, _, msg, *_ in extract_from_dir(ROOT / "gateway", METHODS,
                                                     keywords=KEYWORDS)}
    assert len(used) > 150  # the extractors found the templates and the code
    missing = sorted(m for m in used if not translated.get(m))
    assert not missing, f"add these to {CATALOG / 'messages.po'}: {missing}"


def test_the_compiled_catalog_matches_the_po_file():
    """Message by message: the header's "Generated-By" names whichever Babel compiled it, so the
    bytes differ between Babel releases while the catalog does not."""
    with open(CATALOG / "messages.mo", "rb") as f:
        compiled = {m.id: m.string for m in read_mo(f) if m.id}
    described = {m.id: m.string for m in catalog() if m.id and not m.fuzzy}
    assert compiled == described, "recompile: pybabel compile -d gateway/translations"
