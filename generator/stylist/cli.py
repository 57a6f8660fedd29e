"""`auria styles ...`: import WikiArt Emotions paintings, list the moods, render the contact sheet."""
from __future__ import annotations

import time
from pathlib import Path

from core.errors import AuriaError


def register(subparsers) -> None:
    styles = subparsers.add_parser("styles", help="moods, the built-in styles and imported paintings")
    commands = styles.add_subparsers(dest="styles_command", metavar="COMMAND", required=True)

    imp = commands.add_parser(
        "import", help="register WikiArt Emotions paintings under their emotions",
        description="Read a WikiArt Emotions annotation file (WikiArt-Emotions-Ag4.tsv is the "
        "one its authors recommend) and register each painting whose image is in IMAGES_DIR "
        "(named by ID: ID.jpg, ID.jpeg or ID.png) under the emotions its image evokes. "
        "Importing again updates what changed and leaves the rest.",
    )
    imp.add_argument("tsv", metavar="TSV", help="a WikiArt Emotions annotation file")
    imp.add_argument("images_dir", metavar="IMAGES_DIR", help="folder of the paintings' images")
    imp.add_argument("--min-agreement", type=float, default=None, metavar="X",
                     help="an emotion counts at this ImageOnly value or above (default 0.4; "
                          "the 0/1 files are the same at any value in (0, 1])")
    imp.add_argument("--no-vectors", action="store_true",
                     help="do not compute the style vectors now (the daily run computes each once)")
    imp.set_defaults(func=cmd_styles_import)

    lst = commands.add_parser("list", help="the moods with their built-in styles and imported paintings")
    lst.set_defaults(func=cmd_styles_list)

    sheet = commands.add_parser("sheet", help="render the contact sheet of the 26 built-in styles")
    sheet.add_argument("out", metavar="OUT", help="image file to write, e.g. styles.jpg")
    sheet.set_defaults(func=cmd_styles_sheet)


def cmd_styles_import(args, config) -> int:
    from generator.stylist.network import Stylist, vector_cache_dir
    from generator.stylist.wikiart import MIN_AGREEMENT, import_paintings
    from state.store import open_store

    agreement = MIN_AGREEMENT if args.min_agreement is None else args.min_agreement
    if not 0 < agreement <= 1:
        raise AuriaError(f"--min-agreement must be in (0, 1], got {agreement}")
    started = time.perf_counter()
    stylist = None if args.no_vectors else Stylist(config.generator.device)
    db = open_store(config.db_path)
    report = import_paintings(
        db, Path(args.tsv), Path(args.images_dir), stylist=stylist,
        cache_dir=vector_cache_dir(config.data_dir), min_agreement=agreement,
    )
    print(report.summary())
    print(f"done in {time.perf_counter() - started:.1f} s")
    return 0


def cmd_styles_list(args, config) -> int:
    from generator.stylist.moods import MOODS, mood_table
    from state.paintings import count_paintings
    from state.store import open_store

    # Reading must not create a data folder.
    counts = count_paintings(open_store(config.db_path)) if config.db_path.exists() else {}
    table = mood_table()
    print(f"{'mood':<13} {'paintings':>9}  built-in styles")
    for mood in MOODS:
        styles = " ".join(str(i) for i in table.styles[mood])
        print(f"{mood:<13} {counts.get(mood, 0):>9}  {styles}")
    print("\nbuilt-in styles:")
    for index in sorted(table.palettes):
        print(f"{index:>3}  {table.look(index)}")
    return 0


def cmd_styles_sheet(args, config) -> int:
    from generator.stylist.network import Stylist
    from generator.stylist.sheet import render_contact_sheet

    out = Path(args.out)
    sheet = render_contact_sheet(Stylist(config.generator.device))
    try:
        sheet.save(out, quality=88, optimize=True)
    except (OSError, ValueError) as e:
        raise AuriaError(f"{out}: cannot write the contact sheet: {e}") from None
    print(f"contact sheet written to {out}")
    return 0
