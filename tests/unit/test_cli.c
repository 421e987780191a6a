/* runc's command line: every argv captured from docker, podman and
 * containerd, and the corners of Go's flag package and urfave/cli's
 * reordering (each checked against the real runc 1.1.5 on these machines). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "fake_host.h"
#include "hardrun/cli.h"
#include "hardrun/util.h"

#define MAX_ARGS 64

struct parsed
{
  struct hr_cli cli;
  hr_error_t err;
  int ret;
};

static void
parse_vector (struct parsed *p, int argc, char **argv)
{
  memset (p, 0, sizeof *p);
  p->ret = hr_cli_parse (argc, argv, &p->cli, &p->err);
}

/* "a b c" -> runc a b c (no quoting: the test strings have no spaces in args) */
static int
split (char *line, char **argv)
{
  int argc = 0;
  argv[argc++] = "runc";
  for (char *save = NULL, *tok = strtok_r (line, " ", &save); tok; tok = strtok_r (NULL, " ", &save))
    argv[argc++] = tok;
  argv[argc] = NULL;
  return argc;
}

static struct parsed
parse_line (const char *text)
{
  static char buf[1024];
  static char *argv[MAX_ARGS];
  struct parsed p;

  snprintf (buf, sizeof buf, "%s", text);
  parse_vector (&p, split (buf, argv), argv);
  return p;
}

/* The value following `flag` in a fixture's argv, or NULL. */
static const char *
value_after (char **argv, int argc, const char *flag)
{
  for (int i = 1; i + 1 < argc; i++)
    if (strcmp (argv[i], flag) == 0)
      return argv[i + 1];
  return NULL;
}

static int
load_argv (const char *path, char **argv, char **data)
{
  size_t len;
  int argc = 0;

  *data = fake_read_file (path, &len);
  cr_assert_not_null (*data, "cannot read %s", path);
  argv[argc++] = "runc";
  for (char *save = NULL, *l = strtok_r (*data, "\n", &save); l && argc < MAX_ARGS - 1;
       l = strtok_r (NULL, "\n", &save))
    argv[argc++] = l;
  argv[argc] = NULL;
  return argc;
}

static enum hr_command_kind
expected_kind (const char *command)
{
  if (strcmp (command, "create") == 0)
    return HR_CMD_CREATE;
  if (strcmp (command, "exec") == 0)
    return HR_CMD_EXEC;
  if (strcmp (command, "delete") == 0)
    return HR_CMD_DELETE;
  return HR_CMD_PASSTHROUGH;
}

Test (cli, every_captured_argv)
{
  size_t n;
  char **files = fake_fixture_list ("*/*/*.argv", &n);

  cr_assert_geq (n, 40, "expected the captured argv files, found %zu", n);
  for (size_t i = 0; i < n; i++)
    {
      char *argv[MAX_ARGS], *data;
      int argc = load_argv (files[i], argv, &data);
      const char *command = strrchr (files[i], '-') + 1; /* NN-command.argv */
      char name[32];
      struct parsed p;
      const char *bundle = value_after (argv, argc, "--bundle");
      const char *process = value_after (argv, argc, "--process");

      snprintf (name, sizeof name, "%.*s", (int)(strchr (command, '.') - command), command);
      parse_vector (&p, argc, argv);
      cr_assert_eq (p.ret, 0, "%s: %s", files[i], p.err ? p.err->msg : "");
      cr_assert_str_eq (p.cli.command, name, "%s", files[i]);
      cr_assert_eq (p.cli.kind, expected_kind (name), "%s: kind %s", files[i], hr_command_kind_name (p.cli.kind));
      /* hardrun's flags are never in engine argv: the runtime sees argv as is */
      cr_assert_eq (p.cli.runtime_argc, argc, "%s", files[i]);
      for (int k = 1; k < argc; k++)
        cr_assert_eq (p.cli.runtime_argv[k], argv[k], "%s: argument %d changed", files[i], k);
      if (p.cli.kind == HR_CMD_CREATE)
        {
          cr_assert_str_eq (p.cli.bundle, bundle ? bundle : "", "%s", files[i]);
          cr_assert_str_eq (p.cli.container_id, argv[argc - 1], "%s", files[i]);
        }
      if (p.cli.kind == HR_CMD_EXEC)
        {
          cr_assert_str_eq (p.cli.process_path, process, "%s", files[i]);
          cr_assert_str_eq (p.cli.container_id, argv[argc - 1], "%s", files[i]);
        }
      if (p.cli.kind == HR_CMD_DELETE)
        cr_assert_str_eq (p.cli.container_id, argv[argc - 1], "%s", files[i]);
      if (p.cli.log_path)
        cr_assert_str_eq (p.cli.log_path, value_after (argv, argc, "--log"), "%s", files[i]);
      hr_cli_clear (&p.cli);
      free (data);
    }
  fake_free_list (files);
}

