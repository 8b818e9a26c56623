"""The bAbI reader on hand-written stories: several questions per story, lists, gzip,
the valid split by stories, and each malformed input as a one-line error."""

import gzip

import pytest

from configs import babi as babi_config
from lstm_jax.data import babi
from lstm_jax.errors import DataError

STORY = """1 Mary moved to the bathroom.
2 John went to the hallway.
3 Where is Mary?\tbathroom\t1
4 Daniel went back to the hallway.
5 Sandra picked up the apple there.
6 Sandra took the football.
7 What is Sandra carrying?\tapple,football\t5 6
1 John travelled to the garden.
2 Where is John?\tgarden\t1
"""


def test_questions_see_only_the_statements_before_them():
    q1, q2, q3 = babi.parse(STORY.splitlines(), "s.txt", task=8)
    assert q1.story == (
        ("mary", "moved", "to", "the", "bathroom"),
        ("john", "went", "to", "the", "hallway"),
    )
    assert q1.question == ("where", "is", "mary") and q1.answer == ("bathroom",)
    assert q1.supporting == (0,) and q1.where == "s.txt:3" and q1.task == 8
    # the question line (3) is not a statement: line 5 is the story's 4th statement
    assert len(q2.story) == 5 and q2.supporting == (3, 4)
    assert q2.answer == ("apple", "football")  # a list: its words in order
    assert q3.story == (("john", "travelled", "to", "the", "garden"),) and q3.story_id == 1
    assert q1.story_id == q2.story_id == 0


@pytest.mark.parametrize(
    "lines,match",
    [
        (["1 Mary went home.", "Where is Mary?\thome\t1"], r"s.txt:2: a line must start with"),
        (["1 Where is Mary?\thome\t1"], r"s.txt:1: a question with no story"),
        (["1 Mary went home.", "2 Where is Mary?\thome\t3"], r"s.txt:2: supporting fact 3 points"),
        (
            ["1 Mary went home.", "2 Where?\thome\t1", "3 Who?\tx\t2"],
            r"s.txt:3: .* not a statement",
        ),
        (["1 Mary went home.", "2 Where is Mary?\t\t1"], r"s.txt:2: a question needs"),
    ],
)
def test_malformed_input_names_file_and_line(lines, match):
    with pytest.raises(DataError, match=match):
        babi.parse(lines, "s.txt")


def write_task(folder, task, name, train, test, gz=False):
    folder.mkdir(parents=True, exist_ok=True)
    for split, body in (("train", train), ("test", test)):
        path = folder / f"qa{task}_{name}_{split}.txt"
        if gz:
            with gzip.open(f"{path}.gz", "wt") as f:
                f.write(body)
        else:
            path.write_text(body)


def test_sets_tasks_valid_split_and_the_missing_10k_file(tmp_path, capsys):
    for task in range(1, 21):  # data.task=0 reads all 20; en-10k lacks qa2's training file
        write_task(
            tmp_path / "en", task, "where", babi.toy_stories(20, task), babi.toy_stories(5, 99)
        )
        write_task(
            tmp_path / "en-10k",
            task,
            "where",
            babi.toy_stories(20, task),
            babi.toy_stories(5, 99),
            gz=True,
        )
    (tmp_path / "en-10k" / "qa2_where_train.txt.gz").unlink()
    c = babi_config.get_config()
    c.data.dir, c.data.task, c.data.set = str(tmp_path), 0, "en-10k"
    files = babi.task_files(c.data)
    assert [t for t, _ in files["train"]] == list(range(1, 21))
    assert files["train"][1][1].endswith("en/qa2_where_train.txt")
    assert "task 2 has no en-10k training file" in capsys.readouterr().out
    data = babi.load(c, str(tmp_path / "w"))
    assert len(data.questions["train"]) + len(data.questions["valid"]) == 400
    assert len(data.questions["valid"]) == 40  # 10% of each task's stories
    train_stories = {(q.task, q.story_id) for q in data.questions["train"]}
    assert not train_stories & {(q.task, q.story_id) for q in data.questions["valid"]}
    assert data.answer_length == 2  # one word, then <end>
    (tmp_path / "en" / "qa3_where_train.txt").unlink()
    c.data.task, c.data.set = 3, "en"
    with pytest.raises(DataError, match=r"no qa3_\*_train"):
        babi.task_files(c.data)
