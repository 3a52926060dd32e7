"""Who may sign in to the app: users, roles, units and argon2 password hashes, in a TOML file.

Users are configuration the office edits, not data: they live in `data/config/users.toml`
(never committed; `users.example.toml` shows the format) and never in the database. Passwords
are stored only as argon2id hashes written by the command line (`python -m etl user …`); the
command edits the user's own table in place so the office's comments survive.
"""

from __future__ import annotations

import argparse
import functools
import getpass
import json
import os
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from etl.core import settings
from etl.core.text import squash

if TYPE_CHECKING:
    import polars as pl

ROLE_OFFICE = "office"
ROLE_UNIT = "unit"
ROLE_LEADER = "leader"
ROLES: dict[str, str] = {ROLE_OFFICE: "妇儿工委办", ROLE_UNIT: "成员单位", ROLE_LEADER: "领导"}

MIN_PASSWORD_LENGTH = 10
_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,40}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class UsersFileError(ValueError):
    """The users file cannot be used; the message is Chinese and names the file and user."""


@dataclass(frozen=True)
class User:
    username: str
    role: str  # ROLE_*
    display_name: str
    unit_code: str | None = None  # member_unit.code, for ROLE_UNIT
    email: str | None = None  # matched against st.user.email when OIDC sign-in is used
    password_hash: str | None = field(default=None, repr=False)

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def actor(self) -> str:
        """How this user is named in the audit trail and approval records."""
        return f"{self.display_name}（{self.username}）"


@dataclass(frozen=True)
class UsersConfig:
    path: Path
    exists: bool
    users: dict[str, User] = field(default_factory=dict)
    public_briefing: bool = False  # [access] public_briefing: 领导看板可不登录查看

    @property
    def configured(self) -> bool:
        """At least one user can sign in with a password (OIDC sign-in is decided by the app)."""
        return any(u.password_hash for u in self.users.values())


def users_file() -> Path:
    return Path(settings.get("users_file"))


@functools.cache
def _unit_codes() -> dict[str, str]:
    """Member-unit code for every code, name and alias in the catalogue (squashed text → code)."""
    from etl.returns.load import unit_names_index

    return unit_names_index(_units())


@functools.cache
def _units() -> pl.DataFrame:
    """The member units of the catalogue (code, name, aliases), read once."""
    import polars as pl

    return pl.read_csv(settings.DATA_DIR / "catalogue" / "units.csv", infer_schema=False)


def _unit_name(code: str) -> str:
    """A member unit's name for people (教育局, not education), from the catalogue."""
    units = _units()
    return dict(zip(units["code"], units["name"], strict=True)).get(code, code)


def load_users(path: Path | None = None) -> UsersConfig:
    """Read the users file; a missing file is an empty configuration, a broken one an error."""
    path = Path(path or users_file())
    if not path.is_file():
        return UsersConfig(path=path, exists=False)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsersFileError(f"用户配置文件 {path} 格式有误：{exc}") from exc
    access = data.get("access", {})
    users: dict[str, User] = {}
    for username, entry in (data.get("users") or {}).items():
        users[username] = _user(path, username, entry)
    return UsersConfig(path=path, exists=True, users=users, public_briefing=bool(access.get("public_briefing", False)))


def _user(path: Path, username: str, entry: Any) -> User:
    where = f"用户配置文件 {path} 中的用户“{username}”"
    if not isinstance(entry, dict):
        raise UsersFileError(f"{where}应是一个表（[users.{username}]）")
    role = entry.get("role")
    if role not in ROLES:
        raise UsersFileError(f"{where}的角色“{role}”无效（可用：{'、'.join(f'{k}（{v}）' for k, v in ROLES.items())}）")
    unit = entry.get("unit") or None
    if role == ROLE_UNIT and not unit:
        raise UsersFileError(f"{where}是成员单位用户，但没有填写 unit（成员单位代码）")
    if unit is not None:  # the office may write the unit's name by hand; store and compare codes
        code = _unit_codes().get(squash(str(unit)))
        if code is None:
            raise UsersFileError(f"{where}的成员单位“{unit}”不在 data/catalogue/units.csv 中")
        unit = code
    pw = entry.get("password_hash") or None
    if pw is not None and not str(pw).startswith("$argon2"):
        raise UsersFileError(
            f"{where}的 password_hash 不是 argon2 哈希；请用 python -m etl user passwd {username} 设置密码"
        )
    return User(
        username=username,
        role=role,
        display_name=entry.get("name") or username,
        unit_code=unit,
        email=(entry.get("email") or None),
        password_hash=pw,
    )


