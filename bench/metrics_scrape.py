#!/usr/bin/env python3
"""Time GET /metrics of `shopsight serve` over a store of 100 products and 15 aspect categories.

Starts `shopsight serve` on 127.0.0.1 with a new store in a temporary folder.
Fills it through POST /api/v1/items with reviews from the last 24 hours: 100
products in 10 categories, with texts that name each aspect category of the
default model. Then scrapes /metrics repeatedly and prints latency
percentiles. Uses the Python 3 standard library only.

Usage: bench/metrics_scrape.py [--binary build/llmgen/src/cli/shopsight] [--items 3000] [--scrapes 200]
"""

import argparse
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

# A positive and a negative clause per aspect category of the default model,
# each checked with `shopsight analyze` to yield its category at least once,
# so the store has all 15 categories.
CLAUSES = {
    "overall": ("东西很好", "东西太差了"),
    "quality": ("质量很好", "质量太差了"),
    "price": ("价格很便宜", "价格太贵了"),
    "logistics": ("物流很快", "物流太慢了"),
    "service": ("客服很耐心", "客服态度太差了"),
    "packaging": ("包装很精美", "包装太简陋了"),
    "appearance": ("颜色很好看", "颜色太难看了"),
    "size_fit": ("尺码很合适", "尺码偏小"),
    "function": ("续航很持久", "续航太差了"),
    "authenticity": ("正品无疑", "怀疑是假货"),
    "freshness_taste": ("生产日期很新", "保质期太短"),
    "smell": ("气味很清香", "气味太刺鼻了"),
    "ingredients": ("防腐剂很少", "防腐剂很多"),
    "user_experience": ("用起来很舒服", "穿起来不舒服"),
    "other": ("积分很多", "积分太少了"),
}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(binary, folder, port):
    log = open(os.path.join(folder, "serve.log"), "w")
    command = [binary, "--lang", "en", "serve", "--db", os.path.join(folder, "store.db"), "--port", str(port)]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 120
    while time.time() < deadline:
        with open(log.name) as text:
            if re.search(r"listening on http://127\.0\.0\.1:\d+", text.read()):
                return process
        if process.poll() is not None:
            sys.exit(f"shopsight serve exited early; see {log.name}")
        time.sleep(0.2)
    process.terminate()
    sys.exit("shopsight serve did not start within 120 s")


def review(index, rng, now_ms):
    product = index % 100
    aspects = rng.sample(sorted(CLAUSES), 2)
    clauses = [CLAUSES[aspect][0 if rng.random() < 0.6 else 1] for aspect in aspects]
    return {
        "id": f"bench-{index}",
        "product": f"P{product:03d}",
        "category": f"C{product % 10}",
        "time": now_ms - rng.randrange(0, 23 * 3600 * 1000),
        "text": "，".join(clauses),
    }


def fill(base, count, batch=250):
    rng = random.Random(7)
    now_ms = int(time.time() * 1000)
    for start in range(0, count, batch):
        items = [review(i, rng, now_ms) for i in range(start, min(count, start + batch))]
        request = urllib.request.Request(base + "/api/v1/items", data=json.dumps(items).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=300) as answer:
            answer.read()


def scrape_times(base, scrapes):
    times = []
    body = b""
    for _ in range(scrapes):
        started = time.perf_counter()
        with urllib.request.urlopen(base + "/metrics", timeout=10) as answer:
            body = answer.read()
        times.append((time.perf_counter() - started) * 1000)
    return times, body


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default="build/llmgen/src/cli/shopsight", help="shopsight binary")
    parser.add_argument("--items", type=int, default=3000, help="reviews stored before scraping")
    parser.add_argument("--scrapes", type=int, default=200, help="timed scrapes")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="shopsight-bench-") as folder:
        port = free_port()
        server = start_server(args.binary, folder, port)
        base = f"http://127.0.0.1:{port}"
        try:
            started = time.perf_counter()
            fill(base, args.items)
            fill_seconds = time.perf_counter() - started
            times, body = scrape_times(base, args.scrapes)
        finally:
            server.terminate()
            server.wait(timeout=60)

    text = body.decode()
    samples = [line for line in text.splitlines() if line and not line.startswith("#")]
    products = len([line for line in samples if line.startswith("shopsight_product_items{")])
    aspects = len([line for line in samples if line.startswith("shopsight_aspect_mentions{")])
    times.sort()
    print(f"stored {args.items} items in {fill_seconds:.1f} s; scrape has {len(samples)} samples, "
          f"{len(body)} bytes, {products} products, {aspects} aspect categories")
    print(f"{args.scrapes} scrapes: min {times[0]:.2f} ms, median {statistics.median(times):.2f} ms, "
          f"p95 {times[int(len(times) * 0.95) - 1]:.2f} ms, max {times[-1]:.2f} ms")


if __name__ == "__main__":
    main()
