"""bAbI question answering (Weston et al. 2015): the reader, the splits and the batches.

A file is stories of numbered lines; numbering restarts at 1 with each story. A line is
a statement (``1 Mary moved to the bathroom.``) or a question with its answer and the
ids of its supporting statements, tab-separated (``3 Where is Mary?<TAB>bathroom<TAB>1``).
A question sees the story's statements before it (questions are not statements). Answers
are one word, or a comma-separated list (task 8's ``apple,football``, task 19's ``n,w``):
the model predicts them as a short sequence of words, in order, closed by ``<end>``.

Validation: 10% of each task's training *stories* (with all their questions, about 10% of
the questions), drawn by a seeded rule, so no valid question's story was trained on.
"""

from __future__ import annotations

import dataclasses
import glob
import os
import re
from collections.abc import Sequence

import ml_collections
import numpy as np

from lstm_jax.data import batching, text
from lstm_jax.data.text import read_text
from lstm_jax.errors import ConfigError, DataError

SPLITS = ("train", "valid", "test")
PAD, END = "<pad>", "<end>"
SETS = ("en", "en-10k")
NUM_TASKS = 20


def tokens(sentence: str) -> list[str]:
    """Lower-cased words and numbers; punctuation dropped."""
    return re.findall(r"[a-z0-9]+", sentence.lower())


@dataclasses.dataclass(frozen=True)
class Question:
    story: tuple[tuple[str, ...], ...]  # the statements before the question, as words
    question: tuple[str, ...]
    answer: tuple[str, ...]  # one word, or a list's words in order
    supporting: tuple[int, ...]  # indices into ``story``
    task: int  # 1-20 (0: unknown)
    story_id: int  # the story's number within its file
    where: str  # file:line


def parse(lines: Sequence[str], where: str = "<input>", task: int = 0) -> list[Question]:
    """Questions from the lines of a bAbI file; ``where`` names it in errors."""
    out: list[Question] = []
    story: list[tuple[str, ...]] = []
    line_to_statement: dict[int, int] = {}
    story_id, last_id = -1, 0
    for n, raw in enumerate(lines, 1):
        line = raw.rstrip("\n")
        if not line.strip():
            continue
        m = re.match(r"\s*(\d+) (.*)$", line)
        if not m:
            raise DataError(f"{where}:{n}: a line must start with its number: {line[:60]!r}")
        lid, body = int(m.group(1)), m.group(2)
        if lid == 1 or lid <= last_id:  # numbering restarts: a new story
            story, line_to_statement, story_id = [], {}, story_id + 1
        last_id = lid
        if "\t" not in body:
            line_to_statement[lid] = len(story)
            story.append(tuple(tokens(body)))
            continue
        parts = body.split("\t")
        if len(parts) < 2 or not parts[1].strip():
            raise DataError(f"{where}:{n}: a question needs question<TAB>answer<TAB>facts")
        if not story:
            raise DataError(f"{where}:{n}: a question with no story before it")
        facts = []
        for f in parts[2].split() if len(parts) > 2 else []:
            if not f.isdigit():
                raise DataError(f"{where}:{n}: supporting fact id {f!r} is not a number")
            if int(f) >= lid:
                raise DataError(
                    f"{where}:{n}: supporting fact {f} points forward (the question is line {lid})"
                )
            if int(f) not in line_to_statement:
                raise DataError(
                    f"{where}:{n}: supporting fact {f} is not a statement of this story"
                )
            facts.append(line_to_statement[int(f)])
        answer = tuple(w for a in parts[1].split(",") for w in tokens(a))
        out.append(
            Question(
                tuple(story),
                tuple(tokens(parts[0])),
                answer,
                tuple(facts),
                task,
                story_id,
                f"{where}:{n}",
            )
        )
    return out


def with_answer_column(lines: Sequence[str]) -> list[str]:
    """A user's story may leave a question's answer out (``3 Where is Mary?``, with or
    without the tab): give it a placeholder, so that ``parse`` takes it as a question."""
    out = []
    for line in lines:
        body = line.rstrip()
        if "\t" not in body and body.endswith("?"):
            body += "\t?"
        elif body.endswith("\t"):
            body += "?"
        out.append(body)
    return out


def read(path: str, task: int = 0) -> list[Question]:
    questions = parse(read_text(path).splitlines(), path, task)
    if not questions:
        raise DataError(f"{path!r} holds no question")
    return questions


