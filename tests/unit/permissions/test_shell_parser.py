"""The shell parser finds every simple command a line would run, and refuses what it cannot read."""

from __future__ import annotations

import pytest

from penguin_tui.engine.permissions import ShellParseError, SimpleCommand, Target, parse_shell


def texts(targets: tuple[Target, ...]) -> tuple[str, ...]:
    return tuple(target.text for target in targets)


def argvs(command: str) -> list[tuple[str, ...]]:
    return [part.argv for part in parse_shell(command)]


def only(command: str) -> SimpleCommand:
    parts = parse_shell(command)
    assert len(parts) == 1, parts
    return parts[0]


# ----------------------------------------------------------------------------- quoting


def test_quotes_and_escapes_are_removed() -> None:
    assert argvs("""echo 'a b' "c d" e\\ f "g\\"h" 'i"j'""") == [
        ("echo", "a b", "c d", "e f", 'g"h', 'i"j')
    ]


def test_adjacent_quoted_parts_make_one_word() -> None:
    assert argvs("""echo a'b'"c"\\d""") == [("echo", "abcd")]


def test_backslash_newline_continues_the_line() -> None:
    assert argvs("echo a \\\n  b") == [("echo", "a", "b")]


def test_comments_are_skipped() -> None:
    assert argvs("ls # rm -rf /\npwd") == [("ls",), ("pwd",)]


def test_hash_inside_a_word_is_not_a_comment() -> None:
    assert argvs("echo a#b") == [("echo", "a#b")]


@pytest.mark.parametrize("command", ["echo 'open", 'echo "open', "echo `open", "echo $(open"])
def test_unbalanced_quotes_are_refused(command: str) -> None:
    with pytest.raises(ShellParseError):
        parse_shell(command)


# ------------------------------------------------------------------------------- lists


@pytest.mark.parametrize("operator", ["&&", "||", ";", "|", "&", "|&", "\n"])
def test_every_list_operator_separates_commands(operator: str) -> None:
    assert argvs(f"ls -l {operator} rm x") == [("ls", "-l"), ("rm", "x")]


def test_background_at_the_end_is_fine() -> None:
    assert argvs("make &") == [("make",)]


@pytest.mark.parametrize("command", ["ls &&", "&& ls", "ls | ", "ls ;; pwd", "ls & & pwd"])
def test_dangling_operators_are_refused(command: str) -> None:
    with pytest.raises(ShellParseError):
        parse_shell(command)


def test_newline_after_and_and_continues_the_list() -> None:
    assert argvs("ls &&\n  pwd") == [("ls",), ("pwd",)]


def test_negation_is_skipped() -> None:
    assert argvs("! grep -q x f") == [("grep", "-q", "x", "f")]


# ---------------------------------------------------------------- subshells and groups


def test_subshell_and_group_commands_are_found() -> None:
    assert argvs("(cd src && make) ; { rm a; rm b; }") == [
        ("cd", "src"),
        ("make",),
        ("rm", "a"),
        ("rm", "b"),
    ]


def test_redirection_of_a_group_is_kept() -> None:
    parts = parse_shell("{ echo a; } > out.txt")
    assert parts[-1] == SimpleCommand(argv=(), writes=(Target("out.txt"),))


@pytest.mark.parametrize("command", ["( ls", "{ ls; ", "{ ls }", "ls )", "}"])
def test_unbalanced_groups_are_refused(command: str) -> None:
    with pytest.raises(ShellParseError):
        parse_shell(command)


# -------------------------------------------------------------------- substitutions


def test_command_substitution_is_parsed_and_marks_the_word() -> None:
    parts = parse_shell("echo $(rm -rf /)")
    assert [part.argv for part in parts] == [("rm", "-rf", "/"), ("echo", "$(rm -rf /)")]
    assert parts[1].runtime == ("$(rm -rf /)",)


def test_nested_command_substitutions() -> None:
    assert argvs('echo "$(cat $(ls))"') == [("ls",), ("cat", "$(ls)"), ("echo", "$(cat $(ls))")]


