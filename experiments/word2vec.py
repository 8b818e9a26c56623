"""Word vectors from your own unlabelled text (gensim's word2vec), for ``config.data.vectors``.

    python -m experiments.word2vec --out=/tmp/vectors/movies.txt     # the default corpus below
    python -m experiments.word2vec --out=V.txt --text=a.txt --text=reviews.tar.gz

The default corpus is in-domain text with no test sentences in it: the 2,000 full movie
reviews of Pang & Lee's polarity v2.0 (64,720 lines) and the 8,544 SST training sentences
(1.66M tokens in all). Skip-gram, 300 dimensions (``configs/sst2.py``'s ``model.embed``),
lower-cased as the GLUE and polarity text already is. One worker thread and a fixed seed
make the file the same on every run, as gensim documents (``--workers`` trades that for
speed); the default corpus takes 160 s on a 2-core CPU.

Inputs, by kind: a ``.tar.gz`` (every ``.txt`` member, one sentence per line), SST's PTB
trees (the root sentences only: a phrase repeats its sentence's words), or plain text
(one sentence per line, ``.gz`` allowed). The file is written whole or not at all.
"""

from __future__ import annotations

import argparse
import os
import sys
import tarfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_TEXT = [
    "../shared/data/movie_review_polarity/review_polarity.tar.gz",
    "../shared/data/sst/train.txt",
]


def sentences(path: str, lowercase: bool = True) -> list[list[str]]:
    """One file -> its sentences as token lists (whitespace tokens)."""
    from lstm_jax.data.classification import looks_like_trees, read_sst_trees
    from lstm_jax.data.text import read_text

    if not os.path.isfile(path):
        raise FileNotFoundError(f"--text {path!r} does not exist")
    if path.endswith((".tar.gz", ".tgz", ".tar")):
        lines = []
        with tarfile.open(path) as tar:
            for member in sorted(tar.getmembers(), key=lambda m: m.name):
                if member.isfile() and member.name.endswith(".txt"):
                    lines += tar.extractfile(member).read().decode("utf-8", "replace").splitlines()
    elif looks_like_trees(path):
        lines = [text for text, _ in read_sst_trees(path, 5)[0]]
    else:
        lines = read_text(path).splitlines()
    out = [(line.lower() if lowercase else line).split() for line in lines]
    return [s for s in out if s]


def train(
    corpus: list[list[str]],
    dim: int = 300,
    epochs: int = 10,
    window: int = 5,
    min_count: int = 2,
    seed: int = 0,
    workers: int = 1,
):
    """-> gensim KeyedVectors: skip-gram with 10 negative samples."""
    from gensim.models import Word2Vec

    model = Word2Vec(
        corpus,
        vector_size=dim,
        window=window,
        min_count=min_count,
        sg=1,
        negative=10,
        epochs=epochs,
        seed=seed,
        workers=workers,
    )
    return model.wv


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--out", required=True, help="the word2vec text file to write")
    p.add_argument("--text", action="append", help="input file (repeat); default: see above")
    p.add_argument("--dim", type=int, default=300, help="= the config's model.embed")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--window", type=int, default=5)
    p.add_argument("--min-count", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=1, help="more is faster but not repeatable")
    p.add_argument("--keep-case", action="store_true", help="do not lower-case the text")
    args = p.parse_args(argv)
    try:
        import gensim  # noqa: F401
    except ImportError:
        sys.exit('error: word2vec needs gensim: pip install -e ".[vectors]"')
    paths = args.text or [os.path.relpath(os.path.join(REPO, t)) for t in DEFAULT_TEXT]
    corpus = []
    for path in paths:
        try:
            got = sentences(path, lowercase=not args.keep_case)
        except (FileNotFoundError, OSError, tarfile.TarError) as e:
            sys.exit(f"error: {e}; give readable files with --text")
        print(f"{path}: {len(got):,} sentences, {sum(map(len, got)):,} tokens", flush=True)
        corpus += got
    if not corpus:
        sys.exit("error: the --text files hold no words")
    start = time.time()
    vectors = train(
        corpus, args.dim, args.epochs, args.window, args.min_count, args.seed, args.workers
    )
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    partial = args.out + ".partial"
    vectors.save_word2vec_format(partial)
    os.replace(partial, args.out)  # never a half-written file under the name a config reads
    print(f"{len(vectors):,} words x {args.dim} -> {args.out} in {time.time() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
