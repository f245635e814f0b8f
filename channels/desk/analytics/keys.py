"""Typed keys for the analytics' state on the desk application."""
from aiohttp import web

from channels.desk.analytics.summary import Updater

updater_key = web.AppKey("analytics_updater", Updater)
