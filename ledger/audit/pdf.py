"""The audit report as PDF where the machine can print one: headless Chromium (Debian's
package) prints the HTML report. The PDF carries its own creation time, so it is not
reproducible like the HTML; the anchor record hashes it as written, like every file."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking")


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def print_pdf(html: Path, pdf: Path, timeout: float = 120) -> bool:
    """Print ``html`` to ``pdf``; False (and no file) where no browser can print."""
    browser = chromium()
    if browser is None:
        return False
    with tempfile.TemporaryDirectory() as profile:
        args = [browser, *FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer"]
        args += [f"--print-to-pdf={pdf}", html.resolve().as_uri()]
        try:
            subprocess.run(args, capture_output=True, timeout=timeout, check=True)
        except (subprocess.SubprocessError, OSError):
            pdf.unlink(missing_ok=True)
            return False
    return pdf.exists() and pdf.stat().st_size > 0
