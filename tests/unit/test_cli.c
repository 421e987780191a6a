/* SPDX-License-Identifier: Apache-2.0 */
/* runc's command line as hardrun reads it: every recorded engine call, and
 * the corners of Go's flag package and urfave/cli's reordering (the
 * expectations of the grammar cases were checked against runc 1.1.5). */
#include <criterion/criterion.h>
#include <string.h>

#include "cli.h"
#include "fake_host.h"
#include "hardrun/util.h"

#define MAX_ARGS 64

static char *argv_store[MAX_ARGS + 1];

/* Parses "runc" followed by args (NULL-terminated).  The strings must
 * outlive cli (string literals, or a fixture's lines). */
static int
parse_args (struct hr_cli *cli, hr_error_t *err, const char *const *args)
{
  int argc = 0;

  argv_store[argc++] = (char *)"runc";
  for (; *args; args++)
    {
      cr_assert_lt (argc, MAX_ARGS);
      argv_store[argc++] = (char *)*args;
    }
  argv_store[argc] = NULL;
  return hr_cli_parse (argc, argv_store, cli, err);
}

#define PARSE(cli, err, ...) parse_args (cli, err, (const char *const[]){ __VA_ARGS__, NULL })

/* Parses and expects success. */
#define PARSE_OK(cli, ...)                                                                                             \
  do                                                                                                                   \
    {                                                                                                                  \
      hr_error_t e_ = NULL;                                                                                            \
      int r_ = PARSE (cli, &e_, __VA_ARGS__);                                                                          \
      cr_assert_eq (r_, 0, "parse failed: %s", e_ ? e_->msg : "?");                                                    \
      cr_assert_null (e_);                                                                                             \
    }                                                                                                                  \
  while (0)

/* Parses and expects an error whose message contains needle. */
#define PARSE_FAILS(needle, ...)                                                                                       \
  do                                                                                                                   \
    {                                                                                                                  \
      struct hr_cli c_;                                                                                                \
      hr_error_t e_ = NULL;                                                                                            \
      int r_ = PARSE (&c_, &e_, __VA_ARGS__);                                                                          \
      cr_assert_lt (r_, 0, "parse should fail");                                                                       \
      cr_assert_not_null (e_);                                                                                         \
      cr_assert (strstr (e_->msg, needle) != NULL, "error \"%s\" lacks \"%s\"", e_->msg, needle);                      \
      hr_error_free (&e_);                                                                                             \
      hr_cli_clear (&c_);                                                                                              \
    }                                                                                                                  \
  while (0)

static void
assert_runtime_argv (const struct hr_cli *cli, const char *const *expected)
{
  int n = 0;

  for (; expected[n]; n++)
    {
      cr_assert_lt (n, cli->runtime_argc, "runtime argv is shorter than expected");
      cr_assert_str_eq (cli->runtime_argv[n], expected[n], "runtime argv[%d]", n);
    }
  cr_assert_eq (cli->runtime_argc, n);
  cr_assert_null (cli->runtime_argv[n]);
}

#define ASSERT_RUNTIME_ARGV(cli, ...) assert_runtime_argv (cli, (const char *const[]){ __VA_ARGS__, NULL })

/* Every recorded call. */

struct expected
{
  enum hr_command_kind kind;
  const char *command;
  const char *bundle;
  const char *process_path;
  const char *container_id;
  const char *log_path;
  const char *log_format;
  const char *root;
};

static const char *
value_after (char **lines, int from, int n, const char *flag)
{
  for (int i = from; i + 1 < n; i++)
    if (strcmp (lines[i], flag) == 0)
      return lines[i + 1];
  return NULL;
}

/* What the recorded call means, read from the file with the engines'
 * simple layout: global flags (--debug, or a flag and its value), the
 * command, its flags, the id last (kill: id and signal). */
