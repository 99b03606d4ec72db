#!/usr/bin/env python3
"""Validate a why-reasons question set against the corpus.

Usage: python3 eval/check_reasons.py eval/why-reasons.jsonl assets/corpus/summaries_en-us.json

Checks, for every line of the JSONL file:
  * the line is a JSON object with keys q, sources, reasons, off_topic_titles;
  * every title in sources, reasons[].source and off_topic_titles exists in the corpus;
  * every reason has a non-empty name, 1-4 match strings, and each match string is
    lowercase and occurs (case-insensitively) in the extract of the reason's source;
  * every reason's source is listed in sources;
  * no off-topic title is also a source;
  * questions are unique.
Prints one line per problem and exits non-zero if there is any problem.
"""
import json
import sys


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    jsonl_path, corpus_path = argv[1], argv[2]
    with open(corpus_path, encoding="utf-8") as f:
        corpus = json.load(f)
    extracts = {title: (doc.get("extract") or "").lower() for title, doc in corpus.items()}

    problems = []
    seen_q = set()
    n = 0
    with open(jsonl_path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            n += 1
            where = f"line {lineno}"
            try:
                item = json.loads(line)
            except json.JSONDecodeError as e:
                problems.append(f"{where}: invalid JSON ({e})")
                continue
            if not isinstance(item, dict):
                problems.append(f"{where}: not a JSON object")
                continue
            for key in ("q", "sources", "reasons", "off_topic_titles"):
                if key not in item:
                    problems.append(f"{where}: missing key {key!r}")
            q = item.get("q", "")
            where = f"line {lineno} ({q[:60]!r})"
            if not isinstance(q, str) or not q.strip():
                problems.append(f"{where}: empty question")
            elif q in seen_q:
                problems.append(f"{where}: duplicate question")
            seen_q.add(q)

            sources = item.get("sources", [])
            if not isinstance(sources, list):
                problems.append(f"{where}: sources is not a list")
                sources = []
            for t in sources:
                if t not in corpus:
                    problems.append(f"{where}: source title not in corpus: {t!r}")

            reasons = item.get("reasons", [])
            if not isinstance(reasons, list):
                problems.append(f"{where}: reasons is not a list")
                reasons = []
            for i, r in enumerate(reasons):
                rw = f"{where} reason {i + 1}"
                if not isinstance(r, dict):
                    problems.append(f"{rw}: not an object")
                    continue
                if not str(r.get("name", "")).strip():
                    problems.append(f"{rw}: empty name")
                src = r.get("source")
                if src not in corpus:
                    problems.append(f"{rw}: reason source not in corpus: {src!r}")
                    continue
                if src not in sources:
                    problems.append(f"{rw}: reason source {src!r} not listed in sources")
                matches = r.get("match", [])
                if not isinstance(matches, list) or not (1 <= len(matches) <= 4):
                    problems.append(f"{rw}: match must be a list of 1-4 strings")
                    matches = matches if isinstance(matches, list) else []
                for m in matches:
                    if not isinstance(m, str) or not m.strip():
                        problems.append(f"{rw}: empty match string")
                        continue
                    if m != m.lower():
                        problems.append(f"{rw}: match not lowercase: {m!r}")
                    if m.lower() not in extracts[src]:
                        problems.append(f"{rw}: match {m!r} not in extract of {src!r}")

            off = item.get("off_topic_titles", [])
            if not isinstance(off, list):
                problems.append(f"{where}: off_topic_titles is not a list")
                off = []
            if len(off) > 4:
                problems.append(f"{where}: more than 4 off-topic titles")
            for t in off:
                if t not in corpus:
                    problems.append(f"{where}: off-topic title not in corpus: {t!r}")
                if t in sources:
                    problems.append(f"{where}: off-topic title is also a source: {t!r}")

    for p in problems:
        print(p)
    print(f"{n} questions checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
