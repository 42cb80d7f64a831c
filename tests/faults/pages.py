"""Bodies the fault server serves: healthy article pages (our own text) and the bad inputs.

Every article is built by :func:`article_html` from a title and paragraphs written for these
tests. Pages in legacy encodings are the same template encoded with that codec.
"""

from __future__ import annotations

import gzip
import html
import io
import zlib
from collections.abc import Iterator

# Healthy stories: (slug, title, paragraphs). Each is long enough for the extract stage.
STORIES: list[tuple[str, str, list[str]]] = [
    (
        "tide-gauge",
        "Harbour tide gauge replaced after forty years",
        [
            "The brass tide gauge on the east pier of Saltmarsh harbour was lifted out by crane on Monday, "
            "ending four decades of service that began when the pier itself was rebuilt.",
            "Engineers from the port authority fitted a radar sensor in its place. It reports the water "
            "level every minute to the harbour office and to a public page used by local fishing crews.",
            "The old gauge will be cleaned and shown in the lifeboat museum, where volunteers say it will "
            "sit beside the first logbook that recorded its readings by hand.",
        ],
    ),
    (
        "orchard-frost",
        "Late frost trims the apple crop in the upper valley",
        [
            "Growers in the upper valley expect about a fifth fewer apples this autumn after two nights of "
            "frost arrived just as the blossom opened in the second week of April.",
            "Orchards on the lower slopes escaped most of the damage because cold air drained past them "
            "toward the river, one grower explained while showing browned flowers on a test branch.",
            "The cooperative says prices at the farm gate should stay steady, since the pear harvest on the "
            "same farms looks larger than last year and will make up part of the difference.",
        ],
    ),
    (
        "night-bus",
        "Night bus route to the hospital starts next month",
        [
            "A night bus linking the railway station with the county hospital will run every forty minutes "
            "from midnight until five in the morning, starting on the first Monday of next month.",
            "Nurses and porters asked for the route in a petition signed by more than six hundred staff who "
            "finish late shifts after the last regular service has left.",
            "The operator has leased two electric buses for the trial and will publish passenger numbers "
            "after three months, when councillors decide whether to fund the route for a full year.",
        ],
    ),
    (
        "chess-club",
        "Village chess club wins the county league at last",
        [
            "The chess club that meets above the Millrace bakery has won the county league for the first "
            "time since it was founded, finishing one point ahead of the university team.",
            "Its youngest player, a fourteen-year-old who joined during the winter, won all six of her "
            "games on the top board, including a long endgame in the final round.",
            "The club plans to spend its small prize on new clocks and on a coach to take members to the "
            "regional rapid tournament in the spring, where juniors play for free.",
        ],
    ),
    (
        "footbridge",
        "Footbridge over the canal reopens with a wider deck",
        [
            "Walkers and cyclists can cross the canal at Lock Seven again after the wooden footbridge was "
            "replaced with a steel span that is almost twice as wide as the old one.",
            "The work took eleven weeks instead of the planned eight because divers found the old footings "
            "had shifted and had to be cut out before new piles could be driven.",
            "Boaters were asked to moor short of the lock during the closure, and the canal trust thanked "
            "residents for their patience in a note pinned to the railings on Friday.",
        ],
    ),
    (
        "seed-library",
        "Seed library opens in the town hall lobby",
        [
            "Gardeners can now borrow seeds from a cabinet of small drawers in the town hall lobby and "
            "return seeds saved from their own plants at the end of the season.",
            "Volunteers have stocked it with beans, tomatoes, marigolds and a local kale that an allotment "
            "society has grown and shared among its members for generations.",
            "Each packet carries a card asking borrowers to note where the plants grew well, so that next "
            "year's catalogue can suggest varieties suited to each part of town.",
        ],
    ),
]