def toy_stories(n: int, seed: int = 0) -> str:
    """``n`` generated stories in the bAbI format, one question each: two people go to
    two places; where is one of them? (single supporting fact). For tests and notebooks
    without the real files."""
    rng = np.random.default_rng(seed)
    people, places = ["mary", "john", "sandra"], ["kitchen", "garden", "office", "hallway"]
    out = []
    for _ in range(n):
        p = rng.choice(people, 2, replace=False)
        where = rng.choice(places, 2)
        who = int(rng.integers(2))
        out += [
            f"1 {p[0]} went to the {where[0]}.",
            f"2 {p[1]} went to the {where[1]}.",
            f"3 Where is {p[who]}?\t{where[who]}\t{who + 1}",
        ]
    return "\n".join(out) + "\n"


def task_file(folder: str, task: int, split: str) -> str | None:
    """``qa{task}_*_{split}.txt`` or ``.txt.gz`` in ``folder``, or None."""
    found = sorted(glob.glob(os.path.join(folder, f"qa{task}_*_{split}.txt*")))
    return found[0] if found else None


def task_files(d: ml_collections.ConfigDict) -> dict[str, list[tuple[int, str]]]:
    """(task, file) per split ("train" and "test") for ``data.task`` (0: all 20)."""
    if d.set not in SETS:
        raise ConfigError(f"unknown data.set {d.set!r}; choose one of {SETS}")
    if not 0 <= d.task <= NUM_TASKS:
        raise ConfigError(f"data.task must be 1-{NUM_TASKS}, or 0 for all jointly; got {d.task}")
    folder = os.path.join(d.dir, d.set)
    if not os.path.isdir(folder):
        raise DataError(f"bAbI folder {folder!r} does not exist; check data.dir and data.set")
    out: dict[str, list[tuple[int, str]]] = {"train": [], "test": []}
    for task in [d.task] if d.task else range(1, NUM_TASKS + 1):
        for split in ("train", "test"):
            path = task_file(folder, task, split)
            if path is None and split == "train" and d.set != "en":
                # en-10k lacks qa3's training file: train on the 1k one (said at load)
                path = task_file(os.path.join(d.dir, "en"), task, split)
                if path:
                    print(f"babi: task {task} has no {d.set} training file: using {path}")
            if path is None:
                raise DataError(f"no qa{task}_*_{split}.txt(.gz) in {folder!r}")
            out[split].append((task, path))
    return out


def split_valid(
    questions: list[Question], fraction: float, seed: int
) -> tuple[list[Question], list[Question]]:
    """(train, valid): ``fraction`` of the stories, drawn per task with ``seed``."""
    train, valid = [], []
    for task in sorted({q.task for q in questions}):
        mine = [q for q in questions if q.task == task]
        stories = sorted({q.story_id for q in mine})
        rng = np.random.default_rng([seed, task])
        held = set(rng.choice(stories, max(1, round(fraction * len(stories))), replace=False))
        for q in mine:
            (valid if q.story_id in held else train).append(q)
    return train, valid


Encoded = tuple[list[np.ndarray], np.ndarray, np.ndarray, np.ndarray, int]


