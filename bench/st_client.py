"""A light client of Streamlit's browser protocol, standing in for browser tabs.

Used by the session and replica benchmarks and by the replica tests. One `Session` does what a
tab does, without drawing anything:

- GET the page and /_stcore/health over HTTP, keeping cookies like a browser (the proxy's
  route cookie, Streamlit's XSRF cookie, the app's sign-in cookie);
- open the websocket /_stcore/stream with those cookies and ask for script runs
  (BackMsg rerun_script with the widget values it holds), reading ForwardMsgs until the run's
  script_finished;
- keep the elements of the last run by their delta path (a later delta at the same path
  replaces an earlier one, as in the browser), so a test can read texts and tables;
- fill text inputs, tick checkboxes, press buttons, and upload a file the way the browser's
  file uploader does (file_urls_request, an HTTP PUT with the XSRF token, then a rerun);
- run the one script a browser would run on its own: the app's `document.cookie = '…'`
  assignment in an html element (that is how the sign-in cookie is set).

No timing assertions live here; callers measure what they need.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import io
import re
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

XSRF_COOKIE = "_streamlit_xsrf"
_JS_COOKIE = re.compile(r"document\.cookie\s*=\s*'([A-Za-z0-9_]+)=([^;']*);\s*Max-Age=(\d+)")
_WIDGETS = ("text_input", "button", "checkbox", "file_uploader", "selectbox", "download_button")


class ProtocolError(RuntimeError):
    """The server ended a run in a way a browser would show as an error."""


@dataclass
class Element:
    kind: str  # the Element oneof name: "markdown", "alert", "dataframe", "text_input" …
    proto: Any  # the element's own message (e.g. TextInput)
    fragment_id: str = ""

    @property
    def text(self) -> str:
        """The visible text of a text-like element ("" for others)."""
        for name in ("body", "label"):
            value = getattr(self.proto, name, None)
            if isinstance(value, str):
                return value
        return ""

    def table(self) -> Any:
        """A dataframe element's data as a pyarrow Table."""
        import pyarrow as pa

        data = self.proto.arrow_data.data if self.kind == "dataframe" else self.proto.data
        return pa.ipc.open_stream(io.BytesIO(data)).read_all()


@dataclass
class RunResult:
    seconds: float
    status: str  # "ok", "compile_error"
    auto_reruns: dict[str, float] = field(default_factory=dict)  # fragment id → interval


