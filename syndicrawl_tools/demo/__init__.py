"""The bundled demo web: fictional news sites served on 127.0.0.1 with a known ground truth.

- :mod:`syndicrawl_tools.demo.content` loads ``data/*.yaml`` and derives the copies;
- :mod:`syndicrawl_tools.demo.timeline` shifts the content's nominal (March 2026) dates and dated paths so
  the timeline ends just before the server's start time;
- :mod:`syndicrawl_tools.demo.truth` builds/loads ``data/truth.json`` (``load_truth``);
- :mod:`syndicrawl_tools.demo.server` serves every site (``DemoWeb``);
- ``sites/*.yaml`` are the registry configs of the demo sites.
"""

from pathlib import Path

SITES_DIR = Path(__file__).parent / "sites"


def demo_sites_dir() -> Path:
    """The demo web's site files (``syndicrawl_tools/demo/sites/``)."""
    return SITES_DIR
