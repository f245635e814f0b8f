"""Typed keys for the state the desk keeps on its application."""
from concurrent.futures import ThreadPoolExecutor

import aiohttp
import jinja2
from aiohttp import web
from sqlalchemy.orm import sessionmaker

from channels.config import ServerConfig

config_key = web.AppKey("config", ServerConfig)
db_key = web.AppKey("db", sessionmaker)  # sessions on the handoff database, one per request
templates_key = web.AppKey("templates", jinja2.Environment)
http_key = web.AppKey("http", aiohttp.ClientSession)
hashing_key = web.AppKey("hashing", ThreadPoolExecutor)  # password checks, off the event loop