@dataclasses.dataclass
class BabiData(batching.Bucketed):
    """``questions[split]``; ``encoded[split]``: per question (sentence word ids, question
    ids, answer ids closed by ``<end>``, supporting indices, task) with the story cut to
    its last ``max_sentences`` statements."""

    questions: dict[str, list[Question]]
    words: text.Vocab
    answers: text.Vocab
    answer_length: int
    max_sentences: int
    #: sentence and question widths of every batch (the data's longest), so that only the
    #: number of sentences varies between batches: few shapes to compile
    word_width: int
    question_width: int
    batch_size: int
    eval_batch_size: int
    encoded: dict[str, list[Encoded]] = dataclasses.field(default_factory=dict)

    def encode(self, q: Question) -> Encoded:
        cut = max(0, len(q.story) - self.max_sentences)
        sentences = [self.words.encode(s)[0] for s in q.story[cut:]]
        question = self.words.encode(q.question)[0]
        answer = np.zeros(self.answer_length, np.int32)  # <end>-padded
        ids = [self.answers.stoi.get(w, -1) for w in q.answer][: self.answer_length]
        answer[: len(ids)] = ids
        support = np.array([i - cut for i in q.supporting], np.int32)
        return sentences, question, answer, support, q.task

    def lengths(self, split: str) -> list[int]:
        return [len(e[0]) for e in self.encoded[split]]

    def batch(self, split: str, index: np.ndarray) -> dict[str, np.ndarray]:
        return self.make_batch(self.encoded[split], index)

    def make_batch(self, items: Sequence[Encoded], index: np.ndarray) -> dict[str, np.ndarray]:
        """Rows ``index`` (-1: a weight-0 filler row) -> story int32[rows, sentences, words],
        sentence_lengths int32[rows, sentences], story_lengths, question int32[rows, words],
        question_lengths, answer int32[rows, answer_length], supporting int32[rows, 3]
        (-1: none or cut off), task int32[rows], weights float32[rows]."""
        rows = [items[i] if i >= 0 else None for i in index]
        s = max([len(r[0]) for r in rows if r] + [1])
        s = -(-s // 8) * 8  # few shapes to compile
        w = max([len(x) for r in rows if r for x in r[0]] + [self.word_width])
        qw = max([len(r[1]) for r in rows if r] + [self.question_width])
        b = len(index)
        out = {
            "story": np.zeros((b, s, w), np.int32),
            "sentence_lengths": np.zeros((b, s), np.int32),
            "story_lengths": np.ones(b, np.int32),
            "question": np.zeros((b, qw), np.int32),
            "question_lengths": np.ones(b, np.int32),
            "answer": np.zeros((b, self.answer_length), np.int32),
            "supporting": np.full((b, 3), -1, np.int32),
            "task": np.zeros(b, np.int32),
            "weights": np.array([r is not None for r in rows], np.float32),
        }
        for i, r in enumerate(rows):
            if r is None:
                continue
            sentences, question, answer, support, task = r
            for j, sent in enumerate(sentences):
                out["story"][i, j, : len(sent)] = sent
                out["sentence_lengths"][i, j] = len(sent)
            out["story_lengths"][i] = max(len(sentences), 1)
            out["question"][i, : len(question)] = question
            out["question_lengths"][i] = max(len(question), 1)
            out["answer"][i] = answer
            kept = support[(support >= 0)][:3]
            out["supporting"][i, : len(kept)] = kept
            out["task"][i] = task
        return out


def load(config: ml_collections.ConfigDict, workdir: str) -> BabiData:
    d = config.data
    files = task_files(d)
    train_all = [q for task, path in files["train"] for q in read(path, task)]
    train, valid = split_valid(train_all, d.valid_fraction, d.valid_seed)
    questions = {"train": train, "valid": valid, "test": []}
    for task, path in files["test"]:
        questions["test"] += read(path, task)
    words = text.Vocab.build(w for q in train for s in (*q.story, q.question) for w in s)
    words = text.Vocab([PAD, *words.itos])  # 0 pads sentences and words; <unk> stays last
    answer_words = sorted({w for q in train for w in q.answer})
    answers = text.Vocab([END, *answer_words])
    length = max(len(q.answer) for q in train) + 1  # room for <end> after the longest
    for split in ("valid", "test"):
        unseen = {w for q in questions[split] for w in q.answer} - set(answer_words)
        if unseen:
            q = next(q for q in questions[split] if set(q.answer) & unseen)
            raise DataError(
                f"{q.where}: answer {','.join(q.answer)!r} has a word no training answer has "
                f"({sorted(unseen)[0]!r}); the answer classifier cannot produce it"
            )
    text.keep_vocabs(workdir, {"vocab.words.jsonl": words, "vocab.answers.jsonl": answers})
    every = [q for qs in questions.values() for q in qs]
    data = BabiData(
        questions,
        words,
        answers,
        length,
        d.max_sentences,
        max(len(s) for q in every for s in q.story),
        max(len(q.question) for q in every),
        config.batch_size,
        d.eval_batch_size,
    )
    data.encoded = {s: [data.encode(q) for q in qs] for s, qs in questions.items()}
    for split in SPLITS:
        cut = sum(
            any(i < len(q.story) - d.max_sentences for i in q.supporting) for q in questions[split]
        )
        if cut:
            print(
                f"babi: {cut} of {len(questions[split])} {split} questions have a supporting "
                f"fact older than the last data.max_sentences={d.max_sentences} statements"
            )
    return data
