"""Every string shown to people has its Simplified Chinese text (X3)."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "huike" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_the_chinese_catalogue_is_complete():
    catalogue = polib.pofile(str(CATALOGUE))
    missing = [e.msgid for e in catalogue if not e.obsolete and not e.translated()]
    assert missing == []
    fuzzy = [e.msgid for e in catalogue if "fuzzy" in e.flags]
    assert fuzzy == []


def test_the_catalogue_holds_every_string_of_the_code(tmp_path):
    """Extract the strings afresh (Django's makemessages on a copy) and compare."""
    base = Path(settings.BASE_DIR)
    copy = tmp_path / "huike-copy"
    shutil.copytree(
        base / "huike", copy / "huike", ignore=shutil.ignore_patterns("__pycache__", "*.mo")
    )
    shutil.copy(base / "manage.py", copy / "manage.py")
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-obsolete",
            "--no-location",
        ],
        cwd=copy,
        capture_output=True,
        text=True,
        env={
            "PATH": "/usr/bin:/bin",
            "HUIKE_VAR_DIR": str(tmp_path / "var"),
            "DJANGO_SETTINGS_MODULE": "huike.settings.base",
        },
    )
    assert result.returncode == 0, result.stderr
    fresh = {e.msgid for e in polib.pofile(str(copy / CATALOGUE.relative_to(base)))}
    ours = {e.msgid for e in polib.pofile(str(CATALOGUE)) if not e.obsolete}
    assert sorted(fresh - ours) == []