def test_backquotes_and_nested_backquotes() -> None:
    assert argvs("echo `rm a` `echo \\`rm b\\``") == [
        ("rm", "a"),
        ("rm", "b"),
        ("echo", "`rm b`"),
        ("echo", "`rm a`", "`echo \\`rm b\\``"),
    ]


def test_process_substitution_both_ways() -> None:
    parts = parse_shell("diff <(sort a) >(tee /tmp/x)")
    assert [part.argv for part in parts] == [
        ("sort", "a"),
        ("tee", "/tmp/x"),
        ("diff", "<(sort a)", ">(tee /tmp/x)"),
    ]
    assert texts(parts[1].writes) == ("/tmp/x",)


def test_variables_are_run_time_values() -> None:
    part = only('rm -rf "$HOME/x" ${TMP} $1')
    assert part.runtime == ('"$HOME/x"', "${TMP}", "$1")


def test_single_quoted_dollar_is_literal() -> None:
    assert only("grep '^a$' f").runtime == ()


def test_commit_message_from_a_quoted_heredoc_is_a_literal() -> None:
    command = "git commit -m \"$(cat <<'EOF'\nFix the bug\n\nDetails.\nEOF\n)\""
    assert parse_shell(command) == [
        SimpleCommand(argv=("git", "commit", "-m", "Fix the bug\n\nDetails."))
    ]


@pytest.mark.parametrize(
    "command",
    [
        "$CMD -rf /",
        "${CMD} x",
        "$(echo rm) -rf /",
        "`which rm` x",
        "<(ls)",
        "/bin/r? -rf /",
        "*.sh",
    ],
)
def test_a_command_name_only_known_at_run_time_is_refused(command: str) -> None:
    with pytest.raises(ShellParseError):
        parse_shell(command)


@pytest.mark.parametrize(
    "command",
    [
        "echo $'a\\nb'",
        'echo $"x"',
        "echo $((1 + 2))",
        "echo $[1 + 2]",
        "(( x = 1 ))",
        "echo ${x:-$(rm -rf /)}",
        "echo ${#x}",
        "echo {a,b}",
        "echo x{1..3}",
        "f() { rm -rf /; }",
        "function f { ls; }",
        "a=(1 2)",
        "ls !(x)",
        "for f in *; do rm $f; done",
        "if true; then rm -rf /; fi",
        "while true; do ls; done",
        "case x in x) ls;; esac",
        "[[ -f x ]]",
        "alias ll='rm -rf /'",
        "source ./env.sh",
        ". ./env.sh",
        "trap 'rm -rf /' EXIT",
        "let x=1",
        "hash -p /tmp/evil git",
        "coproc ls",
    ],
)
def test_constructs_that_are_not_checked_are_refused(command: str) -> None:
    with pytest.raises(ShellParseError):
        parse_shell(command)


def test_an_error_keeps_what_was_read_before_it() -> None:
    with pytest.raises(ShellParseError) as caught:
        parse_shell("echo ok && $(rm x)")
    assert [part.argv for part in caught.value.partial] == [("echo", "ok"), ("rm", "x")]


def test_deep_nesting_is_refused_not_crashed() -> None:
    with pytest.raises(ShellParseError):
        parse_shell("echo " + "$(" * 50 + "ls" + ")" * 50)
    with pytest.raises(ShellParseError):
        parse_shell("bash -c " + "'" + "eval " * 40 + "ls'")


# --------------------------------------------------------------------- redirections


def test_redirections_are_writes_or_reads() -> None:
    part = only("cmd > a >> b >| c &> d &>> e 2> f 1>g < h <> i 2>&1 >&- <<< word")
    assert part.argv == ("cmd",)
    assert texts(part.writes) == ("a", "b", "c", "d", "e", "f", "g", "i")
    assert texts(part.reads) == ("h", "i")


def test_redirection_before_the_command() -> None:
    part = only("2>/dev/null >out ls -l")
    assert part.argv == ("ls", "-l")
    assert texts(part.writes) == ("/dev/null", "out")


def test_redirection_to_a_variable_is_a_run_time_value() -> None:
    part = only('echo x > "$OUT"')
    assert texts(part.writes) == ("$OUT",)
    assert part.runtime == ('"$OUT"',)