static struct expected
derive (char **lines, int n, const char *file)
{
  struct expected e = { .bundle = "" };
  int i = 0;

  while (i < n && hr_has_prefix (lines[i], "--"))
    {
      if (strcmp (lines[i], "--debug") == 0)
        i++;
      else
        {
          if (strcmp (lines[i], "--log") == 0)
            e.log_path = lines[i + 1];
          else if (strcmp (lines[i], "--log-format") == 0)
            e.log_format = lines[i + 1];
          else if (strcmp (lines[i], "--root") == 0)
            e.root = lines[i + 1];
          else
            cr_assert_fail ("%s: unexpected global flag %s", file, lines[i]);
          i += 2;
        }
    }
  cr_assert_lt (i, n, "%s: no command", file);
  e.command = lines[i];
  if (strcmp (e.command, "create") == 0)
    {
      e.kind = HR_CMD_CREATE;
      e.bundle = value_after (lines, i, n, "--bundle");
      e.container_id = lines[n - 1];
      cr_assert_not_null (e.bundle, "%s: create without --bundle", file);
    }
  else if (strcmp (e.command, "exec") == 0)
    {
      e.kind = HR_CMD_EXEC;
      e.process_path = value_after (lines, i, n, "--process");
      e.container_id = lines[n - 1];
      cr_assert_not_null (e.process_path, "%s: exec without --process", file);
    }
  else if (strcmp (e.command, "delete") == 0)
    {
      e.kind = HR_CMD_DELETE;
      e.container_id = lines[n - 1];
    }
  else if (strcmp (e.command, "start") == 0 || strcmp (e.command, "kill") == 0)
    e.kind = HR_CMD_PASSTHROUGH; /* read no further: no id */
  else
    cr_assert_fail ("%s: command %s has no expectation here", file, e.command);
  return e;
}

static void
assert_str_or_null (const char *actual, const char *expected, const char *what, const char *file)
{
  if (expected == NULL)
    cr_assert_null (actual, "%s: %s is \"%s\", expected none", file, what, actual);
  else
    {
      cr_assert_not_null (actual, "%s: %s missing, expected \"%s\"", file, what, expected);
      cr_assert_str_eq (actual, expected, "%s: %s", file, what);
    }
}

static void
check_argv_file (const char *file)
{
  cleanup_free char *text = fake_read_file (file, NULL);
  char *lines[MAX_ARGS + 1];
  char *argv[MAX_ARGS + 2];
  int n = 0, argc = 0;
  struct hr_cli cli;
  hr_error_t err = NULL;
  struct expected e;

  cr_assert_not_null (text, "cannot read %s", file);
  for (char *save = NULL, *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      cr_assert_lt (n, MAX_ARGS);
      lines[n++] = line;
    }
  e = derive (lines, n, file);
  argv[argc++] = (char *)"runc";
  for (int i = 0; i < n; i++)
    argv[argc++] = lines[i];
  argv[argc] = NULL;

  cr_assert_eq (hr_cli_parse (argc, argv, &cli, &err), 0, "%s: %s", file, err ? err->msg : "?");
  cr_assert_eq (cli.kind, e.kind, "%s: kind %s, expected %s", file, hr_command_kind_name (cli.kind),
                hr_command_kind_name (e.kind));
  assert_str_or_null (cli.command, e.command, "command", file);
  cr_assert_str_eq (cli.bundle, e.bundle, "%s: bundle", file);
  assert_str_or_null (cli.process_path, e.process_path, "process_path", file);
  assert_str_or_null (cli.container_id, e.container_id, "container_id", file);
  assert_str_or_null (cli.log_path, e.log_path, "log_path", file);
  assert_str_or_null (cli.log_format, e.log_format, "log_format", file);
  assert_str_or_null (cli.root, e.root, "root", file);
  cr_assert_null (cli.policy_path);
  cr_assert_null (cli.profile);
  cr_assert_eq (cli.exec_caps.len, 0);
  cr_assert_eq (cli.exec_no_new_privs, -1);
  /* nothing of hardrun's in these calls: the runtime gets them verbatim */
  cr_assert_eq (cli.runtime_argc, argc, "%s: runtime argc", file);
  for (int i = 0; i < argc; i++)
    cr_assert_eq (cli.runtime_argv[i], argv[i], "%s: runtime argv[%d]", file, i);
  cr_assert_null (cli.runtime_argv[argc]);
  cr_assert_str_eq (argv[cli.command_index], e.command);
  hr_cli_clear (&cli);
}

Test (cli_fixtures, every_recorded_call)
{
  size_t count = 0;
  char **files = fake_fixture_list ("*/*/*.argv", &count);

  cr_assert_geq (count, 82);
  for (size_t i = 0; i < count; i++)
    check_argv_file (files[i]);
  fake_free_list (files);
}

