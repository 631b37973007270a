"""The README documents what a user can set and run: every setting, every command."""

from __future__ import annotations

from pathlib import Path

from duikou_kg.cli import main
from duikou_kg.config import settings_table

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme():
    missing = [row.env for row in settings_table() if f"`{row.env}`" not in README]
    assert missing == []


def test_every_command_is_in_the_readme():
    missing = [name for name in main.commands if f"duikou-kg {name}" not in README]
    assert missing == []


def test_the_readme_starts_with_the_two_set_up_commands():
    first_block = README.split("```", 2)[1]
    assert "./scripts/setup.sh && .venv/bin/duikou-kg serve" in first_block
    assert "./scripts/setup.sh --test && .venv/bin/python -m pytest" in first_block
