"""Discovery hints shared by the workers of a run (``ArticleLedger.shared_hints``, ``crawler/discovery/ledger.py``).

An article found through several start points is fetched once, with the hints of all of them
merged (title, dates, language, lastmod). In one process the spider merges them in a dict; in a
distributed run the start points are parsed by different workers, so the merge happens in Redis,
first value wins per field, the same rule as the spider's.
"""

from __future__ import annotations

import json
from typing import Any

# KEYS: hints hash; ARGV: article key, JSON object. Returns 1 on the first sighting anywhere.
_MERGE = """
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  return 1
end
local merged = cjson.decode(current)
local changed = false
for name, value in pairs(cjson.decode(ARGV[2])) do
  local old = merged[name]
  if old == nil or old == cjson.null or old == '' or old == false then
    merged[name] = value
    changed = true
  end
end
if changed then redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(merged)) end
return 0
"""


class RedisHints:
    def __init__(self, client: Any, key: str) -> None:
        self.r = client
        self.key = key
        self._merge = client.register_script(_MERGE)

    def merge(self, url_key: str, hints: dict[str, Any]) -> bool:
        """Merge non-empty ``hints`` into the shared ones; True if this is the first sighting of ``url_key``."""
        values = {name: value for name, value in hints.items() if value}
        return bool(
            self._merge(keys=[self.key], args=[url_key, json.dumps(values, sort_keys=True)])
        )

    def get(self, url_key: str) -> dict[str, Any]:
        raw = self.r.hget(self.key, url_key)
        return dict(json.loads(raw)) if raw else {}
