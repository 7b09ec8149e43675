#!/usr/bin/env python3
"""Measure alert quality: replay real reviews with injected incidents through `shopsight backtest`.

Spreads labelled reviews of reviews-zh (train.csv and dev.csv) over a synthetic timeline of
DAYS days for PRODUCTS products, with a daily rhythm (more reviews in the
day and evening, UTC) and a weekly one (a weekend factor per product). It
injects known incidents, each lasting two days on one product:

- negative_share: the product's share of negative reviews rises by 10 to 30 points;
- logistics: 10 % to 20 % of the product's reviews become logistics complaints;
- keyword: 10 % to 20 % of the reviews become negative reviews that complain
  about a defect word not otherwise used on that product (生锈 "rusted", 发霉
  "mouldy", ...); with --complaint-reviews any the complaint is appended to
  whatever review was drawn, most often a positive one;
- volume_drop: the product's review count falls to 10 % to 30 % of normal.

Then it runs `shopsight backtest --format json` (default rules unless --rules)
and prints recall, detection delay and matched alerts per incident kind, the
precision over all alerts, and every false alert.

An alert counts as true when its window overlaps an incident day, its
dimension value contains the incident product (the product itself, its
category, or the whole shop) and its detector can react to that kind of
incident. An incident counts as found when the detector meant for it (for a
keyword incident: emerging_keyword on that word) alerts on the product, its
category or the shop. The delay is the time from the incident start to the
end of the first alerting bucket, the earliest moment the alert can exist.

Uses the Python 3 standard library only.

Usage: bench/alert_replay.py [--binary build/release/src/cli/shopsight]
       [--datasets ../shared/datasets] [--seed 1] [--rules FILE] [--keep FILE.csv]
"""

import argparse
import csv
import datetime
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import zlib

DAY_SECONDS = 86400
START = datetime.datetime(2026, 9, 7, tzinfo=datetime.timezone.utc)  # a Monday

# Relative review counts per UTC hour: quiet at night, peaks late morning and evening.
HOUR_WEIGHTS = [2, 1, 1, 1, 1, 2, 3, 5, 7, 8, 9, 9, 8, 7, 7, 7, 8, 9, 10, 11, 11, 9, 6, 4]

# A logistics complaint names the delivery and a problem with it.
LOGISTICS = re.compile("(物流|快递|发货|送货|配送|到货)[^，。！？,.!?]{0,8}(慢|差|晚|久|破|坏|没到|不到|丢)")
DEFECT_WORDS = ["生锈", "发霉", "断电", "起球", "掉色", "卡顿", "死机", "开胶"]

# Detectors that can react to each kind of incident, so their alerts are true.
REACTING = {
    "negative_share": {"negative_share", "sentiment_score", "aspect_negative", "emerging_keyword"},
    "logistics": {"aspect_negative", "negative_share", "sentiment_score", "emerging_keyword"},
    "keyword": {"emerging_keyword", "negative_share", "sentiment_score", "aspect_negative"},
    "volume_drop": {"volume"},
}