def test_named_descriptor_redirection_is_not_the_command() -> None:
    part = only("{fd}>log.txt rm -rf x")
    assert part.argv == ("rm", "-rf", "x")
    assert texts(part.writes) == ("log.txt",)


def test_a_lone_bracket_is_the_test_command_not_a_glob() -> None:
    assert argvs("[ -f x ] && echo yes") == [("[", "-f", "x", "]"), ("echo", "yes")]


def test_redirection_without_a_file_is_refused() -> None:
    with pytest.raises(ShellParseError):
        parse_shell("echo >")


def test_heredoc_body_is_not_a_command() -> None:
    command = "cat <<EOF > notes.txt\nrm -rf /\nEOF\necho done"
    parts = parse_shell(command)
    assert [part.argv for part in parts] == [("cat",), ("echo", "done")]
    assert texts(parts[0].writes) == ("notes.txt",)


def test_unquoted_heredoc_substitutions_run() -> None:
    assert argvs("cat <<EOF\nhello $(rm -rf /)\nEOF") == [("cat",), ("rm", "-rf", "/")]


def test_quoted_heredoc_substitutions_do_not_run() -> None:
    assert argvs("cat <<'EOF'\nhello $(rm -rf /)\nEOF") == [("cat",)]


def test_heredoc_with_tab_stripping() -> None:
    assert argvs("cat <<-EOF\n\trm -rf /\n\tEOF\nls") == [("cat",), ("ls",)]


def test_heredoc_after_a_pipe_and_two_heredocs_in_a_row() -> None:
    command = "cat <<A | cat - <<B\nbody a\nA\nbody b\nB\nrm x"
    assert argvs(command) == [("cat",), ("cat", "-"), ("rm", "x")]


def test_heredoc_that_never_ends_is_refused() -> None:
    with pytest.raises(ShellParseError):
        parse_shell("cat <<EOF\nrm -rf /\n")


def test_heredoc_line_continuation_does_not_end_the_body_early() -> None:
    # "x\" + "EOF" is one logical line "xEOF" in an unquoted here-document: not the end.
    assert argvs("cat <<EOF\nx\\\nEOF\nrm -rf /\nEOF\nls") == [("cat",), ("ls",)]


# ------------------------------------------------------------------------- wrappers


@pytest.mark.parametrize(
    ("command", "inner"),
    [
        ("env -u BAR FOO=1 rm -rf /", ("rm", "-rf", "/")),
        ("env -i PATH=/bin rm x", ("rm", "x")),
        ("sudo -u root -E rm -rf /", ("rm", "-rf", "/")),
        ("sudo FOO=1 rm x", ("rm", "x")),
        ("doas -u root rm x", ("rm", "x")),
        ("timeout -s KILL 5 rm -rf ..", ("rm", "-rf", "..")),
        ("timeout --kill-after=1 5s rm x", ("rm", "x")),
        ("nice -n 10 rm x", ("rm", "x")),
        ("nice -10 rm x", ("rm", "x")),
        ("nohup rm x", ("rm", "x")),
        ("time -p rm x", ("rm", "x")),
        ("command rm x", ("rm", "x")),
        ("exec rm x", ("rm", "x")),
        ("builtin echo x", ("echo", "x")),
        ("stdbuf -oL -e0 rm x", ("rm", "x")),
        ("watch -x rm x", ("rm", "x")),
        ("xargs -0 -n1 -I{} rm {}", ("rm", "{}")),
        ("/usr/bin/sudo rm x", ("rm", "x")),
    ],
)
def test_wrappers_run_their_command_which_is_found_too(
    command: str, inner: tuple[str, ...]
) -> None:
    parts = parse_shell(command)
    assert parts[0].argv == tuple(command.split())
    assert parts[-1].argv == inner


def test_wrappers_nest() -> None:
    assert argvs("sudo env A=1 timeout 5 nice rm x")[-1] == ("rm", "x")
    assert len(parse_shell("sudo env A=1 timeout 5 nice rm x")) == 5


def test_env_assignments_go_to_the_inner_command() -> None:
    assert parse_shell("env A=1 B=2 make")[-1].assignments == ("A=1", "B=2")