class Session:
    """One browser tab's worth of Streamlit session, over HTTP and one websocket."""

    def __init__(self, base_url: str, *, timeout: float = 180.0, jar: http.cookiejar.CookieJar | None = None) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.timeout = timeout
        self.jar = jar if jar is not None else http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.ws: Any = None
        self.session_id = ""
        self.elements: dict[tuple[int, ...], Element] = {}
        self.widgets: dict[str, Any] = {}  # widget id → WidgetState kept between runs
        self.page = ""
        self.query = ""
        self._file_urls: dict[str, Any] = {}

    # --- HTTP, with the browser's cookies -----------------------------------------------------

    def _get(self, path: str) -> bytes:
        with self._opener.open(self.base_url + path, timeout=self.timeout) as response:
            return response.read()

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def set_cookie(self, name: str, value: str) -> None:
        host = urllib.parse.urlsplit(self.base_url).hostname or "127.0.0.1"
        self.jar.set_cookie(
            http.cookiejar.Cookie(
                0, name, value, None, False, host, False, False, "/", True, False, None, False, None, None, {}
            )
        )

    def _cookie_header(self) -> str:
        request = urllib.request.Request(self.base_url)
        self.jar.add_cookie_header(request)
        return request.get_header("Cookie") or ""

    # --- the websocket --------------------------------------------------------------------------

    async def open(self, page: str = "", query: str = "") -> RunResult:
        """Load the page like a tab (HTML, health check, websocket) and wait for its first run."""
        start = time.monotonic()
        await asyncio.to_thread(self._get, page + (f"?{query}" if query else ""))
        await asyncio.to_thread(self._get, "_stcore/health")
        from websockets.asyncio.client import connect

        split = urllib.parse.urlsplit(self.base_url)
        ws_url = urllib.parse.urlunsplit(("ws", split.netloc, split.path + "_stcore/stream", "", ""))
        self.ws = await connect(
            ws_url,
            subprotocols=["streamlit", self.cookie(XSRF_COOKIE) or ""],
            origin=f"{split.scheme}://{split.netloc}",
            additional_headers={"Cookie": self._cookie_header()},
            max_size=None,
            open_timeout=self.timeout,
        )
        result = await self.run(page=page, query=query)
        result.seconds = time.monotonic() - start
        return result

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    async def _send(self, msg: BackMsg) -> None:
        await self.ws.send(msg.SerializeToString())

    async def run(
        self,
        *,
        page: str | None = None,
        query: str | None = None,
        triggers: tuple[str, ...] = (),
        fragment_id: str = "",
        auto: bool = False,
    ) -> RunResult:
        """Ask for a script run with the widget values held (plus one-shot `triggers`, button
        ids) and read until it finishes; st.rerun() inside it is followed to the final run."""
        self.page = self.page if page is None else page
        self.query = self.query if query is None else query
        msg = BackMsg()
        rerun = msg.rerun_script
        rerun.query_string = self.query
        rerun.page_script_hash = ""
        rerun.page_name = self.page
        for state in self.widgets.values():
            rerun.widget_states.widgets.add().CopyFrom(state)
        for widget_id in triggers:
            rerun.widget_states.widgets.add(id=widget_id, trigger_value=True)
        if fragment_id:
            rerun.fragment_id = fragment_id
            rerun.is_auto_rerun = auto
        start = time.monotonic()
        await self._send(msg)
        return await self._read_until_finished(start, fragment=bool(fragment_id))

    async def _read_until_finished(self, start: float, *, fragment: bool = False) -> RunResult:
        auto: dict[str, float] = {}
        deadline = start + self.timeout
        while True:
            data = await asyncio.wait_for(self.ws.recv(), timeout=max(deadline - time.monotonic(), 0.01))
            if isinstance(data, str):
                continue
            msg = ForwardMsg()
            msg.ParseFromString(data)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                self.session_id = msg.new_session.initialize.session_id or self.session_id
                if not fragment:
                    self.elements = {}
            elif kind == "delta":
                self._on_delta(msg)
            elif kind == "auto_rerun":
                auto[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
            elif kind == "file_urls_response":
                self._file_urls[msg.file_urls_response.response_id] = msg.file_urls_response
            elif kind == "script_finished":
                status = msg.script_finished
                if status in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY):
                    return RunResult(time.monotonic() - start, "ok", auto)
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    return RunResult(time.monotonic() - start, "compile_error", auto)
                # FINISHED_EARLY_FOR_RERUN: the script called st.rerun(); the next run follows

    def _on_delta(self, msg: ForwardMsg) -> None:
        delta = msg.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind is None:
            return
        item = Element(kind, getattr(element, kind), delta.fragment_id)
        self.elements[tuple(msg.metadata.delta_path)] = item
        if kind == "html":
            self._run_cookie_script(item.proto.body)

    def _run_cookie_script(self, body: str) -> None:
        """What a browser does with the app's cookie script: set (or, Max-Age 0, clear) it."""
        for name, value, max_age in _JS_COOKIE.findall(body):
            if int(max_age) == 0 or not value:
                self.jar.clear(urllib.parse.urlsplit(self.base_url).hostname or "127.0.0.1", "/", name)
            else:
                self.set_cookie(name, value)

    # --- reading the page -------------------------------------------------------------------------

    def of_kind(self, *kinds: str) -> list[Element]:
        return [e for _, e in sorted(self.elements.items()) if e.kind in kinds]

    def texts(self) -> list[str]:
        """Every heading, markdown, caption, alert and metric text of the last run, in page order."""
        out = []
        for e in self.of_kind("heading", "markdown", "alert", "text", "metric"):
            if e.kind == "metric":
                out.append(f"{e.proto.label} {e.proto.body}")
            else:
                out.append(e.text)
        return out

    def widget(self, kind: str, label: str) -> Element:
        found = [e for e in self.of_kind(kind) if e.proto.label == label]
        if not found:
            seen = [f"{e.kind}:{e.proto.label}" for e in self.of_kind(*_WIDGETS)]
            raise LookupError(f"no {kind} labelled {label!r} on the page; widgets: {seen}")
        return found[0]

    def tables(self) -> list[Any]:
        return [e.table() for e in self.of_kind("dataframe", "arrow_data_frame")]

    # --- acting on widgets ----------------------------------------------------------------------

    def fill(self, label: str, value: str) -> None:
        widget = self.widget("text_input", label)
        self.widgets[widget.proto.id] = _state(widget.proto.id, string_value=value)

    async def tick(self, label: str, value: bool = True) -> RunResult:
        """Tick (or clear) a checkbox; outside a form that reruns the script, as in a browser."""
        widget = self.widget("checkbox", label)
        self.widgets[widget.proto.id] = _state(widget.proto.id, bool_value=value)
        return await self.run()

    async def press(self, label: str) -> RunResult:
        """Press a button (or a form's submit button) and wait for the resulting run."""
        button = self.widget("button", label)
        if button.proto.disabled:
            raise ProtocolError(f"button {label!r} is disabled; the page says: {self.texts()}")
        return await self.run(triggers=(button.proto.id,))

    async def upload(self, label: str, name: str, data: bytes) -> RunResult:
        """Give the file uploader labelled `label` one file, as the browser's uploader does."""
        widget = self.widget("file_uploader", label)
        request_id = uuid.uuid4().hex
        msg = BackMsg()
        msg.file_urls_request.request_id = request_id
        msg.file_urls_request.file_names.append(name)
        msg.file_urls_request.session_id = self.session_id
        await self._send(msg)
        deadline = time.monotonic() + self.timeout
        while request_id not in self._file_urls:
            data_in = await asyncio.wait_for(self.ws.recv(), timeout=max(deadline - time.monotonic(), 0.01))
            if isinstance(data_in, str):
                continue
            reply = ForwardMsg()
            reply.ParseFromString(data_in)
            if reply.WhichOneof("type") == "file_urls_response":
                self._file_urls[reply.file_urls_response.response_id] = reply.file_urls_response
        response = self._file_urls.pop(request_id)
        if response.error_msg:
            raise ProtocolError(response.error_msg)
        urls = response.file_urls[0]
        await asyncio.to_thread(self._put_file, urls.upload_url, name, data)
        state = _state(widget.proto.id)
        info = state.file_uploader_state_value.uploaded_file_info.add()
        info.name, info.size, info.file_id = name, len(data), urls.file_id
        info.file_urls.CopyFrom(urls)
        self.widgets[widget.proto.id] = state
        return await self.run()

    def _put_file(self, upload_url: str, name: str, data: bytes) -> None:
        boundary = uuid.uuid4().hex
        # a browser sends the file name as UTF-8, with its quotes escaped
        quoted = name.replace('"', "%22")
        head = (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{quoted}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        body = head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
        url = urllib.parse.urljoin(self.base_url, upload_url)
        request = urllib.request.Request(url, data=body, method="PUT")
        request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
        request.add_header("X-Xsrftoken", self.cookie(XSRF_COOKIE) or "")
        with self._opener.open(request, timeout=self.timeout) as response:
            if response.status not in (200, 204):
                raise ProtocolError(f"upload answered {response.status}")


def _state(widget_id: str, **value: Any) -> Any:
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    state = WidgetState(id=widget_id)
    for name, v in value.items():
        setattr(state, name, v)
    return state
