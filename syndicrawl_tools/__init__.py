"""Tools around the product, not part of a production crawl: the bundled demo web
(``syndicrawl demo``), the benchmarks (``syndicrawl bench``) and the evaluation harnesses
(``syndicrawl eval``).

They are installed with the product by the same ``pip install -e .`` and add their commands to the
``syndicrawl`` console script through the ``syndicrawl.commands`` entry-point group
(``pyproject.toml``); the product packages (``crawler``, ``pipelines``) never import them.
"""
