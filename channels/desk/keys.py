"""Typed keys for the state the desk keeps on its application."""
from concurrent.futures import ThreadPoolExecutor

import aiohttp
import jinja2
from aiohttp import web
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from channels.config import ServerConfig
from channels.desk.delivery import Deliveries

config_key = web.AppKey("config", ServerConfig)
db_key = web.AppKey("db", sessionmaker)  # sessions on the handoff database, one per request
catalog_key = web.AppKey("catalog", sessionmaker)  # sessions on the catalog: program names in the analytics
tracker_key = web.AppKey("tracker", Engine)  # Rasa's tracker store, which the analytics only read
templates_key = web.AppKey("templates", jinja2.Environment)
http_key = web.AppKey("http", aiohttp.ClientSession)
hashing_key = web.AppKey("hashing", ThreadPoolExecutor)  # password checks, off the event loop
deliveries_key = web.AppKey("deliveries", Deliveries)  # coach replies and closes on their way to learners
