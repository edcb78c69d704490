import subprocess
import sys

from tests.conftest import REPO_ROOT


def test_stdlib_platform_module_is_not_shadowed():
    """The web app's folder is called platform/: it must not hide the stdlib module."""
    result = subprocess.run(
        [sys.executable, "-c", "import platform; print(platform.__file__); print(platform.system())"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True,
    )
    module_file, system = result.stdout.split("\n")[:2]
    assert not module_file.startswith(str(REPO_ROOT)), module_file
    assert system  # e.g. "Linux"


def test_home_page_invites_to_log_in(client):
    response = client.get("/")
    assert b"Log in" in response.data
    assert response.status_code == 200
