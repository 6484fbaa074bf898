"""`python -m model.evaluate --model` on files that are not checkpoints: one line naming the file and what is
wrong, exit 2, never a traceback (torch.load keeps weights_only=True: a checkpoint never runs code)."""
from __future__ import annotations

import torch

from model.evaluate import main


def _files(tmp_path):
    (tmp_path / "notes.pt").write_text("not a model\n")
    torch.save({"weights": torch.zeros(3)}, tmp_path / "other.pt")
    torch.save(dict(state_dict={}, net_kwargs={"n_layers": 9}, config={}, labels=["a"], backend="librosa"),
               tmp_path / "old.pt")
    whole = (tmp_path / "other.pt").read_bytes()
    (tmp_path / "cut.pt").write_bytes(whole[: len(whole) // 2])
    return {"notes.pt": "not a checkpoint (torch.save file) at all",
            "other.pt": "a torch file, but not a model.train checkpoint (no state_dict, net_kwargs, config, labels, backend)",
            "old.pt": "written by another version of this project (TypeError: ",
            "cut.pt": "damaged or cut short (RuntimeError: "}


def test_bad_checkpoints_get_one_line_naming_the_file(tmp_path, capsys):
    for name, why in _files(tmp_path).items():
        assert main(["--model", str(tmp_path / name), "--dataset", "synthetic"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith(f"error: --model {tmp_path / name}: {why}"), err
        assert "Traceback" not in err


def test_a_pickle_that_would_run_code_is_refused_not_run(tmp_path, capsys):
    import pickle

    class Boom:
        def __reduce__(self):
            return (print, ("ran code",))

    with open(tmp_path / "evil.pt", "wb") as f:
        pickle.dump(Boom(), f)
    assert main(["--model", str(tmp_path / "evil.pt"), "--dataset", "synthetic"]) == 2
    captured = capsys.readouterr()
    assert "ran code" not in captured.out and captured.err.startswith(f"error: --model {tmp_path / 'evil.pt'}: ")
