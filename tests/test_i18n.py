"""The Polish catalogue covers every user-facing string, and the compiled file matches it."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "pl" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _gaps(po: polib.POFile) -> list[str]:
    return [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]


def test_polish_catalogue_is_complete():
    gaps = _gaps(polib.pofile(str(PO)))
    assert not gaps, f"{len(gaps)} untranslated or fuzzy entries, e.g. {gaps[:5]}"


def test_compiled_catalogue_matches_the_source():
    def entries(catalogue):
        return {
            (e.msgctxt, e.msgid, e.msgstr, tuple(sorted(e.msgstr_plural.items())))
            for e in catalogue
            if e.msgid and not e.obsolete and (e.msgstr or any(e.msgstr_plural.values()))
        }

    po = entries(polib.pofile(str(PO)))
    assert po and entries(polib.mofile(str(MO))) == po, "run `make messages` to recompile"


@pytest.mark.gettext
def test_catalogue_has_every_string_of_the_code(tmp_path):
    """Extract the strings from a copy of the tree and compare them with the committed catalogue."""
    copy = tmp_path / "tree"
    ignore = shutil.ignore_patterns(
        ".venv", ".venv-bench", "var", "node_modules", ".git", "__pycache__", "vendor", "bench"
    )
    shutil.copytree(ROOT, copy, ignore=ignore)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "makemessages", "-l", "pl", "--no-obsolete", "--ignore=static"],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
        env={"DEBUG": "true", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    committed = {(e.msgctxt, e.msgid) for e in polib.pofile(str(PO)) if e.translated()}
    extracted = {(e.msgctxt, e.msgid) for e in polib.pofile(str(copy / PO.relative_to(ROOT)))}
    missing = sorted(msgid for _ctx, msgid in extracted - committed)
    assert not missing, f"{len(missing)} strings are not in the Polish catalogue (run `make messages`): {missing[:5]}"


def test_pages_render_in_polish(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 200
    assert '<html lang="pl">' in response.content.decode()
    assert "Zaloguj" in response.content.decode()
