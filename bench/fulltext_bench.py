"""Full-text benchmark: items × pages × words of Vietnamese-like text, on SQLite and PostgreSQL.

    .venv/bin/python bench/fulltext_bench.py                       # 10 000 × 20 × 300, both
    .venv/bin/python bench/fulltext_bench.py --items 1000 --databases sqlite
    .venv/bin/python bench/fulltext_bench.py --databases postgresql --keep --load-only
    .venv/bin/python bench/fulltext_bench.py --databases postgresql --reuse DATA_DIR,URL

The corpus is loaded through the store's own write path (store.write.bulk: rows, folding and
both full-text indexes, then what an import does when it ends), timed (`--keep` keeps the store,
`--reuse` measures a kept one again without loading); then each kind of query runs `--queries`
times in process through the app (Flask's test client: the whole request, template and JSON
included):
  portal   GET /search?q=…  common words, rare words, a common phrase, a rare phrase;
  content  GET /iiif/{item}/search/1?q=…  a common word within one item;
  complete GET /iiif/{item}/autocomplete/1?q=…  a two-letter prefix.
Same-run baseline: the top 20 pages ranked over every match of the page index (FTS5
`ORDER BY rank`, PostgreSQL `ts_rank`), which the design avoids. Words follow a Zipf law over
the demo's Vietnamese vocabulary and a tail of made-up syllables, so common words stand on
nearly every page and rare ones on a handful. Figures: bench/out/fulltext_bench.json.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import hashlib
import itertools
import json
import os
import platform
import random
import re
import statistics
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyvips
from oai_bench import fresh_pg_database
from sqlalchemy import text

from store.ingest.demo.collection import words as demo_words
from store.records import DCValue, ItemInput, PageInput
from store.write.bulk import bulk_upsert
from store.write.maintenance import settle_search_indexes
from web.app import create_app
from web.context import context_of

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PG_ADMIN = os.environ.get("THUVIENSO_BENCH_PG",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
ONSETS = ["b", "c", "ch", "d", "đ", "g", "gh", "h", "k", "kh", "l", "m", "n", "ng", "nh", "ph",
          "qu", "r", "s", "t", "th", "tr", "v", "x"]
RHYMES = ["a", "á", "à", "ả", "ã", "ạ", "ăn", "ắt", "âm", "ầu", "ê", "ế", "ệt", "ênh", "iêu",
          "iếng", "oa", "oái", "uôn", "uộc", "ương", "ướt", "ơi", "ởi", "ưu", "ửa", "ông", "ồng",
          "ình", "ịch", "anh", "ánh", "ay", "ày", "ao", "ão"]
BATCH = 25  # items per transaction


def vocabulary() -> list[str]:
    """The demo's words (the common ones) then made-up syllables pairs (the long tail)."""
    seen: dict[str, None] = {}
    for value in json.dumps(demo_words(), ensure_ascii=False).split():
        word = re.sub(r"[^\w]", "", value)
        if word and not word.isdigit() and len(word) > 1:
            seen.setdefault(word.lower(), None)
    syllables = [o + r for o in ONSETS for r in RHYMES]
    for a, b in itertools.product(syllables[:160], syllables[160:330]):
        seen.setdefault(a + b, None)
    return list(seen)


class Corpus:
    """Deterministic text: page (item, seq) is a function of the seed alone."""

    def __init__(self, seed: int, words_per_page: int) -> None:
        self.seed, self.size = seed, words_per_page
        self.vocab = vocabulary()
        self.cum = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(self.vocab))))

    def page(self, item: int, seq: int) -> str:
        rng = random.Random(f"{self.seed}:{item}:{seq}")
        chosen = rng.choices(self.vocab, cum_weights=self.cum, k=self.size)
        lines = [" ".join(chosen[i:i + 12]) for i in range(0, len(chosen), 12)]
        return "\n".join(lines)

    def item(self, n: int, pages: int, image: str, checksum: str) -> ItemInput:
        rng = random.Random(f"{self.seed}:{n}")
        pick = lambda k: " ".join(rng.choices(self.vocab, cum_weights=self.cum, k=k))  # noqa: E731
        metadata = (DCValue("title", pick(4).capitalize()), DCValue("creator", pick(3).title()),
                    DCValue("subject", pick(2)), DCValue("description", pick(25)),
                    DCValue("date", str(rng.randint(1880, 2020))))
        return ItemInput(f"ft-{n:06d}", metadata=metadata, pages=tuple(
            PageInput(image, 200, 300, str(seq), self.page(n, seq), checksum)
            for seq in range(1, pages + 1)))


