"""Typed keys for the analytics' state on the desk application, and the small cache of chart numbers."""
from collections import OrderedDict
from typing import Hashable, Optional

from aiohttp import web

from channels.desk.analytics.figures import Series
from channels.desk.analytics.summary import Updater


class SeriesCache:
    """The numbers of the latest charts, by (chart, period, last event folded): a page's charts are drawn
    from what the page itself computed, unless new events came in meanwhile."""

    def __init__(self, size: int = 32):
        self.size, self._entries = size, OrderedDict()

    def get(self, key: Hashable) -> Optional[Series]:
        if key in self._entries:
            self._entries.move_to_end(key)
        return self._entries.get(key)

    def put(self, key: Hashable, series: Series) -> None:
        self._entries[key] = series
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        """After a purge, which changes old days without folding any event."""
        self._entries.clear()


updater_key = web.AppKey("analytics_updater", Updater)
series_key = web.AppKey("analytics_series", SeriesCache)
