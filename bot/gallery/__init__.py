"""Auria's gallery: a web page and a JSON API over her works (`auria serve`), and the same
pages as static files (`auria gallery export DIR`)."""
