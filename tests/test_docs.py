"""Nothing configurable or runnable stays hidden: every command-line subcommand is in README.md."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from dashboard.__main__ import _parser as dashboard_parser
from etl.__main__ import _parser as etl_parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def subcommands(parser: argparse.ArgumentParser) -> list[str]:
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return sorted(action.choices)


@pytest.mark.parametrize(
    ("module", "parser"), [("etl", etl_parser), ("dashboard", dashboard_parser)], ids=["etl", "dashboard"]
)
def test_every_subcommand_is_documented(module: str, parser) -> None:
    # a table row names several commands at once ("`python -m etl user add|passwd|list`、`approve`")
    documented = set(re.findall(rf"python -m {module} ([a-z][a-z-]*)", README))
    documented |= set(re.findall(r"`([a-z][a-z-]*)`", README))
    missing = [name for name in subcommands(parser()) if name not in documented]
    assert missing == [], f"README.md 未说明这些子命令：python -m {module} {missing}"


def test_the_parsers_have_the_commands_people_use() -> None:
    assert {"build", "load", "template", "region", "approve", "assess"} <= set(subcommands(etl_parser()))
    assert {"progress", "report"} <= set(subcommands(dashboard_parser()))


def _all_parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _all_parsers(sub, (*path, name))


@pytest.mark.parametrize("make", [etl_parser, dashboard_parser], ids=["etl", "dashboard"])
def test_every_commands_help_prints(make) -> None:
    """`--help` formats each option's help with %: a bare % (as in a unit, "%、‰") breaks it."""
    for path, parser in _all_parsers(make()):
        text = parser.format_help()
        assert text.startswith("用法：python -m "), path
        # argparse's own words are Chinese too
        assert not {"usage:", "options:", "positional arguments", "show this help"} & set(
            re.findall(r"[a-z ]+:?", text)
        ), path


def test_command_line_errors_are_chinese(capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        etl_parser().parse_args(["load"])
    assert stop.value.code == 2
    assert capsys.readouterr().err.endswith("python -m etl load：错误：缺少必填参数：文件\n")
    with pytest.raises(SystemExit):
        dashboard_parser().parse_args(["progress", "--plan", "两纲", "--year"])
    assert capsys.readouterr().err.endswith("python -m dashboard progress：错误：参数 --year：需要一个值\n")
