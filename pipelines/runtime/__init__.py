"""The crawl's runtime plumbing, apart from the stages it serves.

- :mod:`pipelines.runtime.pool`: the process pool the stages send their CPU-bound work to;
- :mod:`pipelines.runtime.worker_process`: one worker process and its pipes, driven from the reactor;
- :mod:`pipelines.runtime.preload`: the forkserver's warm-up, so forked workers start ready;
- :mod:`pipelines.runtime.prework`: the clean and syndication stages' pure work done ahead in a worker;
- :mod:`pipelines.runtime.gc_tuning`: fewer garbage collections in the crawl process.
"""
