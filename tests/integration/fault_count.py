#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Counts what one sink delivered against what mdc produced (the fault tests, fault_lib.sh).

  fault_count.py keys REF                      the record keys of a reference file, one a line
  fault_count.py count --expect KEYS [--window KEYS] [--valued REF] SINK
                                               one line: produced delivered lost duplicated
                                               window_lost raw notes; the missing keys on stderr
  fault_count.py check --expect KEYS [...] SINK exit 0 when every expected record is delivered
  fault_count.py energy REF INTERVAL_MS        per device: records, schedule slots without a
                                               record, the sum of energy_delta_kwh, the meter's
                                               increase from the first to the last record, and
                                               records whose delta is not the increase since the
                                               record before (exit 1 if any)

A record is known by its device and its sample time: the key "DEVICE|MICROSECONDS" (UTC).

SINK is KIND:WHERE:
  file:PATH       JSON lines (a line torn by kill -9 is resynchronised at the next record)
  sqlite:DB       the embedded store: samples rows of one point per record
  webhook:LOG     sink_server.py's log: accepted bodies, each with its Idempotency-Key
  pubsub:LOG      sink_server.py's log: published messages, each with its mdc_record_id
  mqtt:LOG        mosquitto_sub -V 5 -F '%P|%p' output: a message a line, its user properties
                  (the idempotency key: mdc-seq) before the payload
  pg-mdc:DB       PostgreSQL, mdc schema: mdc.samples (psql with the PG* environment)
  pg-belmc:DB     PostgreSQL, BELmc schema: ems.machine_ems_history (naive UTC, machine N is
                  device ems-N)

--expect KEYS   the records that must be delivered (a snapshot of the reference)
--window KEYS   records that may be missing: produced while the spool's tail was later lost
                (a restored spool); counted apart as window_lost
--valued REF    only expected records whose frequency is not null (BELmc's history takes
                only records with values)

