"""The reference for the embedding benchmark: sentence-transformers on PyTorch, CPU.

Run by `because-bench` in a throwaway virtual environment (bench/reference.sh installs it);
the product never needs Python. Reads one sentence per line, builds all-MiniLM-L6-v2 from the
same weights the Rust embedder uses exactly as the published model is configured (BERT,
truncation at 256 word pieces, mean pooling, L2 normalisation), embeds every sentence ROUNDS
times and writes a JSON report: the seconds of each round, and the vectors of the last round
(so the caller can check that both implementations computed the same thing).

usage: reference_embed.py MODEL_DIR SENTENCES_FILE THREADS ROUNDS OUT_JSON
"""

import json
import sys
import time


def main() -> None:
    model_dir, sentences_file, threads, rounds, out_path = sys.argv[1:6]
    threads, rounds = int(threads), int(rounds)

    import torch

    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import (
        Normalize,
        Pooling,
        Transformer,
    )

    transformer = Transformer(model_dir, max_seq_length=256)
    pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
    model = SentenceTransformer(
        modules=[transformer, pooling, Normalize()], device="cpu"
    )
    model.eval()

    with open(sentences_file, encoding="utf-8") as f:
        sentences = [line.rstrip("\n") for line in f]

    model.encode(sentences[:64], batch_size=32)  # warm-up
    seconds = []
    vectors = None
    for _ in range(rounds):
        started = time.perf_counter()
        vectors = model.encode(sentences, batch_size=32, convert_to_numpy=True)
        seconds.append(time.perf_counter() - started)

    report = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "sentences": len(sentences),
        "seconds": seconds,
        "vectors": [[round(float(x), 6) for x in row] for row in vectors],
    }
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(report, f)


if __name__ == "__main__":
    main()