# Pages whose fault is recovered from: the record must be exported with this text.
RECOVERED_STORIES: list[tuple[str, str, list[str]]] = [
    (
        "slow",
        "Ferry timetable adds an early crossing",
        [
            "From next week the ferry will leave the north quay at twenty past six in the morning, giving "
            "commuters an earlier crossing that many asked for after the winter timetable began.",
            "The operator says the extra sailing costs little because the boat is already crewed while it "
            "waits for the first scheduled departure and would otherwise sit idle at the quay.",
        ],
    ),
    (
        "throttled",
        "Library extends opening hours during exams",
        [
            "The central library will stay open until ten in the evening for the four weeks of school "
            "exams, with two extra staff on each late shift to keep the reading rooms quiet.",
            "Students must bring a card to enter after seven, and the cafe on the ground floor will sell "
            "soup and sandwiches until half past nine on those evenings.",
        ],
    ),
    (
        "flaky",
        "Market square gets new benches and trees",
        [
            "Twelve oak benches and six young lime trees now stand in the market square after a month of "
            "paving work that closed the western half of the square to stalls.",
            "Traders say the shade will help on summer market days, and the council has promised to water "
            "the trees through their first two dry seasons before they can look after themselves.",
        ],
    ),
    (
        "wrong-type",
        "Allotment waiting list falls below a year",
        [
            "People applying for an allotment in the borough should now wait less than a year, after the "
            "council divided twenty large plots into halves that are easier to keep tidy.",
            "The allotment association welcomed the change but asked for more water butts on the eastern "
            "site, where the only tap is a long walk from most of the new half plots.",
        ],
    ),
    (
        "no-type",
        "Swimming pool reopens after roof repairs",
        [
            "The leisure centre pool reopened on Saturday after six months of repairs to a roof that had "
            "let rain drip onto the poolside tiles during every heavy storm of last winter.",
            "Early morning lane swimming returns at seven, and the swimming club will hold its gala in the "
            "rebuilt hall in June, the first gala there since the closure began.",
        ],
    ),
    (
        "slow-head",
        "Harbour crane gets a second operator cabin",
        [
            "The container crane on the south quay now has a second cabin at ground level, so that "
            "operators can guide the smaller lifts without climbing the ladder forty metres up.",
            "Dock workers asked for it after a winter of icy rungs, and the port says the cabin cost less "
            "than one week of the overtime lost when the crane stood still in bad weather.",
        ],
    ),
    (
        "nul-script",
        "Cycle path along the old railway is finished",
        [
            "The last kilometre of the cycle path that follows the old branch railway was surfaced on "
            "Thursday, linking the two villages by a flat route that avoids the hill road entirely.",
            "Volunteers who cleared the cutting of brambles over three summers rode the whole length first, "
            "stopping at the restored signal box where the parish council served tea and cake.",
        ],
    ),
]

# Mislabelled encodings: (slug, codec the bytes are in, charset the header claims, title, paragraphs).
ENCODED_STORIES: list[tuple[str, str, str, str, list[str]]] = [
    (
        "cp1251",
        "cp1251",
        "utf-8",
        "Мост через реку Берёзовку откроют весной",
        [
            "Строители закончили укладку нового настила на мосту через реку Берёзовку, и городская "
            "администрация обещает открыть движение для машин уже в первых числах апреля.",
            "Жители соседних сёл больше года ездили в объезд через старую плотину, и водители школьных "
            "автобусов говорят, что дорога к школе станет короче почти на двадцать минут.",
            "Пешеходная часть моста будет освещена фонарями на солнечных батареях, которые установят после "
            "того, как бригада закончит покраску перил.",
        ],
    ),
    (
        "shift-jis",
        "shift_jis",
        "utf-8",
        "港町の朝市が改装を終えて再開",
        [
            "改装工事のため半年間休んでいた港町の朝市が、日曜日の朝から再び開かれた。新しい屋根の下には"
            "四十を超える店が並び、開店前から地元の人や観光客が列を作った。",
            "魚を売る店の主人は、床が乾きやすくなったので掃除がずっと楽になったと話した。市場の管理組合は、"
            "冬の寒い朝でも店を出しやすいように風よけの壁も新しくしたという。",
            "組合は来月から毎月第一日曜日に子ども向けの料理教室を開く予定で、参加者は市場で買った野菜や"
            "魚を使って簡単な朝ごはんを作ることになっている。",
        ],
    ),
    (
        "latin1",
        "latin-1",
        "utf-8",
        "La biblioteca de Peñascal abrirá también los domingos",
        [
            "La biblioteca municipal de Peñascal abrirá sus puertas los domingos por la mañana a partir de "
            "octubre, según anunció el ayuntamiento tras una consulta entre los vecinos del barrio.",
            "La sala infantil tendrá cuentacuentos a las once y media, y los estudiantes podrán reservar "
            "mesas en la planta alta durante la época de exámenes de invierno.",
            "El horario ampliado se cubrirá con dos bibliotecarios más, contratados con una subvención "
            "regional que también paga la renovación de la calefacción del edificio.",
        ],
    ),
    # The reverse: UTF-8 bytes under a Latin-1 label.
    (
        "utf8-as-latin1",
        "utf-8",
        "iso-8859-1",
        "Die Fähre nach Möwenhafen fährt öfter",
        [
            "Ab März fährt die Fähre zwischen Südstrand und Möwenhafen jede halbe Stunde, weil die "
            "Reederei ein zweites Schiff für die Strecke über die Förde gekauft hat.",
            "Pendler begrüßen die dichtere Taktung, denn im Winter mussten sie oft eine ganze Stunde "
            "an der zugigen Anlegestelle warten, wenn eine Überfahrt wegen Sturm ausfiel.",
            "Die Gemeinde prüft außerdem, ob an der Anlegestelle ein überdachter Wartebereich mit Bänken "
            "gebaut werden kann, der auch Radfahrern Platz für ihre Räder bietet.",
        ],
    ),
]