"Duplicated" counts deliveries beyond the first of the same record. For webhook and Pub/Sub the
idempotency key must be stable: one key per record and one record per key, else the notes say
"unstable keys" and check/count exit 2.
"""
import json
import os
import subprocess
import sys
from collections import Counter
from datetime import datetime, timezone

POINT = "frequency"


def ts_us(text):
    t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    delta = t - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return (delta.days * 86400 + delta.seconds) * 1000000 + delta.microseconds


def rec_key(rec):
    return "%s|%d" % (rec["device"], ts_us(rec["timestamp"]))


def json_lines(path):
    """Records of a JSON-lines file (other objects, like a subscriber's probe, are skipped); a
    line torn by kill -9 is resynchronised at the last record start in it. Returns (records,
    torn)."""
    out, torn = [], 0
    if not os.path.exists(path):
        return out, torn
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                out.append(json.loads(line))
                continue
            except ValueError:
                pass
            if '{"' not in line:
                continue  # another message (an availability "online"), not a record
            torn += 1
            at = line.rfind('{"timestamp"')
            if at > 0:
                try:
                    out.append(json.loads(line[at:]))
                except ValueError:
                    pass
    return [r for r in out if isinstance(r, dict) and "device" in r and "timestamp" in r], torn


def mqtt_lines(path):
    """(user properties, record) of each record message of a mosquitto_sub -F '%P|%p' log."""
    out = []
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            props, _, payload = line.rstrip("\n").partition("|")
            try:
                r = json.loads(payload)
            except ValueError:
                continue  # availability, or a line being written
            if isinstance(r, dict) and "device" in r and "timestamp" in r:
                out.append((props, r))
    return out


def server_log(path):
    out = []
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for line in f:
            try:
                out.append(json.loads(line))
            except ValueError:
                pass  # a line being written
    return out


def psql(db, query):
    r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "|", "-d", db, "-c", query],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.strip())
    return [line.split("|") for line in r.stdout.splitlines() if line]


def sqlite_rows(db, query):
    import sqlite3
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


class Delivered:
    def __init__(self):
        self.keys = []        # one per delivery
        self.idem = {}        # idempotency key -> set of record keys
        self.idem_of = {}     # record key -> set of idempotency keys
        self.torn = 0

    def add(self, key, idem=None):
        self.keys.append(key)
        if idem is not None:
            self.idem.setdefault(idem, set()).add(key)
            self.idem_of.setdefault(key, set()).add(idem)

    def unstable(self):
        return sum(len(v) > 1 for v in self.idem.values()) + \
            sum(len(v) > 1 for v in self.idem_of.values())


def read_sink(spec):
    kind, _, where = spec.partition(":")
    d = Delivered()
    if kind == "file":
        recs, d.torn = json_lines(where)
        for r in recs:
            d.add(rec_key(r))
    elif kind == "mqtt":
        for props, payload in mqtt_lines(where):
            seq = [p[len("mdc-seq:"):] for p in props.split() if p.startswith("mdc-seq:")]
            d.add(rec_key(payload), seq[0] if seq else None)
    elif kind == "sqlite":
        if os.path.exists(where):
            for dev, ts in sqlite_rows(where, "SELECT device, ts FROM samples WHERE name = '%s'"
                                       % POINT):
                d.add("%s|%d" % (dev, ts_us(ts)))
    elif kind == "webhook":
        for e in server_log(where):
            if "body" not in e:
                continue
            idem = {k.lower(): v for k, v in e["headers"].items()}.get("idempotency-key", "")
            d.add(rec_key(json.loads(e["body"])), idem)
    elif kind == "pubsub":
        for e in server_log(where):
            for data, rid in zip(e.get("data", []), e.get("ids", [])):
                d.add(rec_key(json.loads(data)), rid or "")
    elif kind == "pg-mdc":
        q = ("SELECT device, to_char(ts AT TIME ZONE 'UTC', "
             "'YYYY-MM-DD\"T\"HH24:MI:SS.US') FROM mdc.samples WHERE name = '%s'" % POINT)
        for dev, ts in psql(where, q):
            d.add("%s|%d" % (dev, ts_us(ts)))
    elif kind == "pg-belmc":
        q = ("SELECT machine_id, to_char(timestamp, 'YYYY-MM-DD\"T\"HH24:MI:SS.US') "
             "FROM ems.machine_ems_history")
        for mid, ts in psql(where, q):
            d.add("ems-%s|%d" % (mid, ts_us(ts)))
    else:
        raise SystemExit("fault_count.py: unknown sink kind %r" % kind)
    return d


def read_keys(path):
    if not path:
        return []
    with open(path) as f:
        return [line.strip() for line in f if line.strip()]


def valued_keys(ref):
    recs, _ = json_lines(ref)
    return {rec_key(r) for r in recs if r.get(POINT) is not None}


def count(args):
    expect = read_keys(args.expect)
    window = set(read_keys(args.window))
    if args.valued:
        keep = valued_keys(args.valued)
        expect = [k for k in expect if k in keep]
    d = read_sink(args.sink)
    seen = Counter(d.keys)
    expected = set(expect)
    must = expected - window
    delivered = sum(1 for k in expected if seen[k])
    lost = sorted(k for k in must if not seen[k])
    wlost = sorted(k for k in expected & window if not seen[k])
    dup = sum(seen[k] - 1 for k in expected if seen[k] > 1)
    raw = sum(seen[k] for k in expected)
    notes = []
    if d.torn:
        notes.append("%d torn line%s" % (d.torn, "" if d.torn == 1 else "s"))
    unstable = d.unstable()
    if unstable:
        notes.append("unstable keys: %d" % unstable)
    return len(expected), delivered, lost, dup, wlost, raw, notes, unstable


def round4(x):
    return round(x * 1e4) / 1e4


def energy(ref, interval_ms):
    """Energy bookkeeping per device over the records of ref (in their order)."""
    recs, _ = json_lines(ref)
    by_dev = {}
    for r in recs:
        by_dev.setdefault(r["device"], {})[ts_us(r["timestamp"])] = r  # duplicates collapse
    bad_total = 0
    for dev in sorted(by_dev):
        rows = [by_dev[dev][t] for t in sorted(by_dev[dev])]
        times = sorted(by_dev[dev])
        gaps = sum(max(0, round((b - a) / (interval_ms * 1000.0)) - 1)
                   for a, b in zip(times, times[1:]))
        valued = [r for r in rows if r.get("active_energy_delivered") is not None]
        total = sum(r["energy_delta_kwh"] for r in valued[1:])
        rise = valued[-1]["active_energy_delivered"] - valued[0]["active_energy_delivered"]
        bad = [b for a, b in zip(valued, valued[1:]) if abs(
            b["energy_delta_kwh"] - round4(b["active_energy_delivered"] -
                                           a["active_energy_delivered"])) > 1e-9]
        bad_total += len(bad)
        print("%s records %d missing_slots %d sum_delta %.4f increase %.4f bad %d" % (
            dev, len(rows), gaps, total, rise, len(bad)))
        for b in bad[:5]:
            print("bad delta:", dev, b["timestamp"], b["energy_delta_kwh"], file=sys.stderr)
    return 1 if bad_total else 0


def main():
    import argparse
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    k = sub.add_parser("keys")
    k.add_argument("ref")
    e = sub.add_parser("energy")
    e.add_argument("ref")
    e.add_argument("interval_ms", type=float)
    for name in ("count", "check"):
        c = sub.add_parser(name)
        c.add_argument("--expect", required=True)
        c.add_argument("--window")
        c.add_argument("--valued")
        c.add_argument("sink")
    args = p.parse_args()
    if args.cmd == "energy":
        return energy(args.ref, args.interval_ms)
    if args.cmd == "keys":
        recs, _ = json_lines(args.ref)
        seen = set()
        for r in recs:
            key = rec_key(r)
            if key not in seen:
                seen.add(key)
                print(key)
        return 0
    try:
        produced, delivered, lost, dup, wlost, raw, notes, unstable = count(args)
    except (RuntimeError, OSError):
        if args.cmd == "check":
            return 1
        raise
    if args.cmd == "check":
        return 0 if not lost else 1
    print(produced, delivered, len(lost), dup, len(wlost), raw, "; ".join(notes) or "-")
    for key in lost[:20]:
        print("missing:", key, file=sys.stderr)
    return 2 if unstable else 0


if __name__ == "__main__":
    sys.exit(main())
