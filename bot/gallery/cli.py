"""`auria serve` and `auria gallery export DIR`."""
from __future__ import annotations

import gc
from pathlib import Path


def register(subparsers) -> None:
    serve = subparsers.add_parser("serve", help="the gallery: a web page and a JSON API over the works")
    serve.add_argument("--host", help="address to listen on (default gallery.host, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default gallery.port, 8080)")
    serve.set_defaults(func=cmd_serve)
    gallery = subparsers.add_parser("gallery", help="the gallery as static files")
    commands = gallery.add_subparsers(dest="gallery_command", metavar="COMMAND", required=True)
    export = commands.add_parser("export", help="write the gallery's pages, pictures and JSON into DIR")
    export.add_argument("out", metavar="DIR")
    export.set_defaults(func=cmd_export)


def cmd_serve(args, config) -> int:
    import uvicorn

    from core.errors import AuriaError
    from bot.gallery.app import create_app
    from core.secrets import get_secret
    from state.store import open_store_readonly

    host = args.host or config.gallery.host
    port = config.gallery.port if args.port is None else args.port
    if not 0 < port < 65536:
        raise AuriaError(f"--port must be from 1 to 65535, got {port}")
    app = create_app(config, open_store_readonly(config.db_path), token=get_secret("gallery_token"))
    # The imports above are long-lived: moved out of the collector's sight, a full collection
    # no longer walks them (it took ~35 ms here, a pause for every request in flight).
    gc.collect()
    gc.freeze()
    # log_config=None: uvicorn's lines go through Auria's handler (plain or JSON, secrets masked).
    uvicorn.run(app, host=host, port=port, log_config=None, server_header=False)
    return 0


def cmd_export(args, config) -> int:
    from bot.gallery.export import export_gallery
    from state.store import open_store_readonly

    out = Path(args.out)
    counts = export_gallery(config, open_store_readonly(config.db_path), out)
    print(f"{out}: {counts['works']} works on {counts['pages']} pages, {counts['pictures']} pictures copied")
    return 0