def test_leading_assignments_are_kept_apart() -> None:
    part = only("LD_PRELOAD=/tmp/evil.so CC=gcc make all")
    assert part.argv == ("make", "all")
    assert part.assignments == ("LD_PRELOAD=/tmp/evil.so", "CC=gcc")


def test_a_bare_assignment_is_a_command_without_argv() -> None:
    assert only("PATH=/tmp/evil") == SimpleCommand(argv=(), assignments=("PATH=/tmp/evil",))


def test_xargs_arguments_are_run_time_values() -> None:
    inner = parse_shell("ls | xargs rm")[-1]
    assert inner.argv == ("rm",)
    assert inner.runtime == ("the arguments xargs reads from its input",)


def test_xargs_without_a_command_runs_echo() -> None:
    assert argvs("xargs")[-1] == ("echo",)


def test_command_v_only_looks_up() -> None:
    assert argvs("command -v rm") == [("command", "-v", "rm")]


@pytest.mark.parametrize(
    "command",
    ["bash -c 'rm -rf /'", 'sh -c "rm -rf /"', "zsh -c 'rm -rf /'", "dash -c 'rm -rf /'"],
)
def test_shell_dash_c_scripts_are_parsed(command: str) -> None:
    assert argvs(command)[-1] == ("rm", "-rf", "/")


def test_shell_options_before_dash_c() -> None:
    assert argvs("bash -euo pipefail -lc 'ls && rm x'")[1:] == [("ls",), ("rm", "x")]


def test_shell_dash_c_of_a_variable_is_refused() -> None:
    with pytest.raises(ShellParseError):
        parse_shell('bash -c "$SCRIPT"')


def test_shell_reading_its_input_is_a_run_time_value() -> None:
    parts = parse_shell("curl -s https://example.com/install.sh | sh")
    assert parts[-1].runtime == ("the commands sh reads from its input",)
    assert parse_shell("bash -s")[-1].runtime
    assert parse_shell("python3")[-1].runtime
    assert parse_shell("bash script.sh")[-1].runtime == ()


def test_other_shells_scripts_are_refused() -> None:
    with pytest.raises(ShellParseError):
        parse_shell("fish -c 'rm -rf /'")


def test_eval_joins_its_arguments_and_parses_them() -> None:
    assert argvs('eval "rm -rf" /')[-1] == ("rm", "-rf", "/")
    assert argvs("eval 'ls; rm x'")[1:] == [("ls",), ("rm", "x")]


def test_eval_of_a_variable_is_refused() -> None:
    with pytest.raises(ShellParseError):
        parse_shell("eval $CMD")


def test_watch_runs_its_words_through_a_shell() -> None:
    assert argvs("watch -n 1 'ls; rm x'")[1:] == [("ls",), ("rm", "x")]


def test_find_exec_and_friends() -> None:
    parts = parse_shell("find / -name '*.py' -exec rm {} \\; -execdir chmod 777 {} + -delete")
    assert [part.argv for part in parts[1:]] == [("rm", "{}"), ("chmod", "777", "{}")]
    assert parts[1].runtime == ("the paths find puts in {}",)


def test_find_ok_and_exec_shell() -> None:
    assert argvs("find . -ok sh -c 'rm -rf /' \\;")[-1] == ("rm", "-rf", "/")


def test_find_exec_without_terminator_is_refused() -> None:
    with pytest.raises(ShellParseError):
        parse_shell("find . -exec rm {}")


def test_find_fprint_writes() -> None:
    assert texts(only("find . -fprint /tmp/list").writes) == ("/tmp/list",)


def test_tee_writes_its_files() -> None:
    part = parse_shell("echo x | tee -a ~/.bashrc out.txt")[-1]
    assert texts(part.writes) == ("~/.bashrc", "out.txt")


@pytest.mark.parametrize(
    "command", ["env -S 'rm -rf /'", "sudo -e /etc/hosts", "sudo --bogus ls", "timeout --x 5 ls"]
)
def test_wrapper_options_we_do_not_know_are_refused(command: str) -> None:
    with pytest.raises(ShellParseError):
        parse_shell(command)


def test_a_very_long_command_is_refused() -> None:
    with pytest.raises(ShellParseError):
        parse_shell("echo " + "x" * 200_000)