#define MOBY_ID "000000000000000000000000000000000000000000000000000000c0ffee0000"

Test (cli_fixtures, docker_default_create)
{
  struct hr_cli cli;

  PARSE_OK (&cli, "--debug", "--root", "/var/run/docker/runtime-runc/moby", "--log",
            "/run/containerd/io.containerd.runtime.v2.task/moby/" MOBY_ID "/log.json", "--log-format", "json", "create",
            "--bundle", "/run/containerd/io.containerd.runtime.v2.task/moby/" MOBY_ID, "--pid-file",
            "/run/containerd/io.containerd.runtime.v2.task/moby/" MOBY_ID "/init.pid", MOBY_ID);
  cr_assert_eq (cli.kind, HR_CMD_CREATE);
  cr_assert_str_eq (cli.bundle, "/run/containerd/io.containerd.runtime.v2.task/moby/" MOBY_ID);
  cr_assert_str_eq (cli.container_id, MOBY_ID);
  cr_assert_str_eq (cli.root, "/var/run/docker/runtime-runc/moby");
  cr_assert_str_eq (cli.log_format, "json");
  cr_assert_str_eq (cli.log_path, "/run/containerd/io.containerd.runtime.v2.task/moby/" MOBY_ID "/log.json");
  cr_assert_null (cli.process_path);
  cr_assert (hr_cli_reads_spec (&cli));
  cr_assert_eq (cli.command_index, 8);
  hr_cli_clear (&cli);
}