# --- passwords -------------------------------------------------------------------------------

# argon2id with the library's RFC 9106 defaults; sign-in checks with the same configuration
_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    """Whether `password` is the one `password_hash` was made from (False for a malformed hash)."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_problem(username: str, password: str) -> str | None:
    """Why a new password is not acceptable (Chinese), or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符"
    if username.lower() in password.lower():
        return "密码不能包含用户名"
    if len(set(password)) < 4:
        return "密码过于简单"
    return None


# --- editing the file ------------------------------------------------------------------------


def _toml_string(value: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes; control characters are refused
    # before we get here, so the two agree.
    return json.dumps(value, ensure_ascii=False)


def _header(username: str) -> re.Pattern[str]:
    name = re.escape(username)
    return re.compile(rf'^\s*\[\s*users\s*\.\s*(?:{name}|"{name}")\s*\]\s*(?:#.*)?$')


def _upsert(text: str, username: str, fields: dict[str, str]) -> str:
    """Set `fields` in [users.<username>], keeping every other line (and comment) as it is."""
    lines = text.splitlines()
    header = _header(username)
    start = next((i for i, line in enumerate(lines) if header.match(line)), None)
    if start is None:
        block = ["", f"[users.{username}]", *(f"{k} = {_toml_string(v)}" for k, v in fields.items())]
        while lines and not lines[-1].strip():
            lines.pop()
        return "\n".join(lines + block) + "\n"
    end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")), len(lines))
    for key, value in fields.items():
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        hit = next((i for i in range(start + 1, end) if pattern.match(lines[i])), None)
        new_line = f"{key} = {_toml_string(value)}"
        if hit is None:  # key order does not matter in TOML: put it right under the header
            lines.insert(start + 1, new_line)
            end += 1
        else:
            lines[hit] = new_line
    return "\n".join(lines) + "\n"


def _write_private(path: Path, text: str) -> None:
    """Write the users file atomically, readable by its owner only (it holds password hashes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


_NEW_FILE = """\
# 妇儿规划监测看板 用户配置（由 python -m etl user 命令维护，可手工编辑角色、单位和姓名）。
# 密码只以 argon2 哈希保存；不要把本文件提交到版本库。格式见 users.example.toml。

[access]
public_briefing = false  # true：领导看板无需登录即可查看
"""


def set_user(
    path: Path | None,
    username: str,
    *,
    role: str | None = None,
    unit: str | None = None,
    name: str | None = None,
    email: str | None = None,
    password: str | None = None,
) -> User:
    """Add a user or change one (only the fields given); returns the user as read back."""
    path = Path(path or users_file())
    if not _USERNAME.match(username):
        raise UsersFileError(f"用户名“{username}”无效：请用 2—40 个英文字母、数字或 _ . -")
    config = load_users(path)
    existing = config.users.get(username)
    if existing is None and role is None:
        raise UsersFileError(f"用户“{username}”不存在；新增用户时需用 --role 指定角色")
    fields: dict[str, str] = {}
    if role is not None:
        if role not in ROLES:
            raise UsersFileError(f"角色“{role}”无效（可用：{'、'.join(ROLES)}）")
        fields["role"] = role
    if unit is not None:
        code = _unit_codes().get(squash(unit))
        if code is None:
            raise UsersFileError(f"未知成员单位“{unit}”（见 data/catalogue/units.csv）")
        fields["unit"] = code
    for key, value in (("name", name), ("email", email)):
        if value is not None:
            if _CONTROL.search(value):
                raise UsersFileError(f"{key} 中不能有控制字符")
            fields[key] = value
    if password is not None:
        problem = password_problem(username, password)
        if problem:
            raise UsersFileError(problem)
        fields["password_hash"] = hash_password(password)
    text = path.read_text(encoding="utf-8") if path.is_file() else _NEW_FILE
    new_text = _upsert(text, username, fields)
    try:  # never write a file the app could not read back
        data = tomllib.loads(new_text)
        user = _user(path, username, data["users"][username])
    except (tomllib.TOMLDecodeError, KeyError) as exc:
        raise UsersFileError(f"无法安全地修改 {path}（{exc}），请手工检查该文件") from exc
    _write_private(path, new_text)
    return user


# --- command line ----------------------------------------------------------------------------


def say(console: Any, text: str, style: str | None = None) -> None:
    # plain text: messages carry file names and "[users.x]"-like text that is not markup, and
    # are Chinese sentences that must not be number-highlighted or hard-wrapped
    console.print(text, style=style, markup=False, highlight=False, soft_wrap=True)


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("新密码：")
    if first != getpass.getpass("再输入一次："):
        raise UsersFileError("两次输入的密码不一致")
    return first


def cmd_user(args: argparse.Namespace, console: Any) -> int:
    path = Path(args.users_file) if args.users_file else users_file()
    try:
        if args.user_command == "list":
            config = load_users(path)
            if not config.exists:
                say(console, f"用户配置文件 {path} 不存在；用 python -m etl user add 新增用户")
                return 0
            for u in config.users.values():
                sign_in = "已设密码" if u.password_hash else ("统一身份认证" if u.email else "未设密码")
                unit = _unit_name(u.unit_code) if u.unit_code else ""
                say(console, f"{u.username}\t{u.role_label}\t{u.display_name}\t{unit}\t{sign_in}")
            return 0
        adding = args.user_command == "add"
        if adding and args.role == ROLE_UNIT and not args.unit:  # say so before asking for a password
            raise UsersFileError("成员单位用户需用 --unit 指定所属单位")
        password = None if adding and args.no_password else _read_password(args)
        if adding:
            user = set_user(
                path, args.username, role=args.role, unit=args.unit, name=args.name, email=args.email, password=password
            )
            unit_text = f"，{_unit_name(user.unit_code)}" if user.unit_code else ""
            say(console, f"已保存用户 {user.username}（{user.role_label}{unit_text}）到 {path}")
        else:
            user = set_user(path, args.username, password=password)
            say(console, f"已重设用户 {user.username} 的密码（{path}）")
        return 0
    except UsersFileError as exc:
        say(console, str(exc), "red")
        return 2


def register_cli(subparsers: Any) -> None:
    """Add `user add|passwd|list` to the `python -m etl` parser."""
    u = subparsers.add_parser("user", help="管理看板用户（新增用户、重设密码、列出用户）")
    u.add_argument("--users-file", help="用户配置文件（默认 FUER_USERS_FILE 或 data/config/users.toml）")
    us = u.add_subparsers(dest="user_command", metavar="子命令", required=True)
    add = us.add_parser("add", help="新增或修改用户（会提示输入密码）")
    add.add_argument("username", help="登录名（英文字母、数字或 _ . -）")
    add.add_argument("--role", required=True, choices=sorted(ROLES), help="office 工委办 | unit 成员单位 | leader 领导")
    add.add_argument("--unit", help="成员单位（名称或代码），角色为 unit 时必填")
    add.add_argument("--name", help="显示名称，如“卫健委 张三”")
    add.add_argument("--email", help="使用统一身份认证（OIDC）登录时的电子邮箱")
    add.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（一行）")
    add.add_argument("--no-password", action="store_true", help="不设密码（只用统一身份认证登录）")
    pw = us.add_parser("passwd", help="重设用户密码")
    pw.add_argument("username")
    pw.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（一行）")
    us.add_parser("list", help="列出用户（不显示密码哈希）")
    u.set_defaults(handler=cmd_user)
