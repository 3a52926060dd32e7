"""Streamlit side of sign-in: the sign-in page, the account box, page gating by role.

Decisions (passwords, backoff, expiry, who may open what) are made in `dashboard.auth.sessions`; this
module only keeps the signed-in state in `st.session_state` and draws widgets. When an OIDC
provider is configured in `.streamlit/secrets.toml` (`[auth]`), Streamlit's own `st.login`
replaces the password form and the identity's e-mail is matched to a user in the users file.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Sequence
from pathlib import Path

import streamlit as st

from dashboard.auth import sessions as auth
from dashboard.queries import db
from dashboard.render.markdown import md_escape
from dashboard.ui.session import db_path
from etl.workflow.users import User, UsersConfig, UsersFileError, load_users, users_file

SESSION_KEY = "fuer_signed_in"
NOTICE_KEY = "fuer_sign_in_notice"
CLEAR_COOKIE_KEY = "fuer_clear_cookie"
NOT_FOUND_KEY = "fuer_page_not_found"


def _secret() -> bytes:
    path = users_file()
    return auth.session_secret(path.with_name(path.name + ".session-key"))


def _revocations() -> Path:
    """Sign-outs shared by every app process (replica) that reads this users file."""
    path = users_file()
    return path.with_name(path.name + ".revoked")


def _cookie_token() -> str | None:
    try:
        return st.context.cookies.get(auth.SESSION_COOKIE)
    except Exception:  # noqa: BLE001 - no browser request behind this run (tests, bare mode)
        return None


def _restore(config: UsersConfig, now: float) -> auth.SignedIn | None:
    """The session a valid cookie stands for (a reload or a new tab), else None."""
    max_age, idle = auth.session_limits()
    found = auth.read_session_token(_secret(), _cookie_token(), now, max_age=max_age, idle=idle, revoked=_revocations())
    if found is None or found[0] not in config.users:
        return None
    record = auth.SignedIn(found[0], found[1], now)
    st.session_state[SESSION_KEY] = record
    return record


def _set_cookie(value: str, max_age: int) -> None:
    # SameSite=Strict: never sent with another site's request; Secure whenever served over TLS
    st.sidebar.html(
        "<script>document.cookie = '"
        + auth.SESSION_COOKIE
        + "="
        + value
        + "; Max-Age="
        + str(max_age)
        + "; Path=/; SameSite=Strict' + (location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
    )


def _keep_cookie(record: auth.SignedIn) -> None:
    """Renew the signed session cookie on every run: idle time restarts, the maximum does not."""
    _, idle = auth.session_limits()
    now = time.time()
    _set_cookie(auth.session_token(_secret(), record.username, record.started, now), int(idle))


def _session_id() -> str:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else "no-session"


def oidc_configured() -> bool:
    """An `[auth]` section in secrets.toml means sign-in goes through st.login."""
    try:
        return bool(st.secrets.load_if_toml_exists() and "auth" in st.secrets)
    except Exception:  # noqa: BLE001 - unreadable secrets: fall back to passwords, never crash
        return False


def users_config() -> UsersConfig:
    """The users file; a broken one stops the app with the reason (fail closed)."""
    try:
        return load_users()
    except UsersFileError as exc:
        st.error(f"{md_escape(exc)}。在修正之前任何人都无法登录。")
        st.stop()
        raise  # unreachable: st.stop ends the run


def _end_session(reason: str | None) -> None:
    st.session_state.pop(SESSION_KEY, None)
    if reason:
        st.session_state[NOTICE_KEY] = reason


def current_user(config: UsersConfig | None = None) -> User | None:
    """The signed-in user of this browser session, or None (also once the session expired)."""
    config = config or users_config()
    now = time.time()
    record: auth.SignedIn | None = st.session_state.get(SESSION_KEY)
    if oidc_configured():
        if not st.user.is_logged_in:
            _end_session(None)
            return None
        user = auth.user_for_email(config, st.user.get("email"))
        if user is None:
            return None
        if record is None or record.username != user.username:
            record = auth.SignedIn(user.username, now, now)
            st.session_state[SESSION_KEY] = record
    if record is None and not oidc_configured():
        record = _restore(config, now)
    if record is None:
        return None
    user = config.users.get(record.username)
    if user is None:  # removed from the users file since signing in
        _end_session("您的账号已被停用，请联系妇儿工委办。")
        return None
    max_age, idle = auth.session_limits()
    reason = record.expiry_reason(now, max_age=max_age, idle=idle)
    if reason:
        _end_session(reason)
        if oidc_configured():
            st.logout()
        return None
    record.last_seen = now
    return user


def sign_in_page() -> None:
    """The 登录 page: a password form, or the OIDC button when a provider is configured."""
    st.title("登录")
    if st.session_state.pop(CLEAR_COOKIE_KEY, False):
        _set_cookie("", 0)
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.info(md_escape(notice))
    config = users_config()
    if oidc_configured():
        if st.user.is_logged_in:
            st.error(f"账号 {md_escape(st.user.get('email') or '')} 尚未在用户配置中登记，请联系妇儿工委办开通。")
            st.button("退出", on_click=st.logout, key="oidc_logout")
        elif importlib.util.find_spec("authlib") is None:  # st.login needs it (streamlit[auth])
            st.error(
                "已配置统一身份认证（secrets.toml 的 [auth]），但服务器未安装 Authlib，暂时无法登录。"
                "请管理员安装 streamlit[auth] 的依赖。"
            )
        else:
            st.button("使用统一身份认证登录", on_click=st.login, key="oidc_login", type="primary")
        return
    st.caption("请使用妇儿工委办分配的账号登录。连续输错密码会被暂时禁止登录。")
    # clear_on_submit: the password must not linger in the session state after the form is sent
    with st.form("signin", clear_on_submit=True):
        username = st.text_input("用户名", key="signin_username")
        password = st.text_input("密码", type="password", key="signin_password")
        submitted = st.form_submit_button("登录", key="signin_submit", type="primary")
    if not submitted:
        return
    result = auth.sign_in(config, username, password, session_id=_session_id())
    if result.user is None:
        st.error(md_escape(result.message))
        return
    now = time.time()
    st.session_state[SESSION_KEY] = auth.SignedIn(result.user.username, now, now)
    st.rerun()


def sign_out() -> None:
    record: auth.SignedIn | None = st.session_state.get(SESSION_KEY)
    if record is not None:
        auth.revoke_sessions(record.username, time.time(), _revocations())
    st.session_state[CLEAR_COOKIE_KEY] = True
    _end_session("您已退出登录。")
    if oidc_configured():
        st.logout()


def account_box(user: User) -> None:
    """Who is signed in, in the sidebar, with the sign-out button."""
    unit = f" · {unit_name(user.unit_code)}" if user.unit_code else ""
    st.sidebar.caption(f"已登录：{user.display_name}（{user.role_label}{unit}）")
    st.sidebar.button("退出登录", on_click=sign_out, key="signout", icon=":material/logout:")
    record = st.session_state.get(SESSION_KEY)
    if record is not None and not oidc_configured():
        _keep_cookie(record)


def unit_name(code: str) -> str:
    """A member unit's name for people (卫生健康委, not health)."""
    try:
        name = db.scalar(db_path(), "SELECT name FROM member_unit WHERE code = $c", {"c": code})
    except Exception:  # noqa: BLE001 - no database yet: the code is better than nothing
        name = None
    return name or code


