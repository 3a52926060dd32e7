"""The `downloads` fixture: the bytes behind an AppTest download button."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MediaFileStorageError
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Callable[[AppTest, str], bytes]:
    """The bytes behind a download button, from the media files AppTest gives the run; a
    deferred download (made when clicked) is made here, as a click would."""
    managers: list[MediaFileManager] = []

    class Recording(MediaFileManager):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            managers.append(self)

    monkeypatch.setattr(app_test_module, "MediaFileManager", Recording)

    def get(at: AppTest, file_name: str) -> bytes:
        button = next(b for b in at.download_button if b.proto.label == f"下载 {file_name}")
        for manager in reversed(managers):
            try:
                url = button.proto.url or manager.execute_deferred(button.proto.deferred_file_id)
                return bytes(manager._storage.get_file(url.rsplit("/", 1)[1]).content)
            except MediaFileStorageError:
                continue
        raise AssertionError(f"no stored file for {file_name}")

    return get