Test (cli, docker_create_and_exec_by_hand)
{
  char *argv[MAX_ARGS], *data;
  struct parsed p;
  int argc = load_argv (FIXTURES_DIR "/docker-20.10/default/01-create.argv", argv, &data);

  parse_vector (&p, argc, argv);
  cr_assert_eq (p.cli.kind, HR_CMD_CREATE);
  cr_assert_str_eq (p.cli.bundle, "/run/containerd/io.containerd.runtime.v2.task/moby/"
                                  "000000000000000000000000000000000000000000000000000000c0ffee0000");
  cr_assert_str_eq (p.cli.container_id, "000000000000000000000000000000000000000000000000000000c0ffee0000");
  cr_assert_str_eq (p.cli.log_format, "json");
  hr_cli_clear (&p.cli);
  free (data);
  argc = load_argv (FIXTURES_DIR "/docker-20.10/exec/03-exec.argv", argv, &data);
  parse_vector (&p, argc, argv);
  cr_assert_eq (p.cli.kind, HR_CMD_EXEC);
  cr_assert_str_eq (p.cli.process_path, "/tmp/runc-process263542055");
  hr_cli_clear (&p.cli);
  free (data);
}

struct grammar_case
{
  const char *argv;
  int ret;
  enum hr_command_kind kind;
  const char *bundle;
  const char *id;
};

/* Verified against runc 1.1.5 (urfave/cli 1.22.9): which bundle it uses. */
static const struct grammar_case grammar[] = {
  { "create idA --bundle /b", 0, HR_CMD_CREATE, "/b", "idA" },
  { "create --bundle /a --bundle /b x", 0, HR_CMD_CREATE, "/b", "x" },
  { "create -bundle=/b x", 0, HR_CMD_CREATE, "/b", "x" },
  { "create -b /b x", 0, HR_CMD_CREATE, "/b", "x" },
  { "create --b=/b x", 0, HR_CMD_CREATE, "/b", "x" },
  { "create --pid-file --bundle x", 0, HR_CMD_CREATE, "", "x" },
  { "create x --pid-file -- --bundle /nb4", 0, HR_CMD_CREATE, "/nb4", "x" },
  { "create --bundle /nb3 x --", 0, HR_CMD_CREATE, "/nb3", "x" },
  { "-- create --bundle /b x", 0, HR_CMD_CREATE, "/b", "x" },
  { "--root /r --log /l --debug --systemd-cgroup run --detach -b /b x", 0, HR_CMD_RUN, "/b", "x" },
  { "restore --image-path /img --bundle /b x", 0, HR_CMD_RESTORE, "/b", "x" },
  { "create -- --bundle /x", -1, 0, NULL, NULL },
  { "create idA --no-pivot idB --bundle /x", -1, 0, NULL, NULL },
  { "create --bundle /a -b /b x", -1, 0, NULL, NULL },
  { "create --bogus x", -1, 0, NULL, NULL },
  { "create ---bundle /x x", -1, 0, NULL, NULL },
  { "frobnicate x", -1, 0, NULL, NULL },
  { "create --help", 0, HR_CMD_PASSTHROUGH, NULL, NULL },
  { "create x --help", 0, HR_CMD_PASSTHROUGH, NULL, NULL },
  { "--version", 0, HR_CMD_VERSION, NULL, NULL },
  { "-v create --bundle /b x", 0, HR_CMD_VERSION, NULL, NULL },
  { "--help --version", 0, HR_CMD_PASSTHROUGH, NULL, NULL },
  { "", 0, HR_CMD_PASSTHROUGH, NULL, NULL },
  { "state x", 0, HR_CMD_PASSTHROUGH, NULL, NULL },
  { "delete --force x", 0, HR_CMD_DELETE, NULL, "x" },
  { "check --bundle x", 0, HR_CMD_CHECK, NULL, NULL },
};

