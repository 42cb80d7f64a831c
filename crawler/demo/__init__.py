"""The bundled demo web: fictional news sites served on 127.0.0.1 with a known ground truth.

- :mod:`crawler.demo.content` loads ``data/*.yaml`` and derives the copies;
- :mod:`crawler.demo.timeline` shifts the content's nominal (March 2026) dates and dated paths so
  the timeline ends just before the server's start time;
- :mod:`crawler.demo.truth` builds/loads ``data/truth.json`` (``load_truth``);
- :mod:`crawler.demo.server` serves every site (``DemoWeb``);
- ``sites/*.yaml`` are the registry configs of the demo sites.
"""
