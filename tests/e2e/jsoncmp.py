#!/usr/bin/env python3
"""jsoncmp.py - compare sflowcat -j output with the reference decoder's JSON, datagram by datagram."""

import argparse
import json
import subprocess
import sys

# Fields that describe the reception, not the datagram: they differ between a live capture and a
# reading of the file (pcapTimestamp and pcapTimestamp_uS are only printed when reading a file).
IGNORED = {"datagramSourceIP", "unixSecondsUTC", "unixSecondsUTC_uS", "localtime", "pcapTimestamp",
           "pcapTimestamp_uS"}


class Obj(list):
    """A JSON object kept as an ordered list of (key, value) pairs."""


def load(line):
    return json.loads(line, object_pairs_hook=Obj)


def compare(actual, expected, path, diffs, top=False):
    if isinstance(expected, Obj) or isinstance(actual, Obj):
        if not (isinstance(expected, Obj) and isinstance(actual, Obj)):
            diffs.append(f"{path}: type differs: got {type(actual).__name__}, "
                         f"expected object")
            return
        a = [(k, v) for k, v in actual if not (top and k in IGNORED)]
        e = [(k, v) for k, v in expected if not (top and k in IGNORED)]
        ak = [k for k, _ in a]
        ek = [k for k, _ in e]
        for k in sorted(set(ak) - set(ek)):
            diffs.append(f"{path}/{k}: unexpected field")
        for k in sorted(set(ek) - set(ak)):
            diffs.append(f"{path}/{k}: missing field")
        for k in sorted(k for k in set(ak) if ak.count(k) > 1):
            diffs.append(f"{path}/{k}: field repeated")
        if set(ak) == set(ek) and ak != ek:
            diffs.append(f"{path}: field order differs: got {ak}, expected {ek}")
        ad = dict(a)
        for k, v in e:
            if k in ad:
                compare(ad[k], v, f"{path}/{k}", diffs)
        return
    if isinstance(expected, list) or isinstance(actual, list):
        if not (isinstance(expected, list) and isinstance(actual, list)):
            diffs.append(f"{path}: type differs")
            return
        if len(actual) != len(expected):
            diffs.append(f"{path}: {len(actual)} entries, expected {len(expected)}")
        for i, (av, ev) in enumerate(zip(actual, expected)):
            compare(av, ev, f"{path}[{i}]", diffs)
        return
    if actual != expected:
        diffs.append(f"{path}: got {actual!r}, expected {expected!r}")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sflowcat", help="sflowcat binary to run on --pcap")
    ap.add_argument("--pcap", help="capture file for sflowcat -r")
    ap.add_argument("--actual", help="sflowcat -j output already written to a file")
    ap.add_argument("--expected", required=True, help="reference JSON lines")
    ap.add_argument("--max-diffs", type=int, default=200, help="stop printing after this many")
    args = ap.parse_args()

    if args.actual:
        with open(args.actual, encoding="utf-8") as f:
            actual_text = f.read()
    elif args.sflowcat and args.pcap:
        run = subprocess.run([args.sflowcat, "-r", args.pcap, "-j"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, check=False)
        if run.returncode != 0:
            sys.stderr.write(run.stderr.decode(errors="replace"))
            print(f"jsoncmp: sflowcat exited with {run.returncode}")
            return 1
        if run.stderr:
            sys.stderr.write(run.stderr.decode(errors="replace"))
        actual_text = run.stdout.decode("utf-8", errors="replace")
    else:
        ap.error("give --actual, or --sflowcat and --pcap")

    with open(args.expected, encoding="utf-8") as f:
        expected_lines = [l for l in f.read().splitlines() if l.strip()]
    actual_lines = [l for l in actual_text.splitlines() if l.strip()]

    diffs = []
    if len(actual_lines) != len(expected_lines):
        diffs.append(f"datagram count: got {len(actual_lines)}, expected {len(expected_lines)}")
    for i, (al, el) in enumerate(zip(actual_lines, expected_lines)):
        try:
            a = load(al)
        except ValueError as e:
            diffs.append(f"datagram {i}: sflowcat output is not valid JSON: {e}")
            continue
        compare(a, load(el), f"datagram {i}", diffs, top=True)

    for d in diffs[:args.max_diffs]:
        print(d)
    if len(diffs) > args.max_diffs:
        print(f"... {len(diffs) - args.max_diffs} more differences")
    if diffs:
        print(f"jsoncmp: FAIL: {len(diffs)} differences")
        return 1
    print(f"jsoncmp: OK: {len(expected_lines)} datagrams match")
    return 0


if __name__ == "__main__":
    sys.exit(main())