@contextmanager
def scratch(kind: str, folder: Path, keep: bool = False) -> Iterator[dict[str, Any]]:
    """Settings of an empty store, a fresh PostgreSQL database when asked (dropped after,
    unless `keep`)."""
    data = folder / kind
    data.mkdir(parents=True, exist_ok=True)
    settings: dict[str, Any] = {"data_dir": str(data), "secret_key": "b" * 40,
                                "database_url": f"sqlite:///{data / 'bench.sqlite3'}"}
    with contextlib.ExitStack() as stack:
        if kind == "postgresql":
            settings["database_url"] = stack.enter_context(fresh_pg_database(PG_ADMIN, keep))
        try:
            yield settings
        finally:
            if kind == "postgresql" and keep:
                print(f"kept {settings['database_url']} and {data}")


def load(app: Any, corpus: Corpus, items: int, pages: int, folder: Path) -> float:
    """Seconds to write the corpus through the store's write path."""
    image = folder / "page.png"
    pyvips.Image.black(200, 300).cast("uchar").write_to_file(str(image))
    checksum = hashlib.sha256(image.read_bytes()).hexdigest()
    store = context_of(app).store
    started = time.perf_counter()
    for first in range(1, items + 1, BATCH):
        batch = [corpus.item(n, pages, str(image), checksum)
                 for n in range(first, min(first + BATCH, items + 1))]
        with store.session() as session:
            bulk_upsert(session, batch, store.settings.data_path)
        if first % 1000 == 1:
            print(f"  {first - 1} items loaded, {time.perf_counter() - started:.0f} s",
                  flush=True)
    settle_search_indexes(store.engine)  # as an import or a harvest ends
    return time.perf_counter() - started


def index_bytes(app: Any) -> dict[str, int]:
    """Bytes of the page-text index and of the page text itself."""
    store = context_of(app).store
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if conn.dialect.name == "sqlite":
            index = conn.execute(text("SELECT sum(pgsize) FROM dbstat "
                                      "WHERE name LIKE 'page_fts%'")).scalar()
            pages = conn.execute(text("SELECT sum(pgsize) FROM dbstat WHERE name = 'page'"))
            return {"page_index": int(index or 0), "page_table": int(pages.scalar() or 0)}
        index = conn.execute(text(
            "SELECT pg_relation_size('ix_page_search_document')")).scalar()
        column = conn.execute(text(
            "SELECT sum(pg_column_size(document)) FROM page_search")).scalar()
        table = conn.execute(text("SELECT pg_total_relation_size('page') + "
                                  "pg_total_relation_size('page_search')")).scalar()
        return {"page_index": int(index or 0), "document_column": int(column or 0),
                "page_tables_with_indexes": int(table or 0)}