def parse_arguments():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=os.path.join(here, "..", "build", "release", "src", "cli", "shopsight"))
    parser.add_argument("--datasets", default=os.path.join(here, "..", "..", "shared", "datasets"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--products", type=int, default=50)
    parser.add_argument("--per-kind", type=int, default=5, help="incidents of each kind")
    parser.add_argument("--rules", help="rules file passed to backtest (default: the built-in rules)")
    parser.add_argument("--complaint-reviews", choices=["negative", "any"], default="negative",
                        help="reviews that carry a keyword incident's complaint (default: negative)")
    parser.add_argument("--keep", help="also write the generated timeline to this CSV file")
    parser.add_argument("--save-json", help="also write the backtest output to this JSON file")
    return parser.parse_args()


def load_reviews(datasets):
    """Positive and negative reviews per category, and logistics complaints, from train.csv and dev.csv."""
    positives, negatives, logistics = {}, {}, []
    for name in ("train.csv", "dev.csv"):
        with open(os.path.join(datasets, "reviews-zh", name), encoding="utf-8", newline="") as source:
            add_reviews(csv.DictReader(source), positives, negatives, logistics)
    return positives, negatives, logistics


def add_reviews(rows, positives, negatives, logistics):
    for row in rows:
        text = row["review"].replace("\n", " ").strip()
        if not text or len(text) > 200:
            continue
        if row["label"] == "1":
            positives.setdefault(row["category"], []).append(text)
        else:
            negatives.setdefault(row["category"], []).append(text)
            if LOGISTICS.search(text) and len(text) < 120:
                logistics.append(text)


def make_products(count, categories, rng):
    products = []
    for index in range(count):
        products.append({
            "id": "p%02d" % index,
            "category": categories[index % len(categories)],
            "volume": math.exp(rng.uniform(math.log(80), math.log(400))),
            "negative": rng.uniform(0.06, 0.15),
            "weekend": rng.uniform(0.7, 1.4),
        })
    return products


def make_incidents(products, days, per_kind, rng):
    """Two-day incidents on distinct products, all after four weeks of history."""
    kinds = ["negative_share", "logistics", "keyword", "volume_drop"]
    chosen = rng.sample(products, per_kind * len(kinds))
    incidents = []
    for index, product in enumerate(chosen):
        kind = kinds[index // per_kind]
        incident = {"kind": kind, "product": product["id"], "category": product["category"],
                    "day": rng.randint(30, days - 3), "days": 2}
        if kind == "negative_share":
            incident["rise"] = rng.uniform(0.10, 0.30)
        elif kind in ("logistics", "keyword"):
            incident["share"] = rng.uniform(0.10, 0.20)
            if kind == "keyword":
                incident["word"] = DEFECT_WORDS[index % per_kind % len(DEFECT_WORDS)]
        else:
            incident["factor"] = rng.uniform(0.10, 0.30)
        incidents.append(incident)
    return incidents


def active_incident(incidents, product_id, day):
    for incident in incidents:
        if incident["product"] == product_id and incident["day"] <= day < incident["day"] + incident["days"]:
            return incident
    return None


def poisson(rng, mean):
    # Normal approximation; every mean here is above 8.
    return max(0, int(round(rng.gauss(mean, math.sqrt(mean)))))


def review_text(product, incident, reviews, rng, complaint_reviews):
    positives, negatives, logistics = reviews
    share = product["negative"]
    if incident and incident["kind"] == "negative_share":
        share += incident["rise"]
    if incident and incident["kind"] == "logistics" and rng.random() < incident["share"]:
        return rng.choice(logistics)
    pool = negatives if rng.random() < share else positives
    text = rng.choice(pool[product["category"]])
    if incident and incident["kind"] == "keyword" and rng.random() < incident["share"]:
        if complaint_reviews == "negative" and pool is positives:
            # A complaint about a defect comes in a negative review. Picking it
            # by a hash of the drawn text keeps the random sequence, and so
            # the rest of the timeline, the same for both settings.
            candidates = negatives[product["category"]]
            text = candidates[zlib.crc32(text.encode("utf-8")) % len(candidates)]
        text += "，用了几天发现%s了" % incident["word"]
    return text


def generate(products, incidents, reviews, days, rng, complaint_reviews):
    rows = []
    for day in range(days):
        weekday = (START + datetime.timedelta(days=day)).weekday()
        for product in products:
            incident = active_incident(incidents, product["id"], day)
            mean = product["volume"] * (product["weekend"] if weekday >= 5 else 1.0)
            if incident and incident["kind"] == "volume_drop":
                mean *= incident["factor"]
            count = poisson(rng, mean)
            hours = rng.choices(range(24), weights=HOUR_WEIGHTS, k=count)
            for number, hour in enumerate(hours):
                moment = START + datetime.timedelta(days=day, hours=hour, seconds=rng.randrange(3600))
                rows.append([
                    "%s-%d-%d" % (product["id"], day, number),
                    moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    product["id"],
                    product["category"],
                    review_text(product, incident, reviews, rng, complaint_reviews),
                ])
    rows.sort(key=lambda row: row[1])
    return rows


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "time", "product", "category", "review"])
        writer.writerows(rows)


def run_backtest(binary, path, rules):
    command = [binary, "--lang", "en", "backtest", path, "--id", "id", "--time", "time", "--product", "product",
               "--category", "category", "--text", "review", "--format", "json"]
    if rules:
        command += ["--rules", rules]
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    if result.returncode != 0:
        sys.exit("backtest failed with status %d:\n%s" % (result.returncode, result.stderr[-3000:]))
    return json.loads(result.stdout), seconds


def covers(alert, incident):
    if alert["dimension"] == "shop":
        return True
    if alert["dimension"] == "product":
        return alert["value"] == incident["product"]
    if alert["dimension"] == "category":
        return alert["value"] == incident["category"]
    return False


def overlaps(alert, incident):
    start = (START + datetime.timedelta(days=incident["day"])).timestamp() * 1000
    end = start + incident["days"] * DAY_SECONDS * 1000
    return alert["window_start"] < end and alert["window_end"] > start


def finds(alert, incident):
    """True when `alert` is the detector meant for `incident` reacting to it."""
    if not (covers(alert, incident) and overlaps(alert, incident)):
        return False
    kind = incident["kind"]
    if kind == "negative_share":
        return alert["detector"] in ("negative_share", "sentiment_score")
    if kind == "logistics":
        return alert["detector"] == "aspect_negative" and alert["subject"] == "logistics"
    if kind == "keyword":
        return alert["detector"] == "emerging_keyword" and incident["word"] in alert["subject"]
    return alert["detector"] == "volume" and alert["subject"] == "drop"


def score(alerts, incidents):
    true_alerts = [a for a in alerts if any(
        covers(a, i) and overlaps(a, i) and a["detector"] in REACTING[i["kind"]] for i in incidents)]
    false_alerts = [a for a in alerts if a not in true_alerts]
    per_kind = {}
    for incident in incidents:
        entry = per_kind.setdefault(incident["kind"], {"incidents": 0, "found": 0, "delays": [], "missed": []})
        entry["incidents"] += 1
        matching = [a for a in alerts if finds(a, incident)]
        if not matching:
            entry["missed"].append(incident)
            continue
        entry["found"] += 1
        start = (START + datetime.timedelta(days=incident["day"])).timestamp() * 1000
        first_end = min(a["window_end"] for a in matching)
        entry["delays"].append((first_end - start) / 3600000.0)
    return true_alerts, false_alerts, per_kind


def describe(alert):
    return "%s %s %s=%s %s %s observed %.4g baseline %.4g %s %.3g" % (
        alert["window_start_time"][:10], alert["detector"], alert["dimension"], alert["value"], alert["subject"],
        alert["severity"], alert["observed"], alert["baseline"], alert["statistic_name"], alert["statistic"])


def print_report(output, seconds, incidents, true_alerts, false_alerts, per_kind):
    alerts = output["alerts"]
    print("items %d, alerts %d, backtest %.1f s" % (output["items"], len(alerts), seconds))
    print()
    print("| incident kind | incidents | found | recall | mean delay (h) | max delay (h) |")
    print("| --- | --- | --- | --- | --- | --- |")
    found = total = 0
    for kind in ["negative_share", "logistics", "keyword", "volume_drop"]:
        entry = per_kind.get(kind)
        if not entry:
            continue
        found += entry["found"]
        total += entry["incidents"]
        delays = entry["delays"]
        mean_delay = "%.1f" % (sum(delays) / len(delays)) if delays else "-"
        max_delay = "%.1f" % max(delays) if delays else "-"
        print("| %s | %d | %d | %.2f | %s | %s |" % (kind, entry["incidents"], entry["found"],
                                                    entry["found"] / entry["incidents"], mean_delay, max_delay))
    precision = len(true_alerts) / len(alerts) if alerts else 1.0
    print()
    print("recall %.3f (%d of %d incidents)" % (found / total if total else 0.0, found, total))
    print("precision %.3f (%d of %d alerts true)" % (precision, len(true_alerts), len(alerts)))
    for kind, entry in per_kind.items():
        for incident in entry["missed"]:
            print("missed: %s" % json.dumps(incident, ensure_ascii=False))
    for alert in false_alerts:
        print("false alert: %s" % describe(alert))


def main():
    args = parse_arguments()
    rng = random.Random(args.seed)
    reviews = load_reviews(args.datasets)
    categories = sorted(set(reviews[0]) & set(reviews[1]))
    products = make_products(args.products, categories, rng)
    incidents = make_incidents(products, args.days, args.per_kind, rng)
    rows = generate(products, incidents, reviews, args.days, rng, args.complaint_reviews)

    with tempfile.TemporaryDirectory() as folder:
        path = args.keep or os.path.join(folder, "timeline.csv")
        write_csv(path, rows)
        output, seconds = run_backtest(args.binary, path, args.rules)
    if args.save_json:
        with open(args.save_json, "w", encoding="utf-8") as out:
            json.dump(output, out, ensure_ascii=False)
    true_alerts, false_alerts, per_kind = score(output["alerts"], incidents)
    print_report(output, seconds, incidents, true_alerts, false_alerts, per_kind)


if __name__ == "__main__":
    main()