Test (cli, go_and_urfave_grammar)
{
  for (size_t i = 0; i < HR_ARRAY_SIZE (grammar); i++)
    {
      const struct grammar_case *c = &grammar[i];
      struct parsed p = parse_line (c->argv);

      cr_assert_eq (p.ret, c->ret, "\"%s\": ret %d (%s)", c->argv, p.ret, p.err ? p.err->msg : "");
      if (c->ret == 0)
        {
          cr_assert_eq (p.cli.kind, c->kind, "\"%s\": kind %s", c->argv, hr_command_kind_name (p.cli.kind));
          if (c->bundle)
            cr_assert_str_eq (p.cli.bundle, c->bundle, "\"%s\"", c->argv);
          if (c->id)
            cr_assert_str_eq (p.cli.container_id, c->id, "\"%s\"", c->argv);
        }
      else
        cr_assert_not_null (p.err, "\"%s\": an error must say why", c->argv);
      hr_cli_clear (&p.cli);
      hr_error_free (&p.err);
    }
}

Test (cli, exec_command_is_never_parsed_as_flags)
{
  struct parsed p = parse_line ("exec -p /f ID sh --cap CAP_SYS_ADMIN --process /evil");

  cr_assert_eq (p.ret, 0);
  cr_assert_str_eq (p.cli.process_path, "/f");
  cr_assert_str_eq (p.cli.container_id, "ID");
  cr_assert_eq (p.cli.exec_caps.len, 0);
  hr_cli_clear (&p.cli);
  p = parse_line ("exec ID --process /x");
  cr_assert_null (p.cli.process_path, "exec is not reordered: --process after the id is the command's");
  hr_cli_clear (&p.cli);
  p = parse_line ("exec --cap CAP_SYS_ADMIN -c CAP_NET_ADMIN --apparmor unconfined --cwd /proc/self/fd/3 ID sh");
  cr_assert_eq (p.cli.exec_caps.len, 2);
  cr_assert_str_eq (p.cli.exec_apparmor, "unconfined");
  cr_assert_str_eq (p.cli.exec_cwd, "/proc/self/fd/3");
  hr_cli_clear (&p.cli);
}

Test (cli, go_bool_values)
{
  static const struct
  {
    const char *argv;
    int ret;
    int nnp;
  } cases[] = {
    { "exec --no-new-privs ID sh", 0, 1 },
    { "exec --no-new-privs=false ID sh", 0, 0 },
    { "exec --no-new-privs=0 ID sh", 0, 0 },
    { "exec --no-new-privs=F ID sh", 0, 0 },
    { "exec --no-new-privs=T ID sh", 0, 1 },
    { "exec --no-new-privs=maybe ID sh", -1, -1 },
    { "exec ID sh", 0, -1 },
  };
  for (size_t i = 0; i < HR_ARRAY_SIZE (cases); i++)
    {
      struct parsed p = parse_line (cases[i].argv);
      cr_assert_eq (p.ret, cases[i].ret, "%s", cases[i].argv);
      if (p.ret == 0)
        cr_assert_eq (p.cli.exec_no_new_privs, cases[i].nnp, "%s", cases[i].argv);
      hr_cli_clear (&p.cli);
      hr_error_free (&p.err);
    }
}

Test (cli, hardrun_flags_are_taken_out)
{
  struct parsed p = parse_line ("--hardrun-profile=strict --debug --hardrun-policy /x.json create --bundle /b id");

  cr_assert_eq (p.ret, 0);
  cr_assert_str_eq (p.cli.profile, "strict");
  cr_assert_str_eq (p.cli.policy_path, "/x.json");
  cr_assert_eq (p.cli.runtime_argc, 6);
  cr_assert_str_eq (p.cli.runtime_argv[1], "--debug");
  cr_assert_str_eq (p.cli.runtime_argv[2], "create");
  cr_assert_str_eq (p.cli.runtime_argv[5], "id");
  cr_assert_null (p.cli.runtime_argv[6]);
  hr_cli_clear (&p.cli);
  p = parse_line ("create --hardrun-profile strict id");
  cr_assert_eq (p.ret, -1, "hardrun's flags belong before the command, as runc's global flags do");
  hr_cli_clear (&p.cli);
  hr_error_free (&p.err);
}
