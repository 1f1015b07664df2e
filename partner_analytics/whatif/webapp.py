"""The what-if notebook served as a standalone web app with Voilà (no code shown), on 127.0.0.1.

`parameterised_notebook` writes a copy of `notebooks/what_if.ipynb` with the engagement and partner
set in a cell after its `parameters` cell (as papermill injects them), so the served notebook needs
no query string; `voila_command` is the command that serves it; `serve` runs it until interrupted.

Each page load starts a kernel; Voilà culls it once its page is closed (no connection left) and it
has been idle `cull_after_s` seconds, so kernels do not pile up while the server runs.

The app works offline: `offline_template` is Voilà's `lab` template without the Font Awesome
stylesheets it asks a CDN for (the app uses no icon), so the page makes no request outside the
machine and logs no error when there is no network.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from jupyter_core.paths import jupyter_path

from ..core.paths import NOTEBOOKS

__all__ = [
    "CULL_AFTER_S",
    "OFFLINE_TEMPLATE",
    "WHAT_IF_NOTEBOOK",
    "free_port",
    "offline_template",
    "parameterised_notebook",
    "serve",
    "voila_command",
    "voila_environment",
]

WHAT_IF_NOTEBOOK = NOTEBOOKS / "what_if.ipynb"
OFFLINE_TEMPLATE = "pa_what_if"


def offline_template(data_dir: Path) -> Path:
    """Write Voilà's `lab` template, less its CDN stylesheets, as the template `OFFLINE_TEMPLATE`
    under `data_dir` (a Jupyter data folder: add it to JUPYTER_PATH); return the template folder."""
    source = next(
        path
        for root in jupyter_path()
        if (path := Path(root) / "voila" / "templates" / "lab" / "index.html.j2").is_file()
    )
    text = re.sub(r"[ \t]*<link[^>]*https?://[^>]*>\n?", "", source.read_text(encoding="utf-8"))
    folder = Path(data_dir) / "voila" / "templates" / OFFLINE_TEMPLATE
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html.j2").write_text(text, encoding="utf-8")
    (folder / "conf.json").write_text(json.dumps({"base_template": "lab"}), encoding="utf-8")
    return folder


def parameterised_notebook(folder: Path, parameters: dict[str, str], notebook: Path = WHAT_IF_NOTEBOOK) -> Path:
    """A copy of `notebook` in `folder` with `parameters` assigned right after its parameters cell."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    index = next(i for i, c in enumerate(nb["cells"]) if "parameters" in c.get("metadata", {}).get("tags", []))
    source = "".join(f"{name} = {json.dumps(value)}\n" for name, value in parameters.items())
    cell = {
        "cell_type": "code",
        "execution_count": None,
        "id": "injected-parameters",
        "metadata": {"tags": ["injected-parameters"]},
        "outputs": [],
        "source": source,
    }
    nb["cells"].insert(index + 1, cell)
    out = Path(folder) / notebook.name
    out.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")
    return out


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CULL_AFTER_S = 60


def voila_command(notebook: Path, port: int, *, cull_after_s: int = CULL_AFTER_S) -> list[str]:
    """Voilà serving one notebook on 127.0.0.1:`port`, sources stripped, no browser opened, with the
    offline template (run it with `voila_environment`); the kernel of a closed page is shut down
    after `cull_after_s` seconds without activity (a page left open keeps its kernel)."""
    return [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",
        "--strip_sources=True",
        "--theme=light",
        f"--template={OFFLINE_TEMPLATE}",
        f"--MappingKernelManager.cull_idle_timeout={cull_after_s}",
        f"--MappingKernelManager.cull_interval={max(1, min(cull_after_s, 30) // 2)}",
        "--MappingKernelManager.cull_connected=False",
        "--MappingKernelManager.cull_busy=False",
    ]


def voila_environment(folder: Path) -> dict[str, str]:
    """The environment for `voila_command`: the offline template written under `folder`, found first."""
    data_dir = Path(folder) / "share"
    offline_template(data_dir)
    env = dict(os.environ)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(data_dir), env.get("JUPYTER_PATH", "")) if p)
    return env


def serve(
    engagement: Path,
    partner: str = "",
    port: int = 8866,
    *,
    scenarios: Path | None = None,
    cull_after_s: int = CULL_AFTER_S,
) -> int:
    """Serve the what-if app until interrupted; return Voilà's exit status. `scenarios`: the folder
    the app saves scenarios to (default: `scenarios/` of the current directory)."""
    scenarios = (scenarios or Path.cwd() / "scenarios").expanduser().resolve()
    with tempfile.TemporaryDirectory(prefix="pa-what-if-") as folder:
        parameters = {"engagement": str(engagement), "partner": partner, "scenarios": str(scenarios)}
        notebook = parameterised_notebook(Path(folder), parameters)
        print(f"what-if app on http://127.0.0.1:{port}/ (Ctrl-C stops it); scenarios saved to {scenarios}", flush=True)
        command = voila_command(notebook, port, cull_after_s=cull_after_s)
        process = subprocess.Popen(command, cwd=folder, env=voila_environment(Path(folder)))
        # SIGTERM stops Voilà cleanly (its kernels with it); pass it on rather than orphan them
        previous = signal.signal(signal.SIGTERM, lambda *_: process.terminate())
        try:
            return process.wait()
        except KeyboardInterrupt:
            process.terminate()
            try:
                return process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                return process.wait()
        finally:
            signal.signal(signal.SIGTERM, previous)
