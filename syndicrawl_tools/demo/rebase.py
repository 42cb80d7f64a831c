"""Write the demo site files pointed at a running demo web, for ``syndicrawl crawl --sites DIR``.

The bundled files carry ``base_url: http://demo.invalid/``; each copy gets the site's served
``base_url`` and ``domains: [127.0.0.1:PORT]`` (each demo site is its own origin).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from syndicrawl_tools.demo import demo_sites_dir


def write_site_files(base_urls: Mapping[str, str], folder: Path | str) -> Path:
    """Copies of the demo site files in ``folder`` with each site's served base URL."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    for source in sorted(demo_sites_dir().glob("*.yaml")):
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        base_url = base_urls[data["name"]]
        data["base_url"] = base_url
        data["domains"] = [urlsplit(base_url).netloc]
        (target / source.name).write_text(
            yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
    return target