def signed_out(pages: Sequence[st.Page]) -> list[st.Page]:
    """Every page's address answers with the sign-in form while nobody is signed in, so a deep
    link (/indicator?…) keeps its path and parameters and opens once the user has signed in."""
    out = []
    for i, page in enumerate(pages):
        out.append(
            st.Page(
                sign_in_page, title="登录", icon=":material/login:", url_path=page.url_path or "signin", default=i == 0
            )
        )
    return out


def gate(
    read_pages: Sequence[st.Page],
    *,
    upload: st.Page,
    review: st.Page,
    data: st.Page,
    public: Sequence[st.Page] = (),
    targets: st.Page | None = None,
) -> list[st.Page]:
    """The pages this session may see, for st.navigation.

    No users configured: the reading pages and 数据 as before, and no way to change data. Users
    configured: the sign-in page (plus `public`, e.g. the briefing, when the office enabled
    `public_briefing`) until someone signs in; then the reading pages plus the pages the role
    allows. Each page checks the role again itself (`require`).
    """
    config = users_config()
    if not config.configured and not oidc_configured():
        st.sidebar.caption("尚未配置用户：各页面只读开放，数据填报与审核未开放（用 python -m etl user add 添加用户）。")
        return [*read_pages, data]
    user = current_user(config)
    if user is None:
        shown = list(public) if config.public_briefing else []
        rest = [p for p in [*read_pages, upload, review, data] if p not in shown]
        if shown:
            signin = st.Page(sign_in_page, title="登录", icon=":material/login:", url_path="signin")
            return [
                *shown,
                signin,
                *(
                    st.Page(sign_in_page, title="登录", icon=":material/login:", url_path=p.url_path)
                    for p in rest
                    if p.url_path
                ),
            ]
        return signed_out(rest)
    account_box(user)
    pages = list(read_pages)
    if auth.may(user, "data"):
        pages.append(data)
    if auth.may(user, "upload"):
        pages.append(upload)
    if auth.may(user, "review"):
        pages.append(review)
    if targets is not None and auth.may(user, "targets"):
        pages.append(targets)
    return pages


def require(page: str, *, open_without_users: bool = False) -> User | None:
    """The signed-in user if their role may open `page` (auth.PAGE_ROLES); otherwise stop here.

    `open_without_users`: a reading page that stays open (None) while no users are configured.
    """
    config = users_config()
    if not config.configured and not oidc_configured():
        if open_without_users:
            return None
        st.info("尚未配置用户，数据填报与审核未开放。请妇儿工委办用 python -m etl user add 添加用户。")
        st.stop()
    user = current_user(config)
    if user is None:
        st.warning("请先登录。")
        st.stop()
    if not auth.may(user, page):
        st.error(f"您的角色（{user.role_label}）不能使用此页面。")
        st.stop()
    return user


def note_page_not_found(_ctx: object) -> None:
    """Stands in for Streamlit's own "Page not found" dialog (English): remember it, and the
    app says so in Chinese above the page it falls back to."""
    st.session_state[NOT_FOUND_KEY] = True


def navigate(pages: list[st.Page]) -> st.Page:
    """st.navigation over the gated pages: hidden while signed out (every address is the sign-in
    form then), with a link to sign in beside a public briefing; then the not-found notice."""
    sign_in = [p for p in pages if p.title == "登录"]
    page = st.navigation(pages, position="hidden" if sign_in else "sidebar")
    if sign_in and len(sign_in) < len(pages):
        st.sidebar.page_link(sign_in[0], label="登录", icon=":material/login:")
    if st.session_state.pop(NOT_FOUND_KEY, False):
        st.warning("链接中的页面不存在，或您的账号无权打开该页面，已转到首页。", icon=":material/link_off:")
    return page