def queries(corpus: Corpus, items: int, pages: int, count: int) -> dict[str, list[str]]:
    """The query texts of each kind (deterministic)."""
    rng = random.Random(7)
    vocab = corpus.vocab
    common = vocab[:30]
    rare = vocab[len(vocab) // 3:]
    out: dict[str, list[str]] = {"common word": [], "rare word": [], "two common words": [],
                                 "common phrase": [], "rare phrase": []}
    for _ in range(count):
        out["common word"].append(rng.choice(common))
        out["rare word"].append(rng.choice(rare))
        out["two common words"].append(f"{rng.choice(common)} {rng.choice(common)}")
        words = corpus.page(rng.randint(1, items), rng.randint(1, pages)).split()
        at = rng.randrange(len(words) - 1)
        out["common phrase"].append(f'"{words[at]} {words[at + 1]}"')
        rarest = max(range(len(words) - 1), key=lambda i: vocab.index(words[i]))
        out["rare phrase"].append(f'"{words[rarest]} {words[rarest + 1]}"')
    return out


def timings(client: Any, urls: list[str]) -> dict[str, float]:
    """p50 and p99 in milliseconds of GETting each URL once (after one warm-up of each kind)."""
    client.get(urls[0])
    spent = []
    for url in urls:
        started = time.perf_counter()
        answer = client.get(url)
        spent.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, (url, answer.status_code)
    spent.sort()
    return {"p50": round(statistics.median(spent), 1),
            "p99": round(spent[min(len(spent) - 1, int(len(spent) * 0.99))], 1),
            "n": len(spent)}


def ranked_all(app: Any, texts: list[str]) -> dict[str, float]:
    """The baseline: top 20 pages by rank over every match of the page index."""
    from store.read.search_query import parse_query

    store = context_of(app).store
    spent = []
    with store.engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        for query in texts:
            parsed = parse_query(query)
            started = time.perf_counter()
            if sqlite:
                conn.execute(text("SELECT rowid FROM page_fts WHERE page_fts MATCH :q "
                                  "ORDER BY rank LIMIT 20"), {"q": parsed.fts5()}).all()
            else:
                conn.execute(text("SELECT item_pk, seq FROM page_search, "
                                  "to_tsquery('simple', :q) q WHERE document @@ q "
                                  "ORDER BY ts_rank(document, q) DESC LIMIT 20"),
                             {"q": parsed.tsquery()}).all()
            spent.append((time.perf_counter() - started) * 1000)
    spent.sort()
    return {"p50": round(statistics.median(spent), 1),
            "p99": round(spent[min(len(spent) - 1, int(len(spent) * 0.99))], 1),
            "n": len(spent)}


def run(kind: str, args: argparse.Namespace, corpus: Corpus) -> dict[str, Any]:
    folder = OUT / "fulltext" / uuid.uuid4().hex[:8]
    folder.mkdir(parents=True)
    with scratch(kind, folder, args.keep) as settings:
        if args.reuse:  # a store this bench loaded and kept (--keep), upgraded by create_app
            settings.update(zip(("data_dir", "database_url"), args.reuse.split(",", 1),
                                strict=True))
        app = create_app(settings)
        print(f"{kind}: loading {args.items} × {args.pages} × {args.words}", flush=True)
        seconds = 0.0 if args.reuse else load(app, corpus, args.items, args.pages, folder)
        words = args.items * args.pages * args.words
        sizes = index_bytes(app)
        result: dict[str, Any] = {
            "load_seconds": round(seconds, 1), "words": words,
            "load_seconds_per_million_words": round(seconds / (words / 1e6), 2),
            "index_bytes": sizes,
            "index_mb_per_million_words": round(sizes["page_index"] / 1e6 / (words / 1e6), 2)}
        if not args.load_only:
            measure(app, args, corpus, result)
        context_of(app).store.dispose()
    if not args.keep:
        os.system(f"rm -rf {folder}")  # noqa: S605 - our own scratch folder
    return result


def measure(app: Any, args: argparse.Namespace, corpus: Corpus, result: dict[str, Any]) -> None:
    """The query timings, into `result`."""
    client = app.test_client()
    # as a server's worker does once its app is built (web.serve): what is loaded by then is
    # no longer walked by every full collection (about 100 ms each here, 137 000 objects)
    gc.collect()
    gc.freeze()
    texts = queries(corpus, args.items, args.pages, args.queries)
    for name, qs in texts.items():
        result[f"portal: {name}"] = timings(client, [
            "/search?" + _q(q) for q in qs])
    rng = random.Random(11)
    ids = [f"ft-{rng.randint(1, args.items):06d}" for _ in range(args.queries)]
    for kind in ("common word", "rare word"):
        result[f"content search: {kind}"] = timings(client, [
            f"/iiif/{i}/search/1?" + _q(q) for i, q in zip(ids, texts[kind], strict=True)])
    result["autocomplete"] = timings(client, [
        f"/iiif/{i}/autocomplete/1?" + _q(q[:2])
        for i, q in zip(ids, texts["common word"], strict=True)])
    result["baseline: top 20 pages ranked over all matches, common word"] = ranked_all(
        app, texts["common word"])


def _q(query: str) -> str:
    from urllib.parse import urlencode
    return urlencode({"q": query})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--words", type=int, default=300)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--keep", action="store_true",
                        help="keep the scratch stores (to study them); printed at the end")
    parser.add_argument("--load-only", action="store_true", help="load, measure no query")
    parser.add_argument("--reuse", metavar="DATA_DIR,DATABASE_URL",
                        help="measure a store kept by --keep instead of loading one (give one "
                             "database in --databases, and the sizes it was loaded with)")
    args = parser.parse_args()
    corpus = Corpus(1, args.words)
    report: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.node()}, {os.cpu_count()} cores, {platform.python_version()}",
        "command": "bench/fulltext_bench.py " + " ".join(
            f"--{k} {v}" for k, v in vars(args).items()),
        "vocabulary": len(corpus.vocab)}
    for kind in args.databases.split(","):
        report[kind] = run(kind, args, corpus)
        print(json.dumps(report[kind], indent=1, ensure_ascii=False), flush=True)
    OUT.mkdir(exist_ok=True)
    name = f"fulltext_bench_{args.items}x{args.pages}x{args.words}.json"
    (OUT / name).write_text(json.dumps(report, indent=1, ensure_ascii=False))
    print(f"written to bench/out/{name}")


if __name__ == "__main__":
    main()