def article_html(
    title: str,
    paragraphs: list[str],
    *,
    charset: str | None = "utf-8",
    published: str = "2026-11-20T08:30:00+00:00",
) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head>{meta}<title>{html.escape(title)}</title>"
        f'<meta property="article:published_time" content="{published}"></head>'
        f'<body><header><a href="/">Fault Lab Gazette</a></header><article><h1>{html.escape(title)}</h1>'
        f"{body}</article><footer>Fault Lab Gazette</footer></body></html>"
    )


def listing_html(paths: list[str]) -> bytes:
    links = "".join(f'<li><a href="{path}">{path}</a></li>' for path in paths)
    return f'<!doctype html><html><head><meta charset="utf-8"><title>All pages</title></head><body><ul>{links}</ul></body></html>'.encode()


def sitemap_xml(urls: list[str]) -> bytes:
    rows = "".join(
        f"<url><loc>{html.escape(u)}</loc><lastmod>2026-11-20</lastmod></url>" for u in urls
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>'.encode()


def rss_xml(urls: list[str]) -> bytes:
    items = "".join(
        f"<item><title>Item {n}</title><link>{html.escape(u)}</link></item>"
        for n, u in enumerate(urls)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Fault Lab</title><link>http://127.0.0.1/</link>{items}</channel></rss>"
    ).encode()


ENTITY_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
 <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
 <!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>/a/bomb-&i;.html</loc></url></urlset>
"""


def gzip_bomb(expanded_bytes: int = 256 * 1024 * 1024) -> bytes:
    """A small gzip member that expands to ``expanded_bytes`` of spaces."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b" " * (1024 * 1024)
    out = io.BytesIO()
    for _ in range(expanded_bytes // len(chunk)):
        out.write(packer.compress(chunk))
    out.write(packer.flush())
    return out.getvalue()


def write_million_url_sitemap(path: str, base: str, count: int = 1_000_000) -> None:
    """A gzipped sitemap of ``count`` URLs, written streamed (never held in memory)."""
    with gzip.open(path, "wb", compresslevel=1) as out:
        out.write(
            b'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        )
        for start in range(0, count, 10_000):
            out.write(
                "".join(
                    f"<url><loc>{base}a/mass-{n:07d}.html</loc></url>\n"
                    for n in range(start, min(count, start + 10_000))
                ).encode()
            )
        out.write(b"</urlset>\n")


def deeply_nested_html(depth: int = 100_000) -> bytes:
    story = STORIES[0]
    inner = "".join(f"<p>{html.escape(p)}</p>" for p in story[2])
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>Nested</title></head><body>'
        + "<div>" * depth
        + inner
        + "</div>" * depth
        + "</body></html>"
    ).encode()


def big_page_chunks(total: int, chunk: int = 1024 * 1024) -> Iterator[bytes]:
    """``total`` bytes of HTML, made chunk by chunk while sending (the 50 MB page)."""
    head = b'<!doctype html><html><head><meta charset="utf-8"><title>Big</title></head><body>'
    yield head
    filler = b"<p>" + b"All work and no play makes a very long page. " * 20 + b"</p>\n"
    block = filler * (chunk // len(filler))
    sent = len(head)
    while sent < total:
        yield block
        sent += len(block)


PNG_BYTES = (
    bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")
    + bytes(range(256)) * 40
)


def nul_in_script_html(title: str, paragraphs: list[str]) -> bytes:
    """A valid article page with one NUL byte inside a script block in its head."""
    page = article_html(title, paragraphs)
    script = '<script>var tracker = "a\x00b";</script>'
    return page.replace("<head>", "<head>" + script, 1).encode()