Test (cli_fixtures, docker_default_create_file)
{
  cleanup_free char *text = fake_read_file (FIXTURES_DIR "/docker-20.10/default/01-create.argv", NULL);
  char *argv[MAX_ARGS] = { (char *)"runc" };
  int argc = 1;
  struct hr_cli cli;
  hr_error_t err = NULL;

  cr_assert_not_null (text);
  for (char *save = NULL, *l = strtok_r (text, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
    argv[argc++] = l;
  cr_assert_eq (hr_cli_parse (argc, argv, &cli, &err), 0);
  cr_assert_str_eq (cli.bundle, "/run/containerd/io.containerd.runtime.v2.task/moby/" MOBY_ID);
  cr_assert_str_eq (cli.container_id, MOBY_ID);
  hr_cli_clear (&cli);
}

Test (cli_fixtures, docker_exec_file)
{
  cleanup_free char *text = fake_read_file (FIXTURES_DIR "/docker-20.10/exec/03-exec.argv", NULL);
  char *argv[MAX_ARGS] = { (char *)"runc" };
  int argc = 1;
  struct hr_cli cli;
  hr_error_t err = NULL;

  cr_assert_not_null (text);
  for (char *save = NULL, *l = strtok_r (text, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
    argv[argc++] = l;
  cr_assert_eq (hr_cli_parse (argc, argv, &cli, &err), 0);
  cr_assert_eq (cli.kind, HR_CMD_EXEC);
  cr_assert_str_eq (cli.process_path, "/tmp/runc-process263542055");
  cr_assert_str_eq (cli.container_id, "000000000000000000000000000000000000000000000000000000c0ffee000e");
  cr_assert_eq (cli.exec_no_new_privs, -1);
  cr_assert_not (hr_cli_reads_spec (&cli));
  hr_cli_clear (&cli);
}

/* hardrun's own flags. */

Test (cli_own_flags, profile_equals_form_is_stripped)
{
  struct hr_cli cli;

  PARSE_OK (&cli, "--hardrun-profile=strict", "--debug", "create", "--bundle", "/b", "x");
  cr_assert_str_eq (cli.profile, "strict");
  cr_assert_null (cli.policy_path);
  cr_assert_eq (cli.kind, HR_CMD_CREATE);
  cr_assert_str_eq (cli.bundle, "/b");
  cr_assert_str_eq (cli.container_id, "x");
  ASSERT_RUNTIME_ARGV (&cli, "runc", "--debug", "create", "--bundle", "/b", "x");
  hr_cli_clear (&cli);
}

Test (cli_own_flags, policy_two_argument_form_is_stripped)
{
  struct hr_cli cli;

  PARSE_OK (&cli, "--root", "/r", "--hardrun-policy", "/x", "-hardrun-profile", "p", "--log", "/l", "create", "id");
  cr_assert_str_eq (cli.policy_path, "/x");
  cr_assert_str_eq (cli.profile, "p");
  cr_assert_str_eq (cli.root, "/r");
  cr_assert_str_eq (cli.log_path, "/l");
  cr_assert_str_eq (cli.bundle, "");
  cr_assert_str_eq (cli.container_id, "id");
  ASSERT_RUNTIME_ARGV (&cli, "runc", "--root", "/r", "--log", "/l", "create", "id");
  hr_cli_clear (&cli);
}

Test (cli_own_flags, only_global)
{
  /* after the command they are unknown flags of the command */
  PARSE_FAILS ("flag provided but not defined: -hardrun-profile", "create", "--hardrun-profile=x", "id");
}

Test (cli_own_flags, value_that_looks_like_own_flag_is_kept)
{
  struct hr_cli cli;

  PARSE_OK (&cli, "--log", "--hardrun-profile=x", "start", "id");
  cr_assert_null (cli.profile);
  cr_assert_str_eq (cli.log_path, "--hardrun-profile=x");
  ASSERT_RUNTIME_ARGV (&cli, "runc", "--log", "--hardrun-profile=x", "start", "id");
  hr_cli_clear (&cli);
}

/* Go flag package and urfave/cli grammar. */

Test (cli_grammar, flags_after_the_id_are_reordered)
{
  struct hr_cli cli;

  PARSE_OK (&cli, "create", "idA", "--bundle", "/b");
  cr_assert_str_eq (cli.bundle, "/b");
  cr_assert_str_eq (cli.container_id, "idA");
  ASSERT_RUNTIME_ARGV (&cli, "runc", "create", "idA", "--bundle", "/b");
  hr_cli_clear (&cli);
}

Test (cli_grammar, last_bundle_wins)
{
  struct hr_cli cli;

  PARSE_OK (&cli, "create", "--bundle", "/a", "--bundle", "/b", "x");
  cr_assert_str_eq (cli.bundle, "/b");
  hr_cli_clear (&cli);
}

Test (cli_grammar, bundle_spellings)
{
  const char *const forms[][2] = {
    { "-bundle=/b", NULL }, { "-b", "/b" }, { "--b=/b", NULL }, { "-b=/b", NULL }, { "--bundle=/b", NULL },
  };

  for (size_t i = 0; i < HR_ARRAY_SIZE (forms); i++)
    {
      struct hr_cli cli;
      hr_error_t err = NULL;
      int ret = forms[i][1] ? PARSE (&cli, &err, "create", forms[i][0], forms[i][1], "x")
                            : PARSE (&cli, &err, "create", forms[i][0], "x");

      cr_assert_eq (ret, 0, "%s: %s", forms[i][0], err ? err->msg : "?");
      cr_assert_str_eq (cli.bundle, "/b", "%s", forms[i][0]);
      cr_assert_str_eq (cli.container_id, "x");
      hr_cli_clear (&cli);
    }
}

Test (cli_grammar, flag_value_that_looks_like_a_flag)
{
  struct hr_cli cli;

  PARSE_OK (&cli, "create", "--pid-file", "--bundle", "x");
  cr_assert_str_eq (cli.container_id, "x");
  cr_assert_str_eq (cli.bundle, "");
  hr_cli_clear (&cli);
}

Test (cli_grammar, double_dash_as_a_flag_value)
{
  struct hr_cli cli;

  PARSE_OK (&cli, "create", "x", "--pid-file", "--", "--bundle", "/nb4");
  cr_assert_str_eq (cli.bundle, "/nb4");
  cr_assert_str_eq (cli.container_id, "x");
  hr_cli_clear (&cli);
}

Test (cli_grammar, trailing_double_dash)
{
  struct hr_cli cli;

  PARSE_OK (&cli, "create", "--bundle", "/nb3", "x", "--");
  cr_assert_str_eq (cli.bundle, "/nb3");
  cr_assert_str_eq (cli.container_id, "x");
  hr_cli_clear (&cli);
}

Test (cli_grammar, double_dash_ends_flags)
{
  PARSE_FAILS ("requires exactly 1 argument", "create", "--", "--bundle", "/x");
}

Test (cli_grammar, bool_flag_does_not_take_the_next_argument)
{
  PARSE_FAILS ("requires exactly 1 argument", "create", "idA", "--no-pivot", "idB", "--bundle", "/x");
}

Test (cli_grammar, two_forms_of_the_same_flag)
{
  PARSE_FAILS ("two forms of the same flag", "create", "--bundle", "/a", "-b", "/b", "x");
  PARSE_FAILS ("two forms of the same flag", "exec", "-p", "/a", "--process", "/b", "x");
}

Test (cli_grammar, missing_or_extra_id)
{
  PARSE_FAILS ("requires exactly 1 argument", "create", "--bundle", "/b");
  PARSE_FAILS ("requires exactly 1 argument", "create", "a", "b");
  PARSE_FAILS ("requires exactly 1 argument", "delete");
  PARSE_FAILS ("requires a minimum of 1 argument", "exec", "--process", "/p");
}

Test (cli_grammar, bad_flags)
{
  PARSE_FAILS ("flag provided but not defined: -bogus", "create", "--bogus", "x");
  PARSE_FAILS ("flag provided but not defined: -bogus", "--bogus", "create", "x");
  PARSE_FAILS ("flag needs an argument: -bundle", "create", "--bundle");
  PARSE_FAILS ("flag needs an argument: -process", "exec", "--process");
  /* reordered in front of the id, --bundle takes the id as its value */
  PARSE_FAILS ("requires exactly 1 argument", "create", "x", "--bundle");
  PARSE_FAILS ("bad flag syntax", "create", "---bundle", "/b", "x");
  PARSE_FAILS ("bad flag syntax", "create", "-=x", "x");
}

Test (cli_grammar, help_and_version)
{
  struct hr_cli cli;

  PARSE_OK (&cli, "create", "--help");
  cr_assert_eq (cli.kind, HR_CMD_PASSTHROUGH);
  hr_cli_clear (&cli);
  PARSE_OK (&cli, "create", "x", "--help");
  cr_assert_eq (cli.kind, HR_CMD_PASSTHROUGH);
  hr_cli_clear (&cli);
  PARSE_OK (&cli, "create", "-h", "x");
  cr_assert_eq (cli.kind, HR_CMD_PASSTHROUGH);
  hr_cli_clear (&cli);
  PARSE_OK (&cli, "create", "--help=false", "x");
  cr_assert_eq (cli.kind, HR_CMD_CREATE);
  hr_cli_clear (&cli);
  PARSE_OK (&cli, "--version");
  cr_assert_eq (cli.kind, HR_CMD_VERSION);
  hr_cli_clear (&cli);
  PARSE_OK (&cli, "-v", "create", "x");
  cr_assert_eq (cli.kind, HR_CMD_VERSION);
  hr_cli_clear (&cli);
  PARSE_OK (&cli, "--help", "--version");
  cr_assert_eq (cli.kind, HR_CMD_PASSTHROUGH);
  hr_cli_clear (&cli);
  PARSE_OK (&cli, "--version=false", "--debug");
  cr_assert_eq (cli.kind, HR_CMD_PASSTHROUGH);
  hr_cli_clear (&cli);
}

Test (cli_grammar, no_command)
{
  struct hr_cli cli;
  char *argv[] = { (char *)"runc", NULL };
  hr_error_t err = NULL;

  cr_assert_eq (hr_cli_parse (1, argv, &cli, &err), 0);
  cr_assert_eq (cli.kind, HR_CMD_PASSTHROUGH);
  cr_assert_null (cli.command);
  ASSERT_RUNTIME_ARGV (&cli, "runc");
  hr_cli_clear (&cli);
  PARSE_OK (&cli, "--debug", "--root", "/r");
  cr_assert_eq (cli.kind, HR_CMD_PASSTHROUGH);
  hr_cli_clear (&cli);
}

Test (cli_grammar, global_double_dash)
{
  struct hr_cli cli;

  PARSE_OK (&cli, "--", "create", "--bundle", "/b", "x");
  cr_assert_eq (cli.kind, HR_CMD_CREATE);
  cr_assert_str_eq (cli.command, "create");
  cr_assert_eq (cli.command_index, 2);
  cr_assert_str_eq (cli.bundle, "/b");
  cr_assert_str_eq (cli.container_id, "x");
  ASSERT_RUNTIME_ARGV (&cli, "runc", "--", "create", "--bundle", "/b", "x");
  hr_cli_clear (&cli);
}

Test (cli_grammar, log_flags)
{
  struct hr_cli cli;

  PARSE_OK (&cli, "--log", "/l", "--log-format", "json", "create", "--bundle", "/b", "x");
  cr_assert_str_eq (cli.log_path, "/l");
  cr_assert_str_eq (cli.log_format, "json");
  hr_cli_clear (&cli);
  PARSE_OK (&cli, "-log=/m", "-log-format=text", "--root=/r", "start", "x");
  cr_assert_str_eq (cli.log_path, "/m");
  cr_assert_str_eq (cli.log_format, "text");
  cr_assert_str_eq (cli.root, "/r");
  hr_cli_clear (&cli);
}

Test (cli_grammar, unknown_command)
{
  struct hr_cli cli;
  hr_error_t err = NULL;

  /* runc's own words (and main() exits 3 on it, as runc does) */
  PARSE_FAILS ("No help topic for 'frobnicate'", "frobnicate", "x");
  PARSE_FAILS ("No help topic for 'Create'", "Create", "x");
  cr_assert_lt (PARSE (&cli, &err, "frobnicate"), 0);
  cr_assert (cli.unknown_command);
  hr_error_free (&err);
  hr_cli_clear (&cli);
  cr_assert_lt (PARSE (&cli, &err, "--root"), 0);
  cr_assert (!cli.unknown_command, "a flag error is not an unknown command");
  hr_error_free (&err);
  hr_cli_clear (&cli);
}

Test (cli_grammar, own_commands)
{
  struct hr_cli cli;

  PARSE_OK (&cli, "check", "--bundle", "x");
  cr_assert_eq (cli.kind, HR_CMD_CHECK);
  cr_assert_str_eq (cli.command, "check");
  cr_assert_eq (cli.command_index, 1);
  hr_cli_clear (&cli);
  PARSE_OK (&cli, "--hardrun-policy=/p", "policy", "show");
  cr_assert_eq (cli.kind, HR_CMD_POLICY);
  cr_assert_eq (cli.command_index, 2);
  cr_assert_str_eq (cli.policy_path, "/p");
  hr_cli_clear (&cli);
}

Test (cli_grammar, passthrough_commands)
{
  const char *const names[] = { "start",  "kill",   "state",  "list",       "ps",       "pause",
                                "resume", "update", "events", "checkpoint", "features", "spec" };

  for (size_t i = 0; i < HR_ARRAY_SIZE (names); i++)
    {
      struct hr_cli cli;
      hr_error_t err = NULL;

      cr_assert_eq (PARSE (&cli, &err, names[i], "--weird-flag", "id", "9"), 0, "%s", names[i]);
      cr_assert_eq (cli.kind, HR_CMD_PASSTHROUGH, "%s", names[i]);
      cr_assert_not (hr_cli_reads_spec (&cli));
      ASSERT_RUNTIME_ARGV (&cli, "runc", names[i], "--weird-flag", "id", "9");
      hr_cli_clear (&cli);
    }
}

/* help is hardrun's own for its commands and runc's for runc's (main.c
 * hands `help create` on); --help is always runc's, with a pointer. */
Test (cli_grammar, help)
{
  struct hr_cli cli;
  hr_error_t err = NULL;

  cr_assert_eq (PARSE (&cli, &err, "help", "check"), 0);
  cr_assert_eq (cli.kind, HR_CMD_HELP);
  cr_assert_eq (cli.command_index, 1);
  cr_assert_not (cli.runtime_help);
  ASSERT_RUNTIME_ARGV (&cli, "runc", "help", "check");
  hr_cli_clear (&cli);
  cr_assert_eq (PARSE (&cli, &err, "--help"), 0);
  cr_assert_eq (cli.kind, HR_CMD_PASSTHROUGH);
  cr_assert (cli.runtime_help);
  hr_cli_clear (&cli);
  cr_assert_eq (PARSE (&cli, &err, "create", "--help"), 0);
  cr_assert_eq (cli.kind, HR_CMD_PASSTHROUGH);
  cr_assert_not (cli.runtime_help);
  hr_cli_clear (&cli);
}

Test (cli_grammar, run_restore_delete)
{
  struct hr_cli cli;

  PARSE_OK (&cli, "--root", "/r", "--log", "/l", "--debug", "--systemd-cgroup", "run", "--detach", "-b", "/b", "id");
  cr_assert_eq (cli.kind, HR_CMD_RUN);
  cr_assert_str_eq (cli.bundle, "/b");
  cr_assert_str_eq (cli.container_id, "id");
  cr_assert_str_eq (cli.root, "/r");
  cr_assert (hr_cli_reads_spec (&cli));
  hr_cli_clear (&cli);
  PARSE_OK (&cli, "restore", "--image-path", "/i", "-b", "/c", "--tcp-established", "id");
  cr_assert_eq (cli.kind, HR_CMD_RESTORE);
  cr_assert_str_eq (cli.bundle, "/c");
  cr_assert_str_eq (cli.container_id, "id");
  hr_cli_clear (&cli);
  PARSE_OK (&cli, "delete", "id", "--force");
  cr_assert_eq (cli.kind, HR_CMD_DELETE);
  cr_assert_str_eq (cli.container_id, "id");
  cr_assert_not (hr_cli_reads_spec (&cli));
  hr_cli_clear (&cli);
}

/* exec */

Test (cli_exec, after_the_id_everything_is_the_command)
{
  struct hr_cli cli;

  PARSE_OK (&cli, "exec", "-p", "/f", "ID", "sh", "--cap", "CAP_SYS_ADMIN", "--process", "/evil");
  cr_assert_eq (cli.kind, HR_CMD_EXEC);
  cr_assert_str_eq (cli.process_path, "/f");
  cr_assert_str_eq (cli.container_id, "ID");
  cr_assert_eq (cli.exec_caps.len, 0);
  hr_cli_clear (&cli);
}

Test (cli_exec, cap_flags)
{
  struct hr_cli cli;

  PARSE_OK (&cli, "exec", "--cap", "CAP_SYS_ADMIN", "-c", "CAP_NET_ADMIN", "--cap=CAP_SYS_PTRACE", "ID", "sh");
  cr_assert_eq (cli.exec_caps.len, 3);
  cr_assert_str_eq (cli.exec_caps.items[0], "CAP_SYS_ADMIN");
  cr_assert_str_eq (cli.exec_caps.items[1], "CAP_NET_ADMIN");
  cr_assert_str_eq (cli.exec_caps.items[2], "CAP_SYS_PTRACE");
  cr_assert_str_eq (cli.container_id, "ID");
  cr_assert_null (cli.process_path);
  hr_cli_clear (&cli);
}

Test (cli_exec, no_new_privs_values)
{
  const struct
  {
    const char *arg;
    int expected;
  } cases[] = {
    { "--no-new-privs", 1 },       { "--no-new-privs=false", 0 }, { "--no-new-privs=0", 0 }, { "--no-new-privs=F", 0 },
    { "--no-new-privs=FALSE", 0 }, { "--no-new-privs=False", 0 }, { "-no-new-privs=f", 0 },  { "--no-new-privs=T", 1 },
    { "--no-new-privs=1", 1 },     { "--no-new-privs=TRUE", 1 },
  };

  for (size_t i = 0; i < HR_ARRAY_SIZE (cases); i++)
    {
      struct hr_cli cli;
      hr_error_t err = NULL;

      cr_assert_eq (PARSE (&cli, &err, "exec", cases[i].arg, "ID", "sh"), 0, "%s", cases[i].arg);
      cr_assert_eq (cli.exec_no_new_privs, cases[i].expected, "%s", cases[i].arg);
      hr_cli_clear (&cli);
    }
  PARSE_FAILS ("invalid boolean value \"maybe\"", "exec", "--no-new-privs=maybe", "ID", "sh");
  PARSE_FAILS ("invalid boolean value \"yes\"", "exec", "--no-new-privs=yes", "ID", "sh");
  PARSE_FAILS ("invalid boolean value \"\"", "exec", "--no-new-privs=", "ID", "sh");
  PARSE_FAILS ("invalid boolean value \"tRUE\"", "exec", "--no-new-privs=tRUE", "ID", "sh");
}

Test (cli_exec, bool_flag_value_does_not_consume_the_id)
{
  struct hr_cli cli;

  PARSE_OK (&cli, "exec", "--no-new-privs", "false", "sh");
  cr_assert_eq (cli.exec_no_new_privs, 1);
  cr_assert_str_eq (cli.container_id, "false");
  hr_cli_clear (&cli);
}

Test (cli_exec, exec_is_not_reordered)
{
  struct hr_cli cli;

  PARSE_OK (&cli, "exec", "ID", "--process", "/x");
  cr_assert_null (cli.process_path);
  cr_assert_str_eq (cli.container_id, "ID");
  hr_cli_clear (&cli);
}

Test (cli_exec, empty_process_is_none)
{
  struct hr_cli cli;

  PARSE_OK (&cli, "exec", "--process", "", "ID");
  cr_assert_null (cli.process_path);
  hr_cli_clear (&cli);
  PARSE_OK (&cli, "exec", "--process=", "ID");
  cr_assert_null (cli.process_path);
  hr_cli_clear (&cli);
}

Test (cli_exec, privilege_flags)
{
  struct hr_cli cli;

  PARSE_OK (&cli, "exec", "--cwd", "/proc/self/fd/3", "--apparmor", "unconfined", "--process-label", "l", "-t", "-u",
            "0", "ID", "sh");
  cr_assert_str_eq (cli.exec_cwd, "/proc/self/fd/3");
  cr_assert_str_eq (cli.exec_apparmor, "unconfined");
  cr_assert_str_eq (cli.exec_process_label, "l");
  cr_assert_eq (cli.exec_no_new_privs, -1);
  cr_assert_str_eq (cli.container_id, "ID");
  hr_cli_clear (&cli);
}

Test (cli_names, kind_names)
{
  cr_assert_str_eq (hr_command_kind_name (HR_CMD_PASSTHROUGH), "passthrough");
  cr_assert_str_eq (hr_command_kind_name (HR_CMD_CREATE), "create");
  cr_assert_str_eq (hr_command_kind_name (HR_CMD_EXEC), "exec");
  cr_assert_str_eq (hr_command_kind_name (HR_CMD_DELETE), "delete");
  cr_assert_str_eq (hr_command_kind_name (HR_CMD_POLICY), "policy");
}

Test (cli_exec, process_shaping_flags_are_read_as_runc_reads_them)
{
  struct hr_cli cli;

  PARSE_OK (&cli, "exec", "--user", "1000:1000", "-g", "5", "--additional-gids=6", "-t", "--preserve-fds", "2", "-p",
            "/p.json", "x", "--", "sh");
  cr_assert_str_eq (cli.exec_user, "1000:1000");
  cr_assert_eq (cli.exec_gids.len, 2);
  cr_assert_str_eq (cli.exec_gids.items[1], "6");
  cr_assert_eq (cli.exec_tty, 1);
  cr_assert_eq (cli.exec_preserve_fds, 2);
  cr_assert (cli.exec_process_short);
  cr_assert_null (cli.exec_flags_end, "a \"--\" after the id is the command's, not the end of exec's flags");
  hr_cli_clear (&cli);

  PARSE_OK (&cli, "exec", "--tty=false", "--preserve-fds", "-1", "--process", "/p.json", "--", "x");
  cr_assert_eq (cli.exec_tty, 0);
  cr_assert_eq (cli.exec_preserve_fds, 0, "out of range is no fds (runc refuses it itself)");
  cr_assert_not (cli.exec_process_short);
  cr_assert_not_null (cli.exec_flags_end);
  cr_assert_str_eq (cli.exec_flags_end, "--");
  hr_cli_clear (&cli);
}

Test (cli_exec, double_dash_as_a_flag_value_does_not_end_the_flags)
{
  struct hr_cli cli;

  PARSE_OK (&cli, "exec", "--user", "--", "x", "true");
  cr_assert_str_eq (cli.exec_user, "--");
  cr_assert_null (cli.exec_flags_end);
  cr_assert_str_eq (cli.container_id, "x");
  cr_assert_eq (cli.exec_tty, -1);
  hr_cli_clear (&cli);
}
