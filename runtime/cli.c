/* SPDX-License-Identifier: Apache-2.0 */
/* runc's command line grammar.  The rules copied here are behaviour, not
 * code: Go's flag package (one or two dashes, "-f=v" or "-f v", bool flags
 * never take the next argument, "--" ends flags, parsing stops at the first
 * positional argument) and urfave/cli 1.22.9's reordering of a subcommand's
 * flags in front of its positional arguments (skipped for exec).  Getting
 * any of this wrong would let a caller hide a bundle or a --process file
 * from hardrun while runc still uses it, so the integration tests compare
 * these results with the real runc. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "hardrun/util.h"

enum flag_kind
{
  FLAG_BOOL,
  FLAG_VALUE,
};

struct flag_def
{
  const char *names; /* comma-separated aliases, as urfave/cli writes them */
  enum flag_kind kind;
};

struct command_def
{
  const char *name;
  enum hr_command_kind kind;
  bool reorder;
  const struct flag_def *flags;
};

/* Every urfave/cli command also has the help flag. */

static const struct flag_def global_flags[] = {
  { "debug", FLAG_BOOL },
  { "log", FLAG_VALUE },
  { "log-format", FLAG_VALUE },
  { "root", FLAG_VALUE },
  { "criu", FLAG_VALUE },
  { "systemd-cgroup", FLAG_BOOL },
  { "rootless", FLAG_VALUE },
  { "cgroup-manager", FLAG_VALUE }, /* crun */
  { "version,v", FLAG_BOOL },
  { "hardrun-policy", FLAG_VALUE },
  { "hardrun-profile", FLAG_VALUE },
  { "help,h", FLAG_BOOL },
  { NULL, 0 },
};

static const struct flag_def create_flags[] = {
  { "bundle,b", FLAG_VALUE },      { "console-socket", FLAG_VALUE },
  { "pid-file", FLAG_VALUE },      { "no-pivot", FLAG_BOOL },
  { "no-new-keyring", FLAG_BOOL }, { "preserve-fds", FLAG_VALUE },
  { "help,h", FLAG_BOOL },         { NULL, 0 },
};

static const struct flag_def run_flags[] = {
  { "bundle,b", FLAG_VALUE },
  { "console-socket", FLAG_VALUE },
  { "detach,d", FLAG_BOOL },
  { "keep", FLAG_BOOL },
  { "pid-file", FLAG_VALUE },
  { "no-subreaper", FLAG_BOOL },
  { "no-pivot", FLAG_BOOL },
  { "no-new-keyring", FLAG_BOOL },
  { "preserve-fds", FLAG_VALUE },
  { "help,h", FLAG_BOOL },
  { NULL, 0 },
};

static const struct flag_def restore_flags[] = {
  { "console-socket", FLAG_VALUE }, { "image-path", FLAG_VALUE },
  { "work-path", FLAG_VALUE },      { "tcp-established", FLAG_BOOL },
  { "ext-unix-sk", FLAG_BOOL },     { "shell-job", FLAG_BOOL },
  { "file-locks", FLAG_BOOL },      { "manage-cgroups-mode", FLAG_VALUE },
  { "bundle,b", FLAG_VALUE },       { "detach,d", FLAG_BOOL },
  { "pid-file", FLAG_VALUE },       { "no-subreaper", FLAG_BOOL },
  { "no-pivot", FLAG_BOOL },        { "empty-ns", FLAG_VALUE },
  { "auto-dedup", FLAG_BOOL },      { "lazy-pages", FLAG_BOOL },
  { "lsm-profile", FLAG_VALUE },    { "lsm-mount-context", FLAG_VALUE },
  { "help,h", FLAG_BOOL },          { NULL, 0 },
};

static const struct flag_def exec_flags[] = {
  { "console-socket", FLAG_VALUE }, { "cwd", FLAG_VALUE },          { "env,e", FLAG_VALUE },
  { "tty,t", FLAG_BOOL },           { "user,u", FLAG_VALUE },       { "additional-gids,g", FLAG_VALUE },
  { "process,p", FLAG_VALUE },      { "detach,d", FLAG_BOOL },      { "pid-file", FLAG_VALUE },
  { "process-label", FLAG_VALUE },  { "apparmor", FLAG_VALUE },     { "no-new-privs", FLAG_BOOL },
  { "cap,c", FLAG_VALUE },          { "preserve-fds", FLAG_VALUE }, { "cgroup", FLAG_VALUE },
  { "ignore-paused", FLAG_BOOL },   { "help,h", FLAG_BOOL },        { NULL, 0 },
};

static const struct flag_def delete_flags[] = {
  { "force,f", FLAG_BOOL },
  { "help,h", FLAG_BOOL },
  { NULL, 0 },
};

static const struct command_def commands[] = {
  { "create", HR_CMD_CREATE, true, create_flags },
  { "run", HR_CMD_RUN, true, run_flags },
  { "restore", HR_CMD_RESTORE, true, restore_flags },
  { "exec", HR_CMD_EXEC, false, exec_flags },
  { "check", HR_CMD_CHECK, false, NULL },
  { "policy", HR_CMD_POLICY, false, NULL },
  { "report", HR_CMD_REPORT, false, NULL },
  { "seccomp", HR_CMD_SECCOMP, false, NULL },
  { "doctor", HR_CMD_DOCTOR, false, NULL },
  { "install", HR_CMD_INSTALL, false, NULL },
  { "explain", HR_CMD_EXPLAIN, false, NULL },
  /* runc's commands that read no spec and change no privilege */
  { "start", HR_CMD_PASSTHROUGH, false, NULL },
  { "delete", HR_CMD_DELETE, true, delete_flags },
  { "kill", HR_CMD_PASSTHROUGH, false, NULL },
  { "state", HR_CMD_PASSTHROUGH, false, NULL },
  { "list", HR_CMD_PASSTHROUGH, false, NULL },
  { "ps", HR_CMD_PASSTHROUGH, false, NULL },
  { "pause", HR_CMD_PASSTHROUGH, false, NULL },
  { "resume", HR_CMD_PASSTHROUGH, false, NULL },
  { "update", HR_CMD_PASSTHROUGH, false, NULL },
  { "events", HR_CMD_PASSTHROUGH, false, NULL },
  { "checkpoint", HR_CMD_PASSTHROUGH, false, NULL },
  { "features", HR_CMD_PASSTHROUGH, false, NULL },
  { "spec", HR_CMD_PASSTHROUGH, false, NULL },
  { "help", HR_CMD_HELP, false, NULL },
  { "h", HR_CMD_HELP, false, NULL },
  { "mounts", HR_CMD_PASSTHROUGH, false, NULL }, /* crun */
};

static bool
has_name (const struct flag_def *def, const char *name, size_t len)
{
  const char *p = def->names;

  while (*p)
    {
      size_t n = strcspn (p, ",");
      if (n == len && strncmp (p, name, len) == 0)
        return true;
      p += n;
      if (*p == ',')
        p++;
    }
  return false;
}

static const struct flag_def *
find_flag (const struct flag_def *table, const char *name, size_t len)
{
  for (; table->names; table++)
    if (has_name (table, name, len))
      return table;
  return NULL;
}

/* urfave/cli's argIsFlag: strips the dashes as strings.Replace does and
 * compares the name before any '='. */
static bool
arg_is_flag (const struct flag_def *table, const char *arg)
{
  const char *p = arg;

  if (strcmp (arg, "-") == 0 || strcmp (arg, "--") == 0 || arg[0] != '-')
    return false;
  p += (arg[1] == '-') ? 2 : 1;
  if (arg[1] == '-' && *p == '-')
    p++;
  return find_flag (table, p, strcspn (p, "=")) != NULL;
}

/* urfave/cli 1.22.9 reorderArgs: flags (and the value after a flag without
 * '=') first, the rest after; a "--" that is not a flag's value moves to the
 * front of the rest and ends the reordering. */
static char **
reorder_args (const struct flag_def *table, char **args, int n)
{
  char **out = xcalloc ((size_t)n + 1, sizeof (char *));
  char **rest = xcalloc ((size_t)n + 1, sizeof (char *));
  int n_out = 0, n_rest = 0;
  bool value_may_follow = false;

  for (int i = 0; i < n; i++)
    {
      const char *arg = args[i];

      if (value_may_follow && !arg_is_flag (table, arg))
        {
          value_may_follow = false;
          out[n_out++] = args[i];
        }
      else if (strcmp (arg, "--") == 0)
        {
          memmove (rest + 1, rest, (size_t)n_rest * sizeof (char *));
          rest[0] = args[i];
          n_rest++;
          for (int k = i + 1; k < n; k++)
            rest[n_rest++] = args[k];
          break;
        }
      else if (arg_is_flag (table, arg))
        {
          out[n_out++] = args[i];
          value_may_follow = strchr (arg, '=') == NULL;
        }
      else
        rest[n_rest++] = args[i];
    }
  memcpy (out + n_out, rest, (size_t)n_rest * sizeof (char *));
  free (rest);
  return out;
}

/* Go's strconv.ParseBool. */
static int
parse_go_bool (const char *s, bool *out)
{
  static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True", NULL };
  static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False", NULL };

  for (size_t i = 0; yes[i]; i++)
    if (strcmp (s, yes[i]) == 0)
      return *out = true, 0;
  for (size_t i = 0; no[i]; i++)
    if (strcmp (s, no[i]) == 0)
      return *out = false, 0;
  return -1;
}

struct flag_value
{
  const struct flag_def *def;
  const char *value; /* "true"/"false" normalised for bools */
  int first_index;   /* where the flag (and its value) stand in args */
  int last_index;
};

typedef int (*flag_handler) (void *data, const struct flag_value *flag, hr_error_t *err);

/* Go's FlagSet.Parse: returns the index of the first positional argument. */
static int
go_flag_parse (char **args, int n, const struct flag_def *table, flag_handler handle, void *data, int *first_arg,
               const char **ended_by, hr_error_t *err)
{
  int i = 0;

  while (i < n)
    {
      const char *s = args[i], *name, *eq;
      struct flag_value fv = { .first_index = i };
      bool has_value;
      size_t name_len;

      if (strlen (s) < 2 || s[0] != '-')
        break;
      if (strcmp (s, "--") == 0)
        {
          if (ended_by)
            *ended_by = s;
          i++;
          break;
        }
      name = s + (s[1] == '-' ? 2 : 1);
      if (name[0] == '\0' || name[0] == '-' || name[0] == '=')
        return hr_error_set (err, 0, "bad flag syntax: %s", s);
      eq = strchr (name + 1, '=');
      has_value = eq != NULL;
      name_len = has_value ? (size_t)(eq - name) : strlen (name);
      fv.def = find_flag (table, name, name_len);
      if (fv.def == NULL)
        return hr_error_set (err, 0, "flag provided but not defined: -%.*s", (int)name_len, name);
      i++;
      if (fv.def->kind == FLAG_BOOL)
        {
          bool b = true;
          if (has_value && parse_go_bool (eq + 1, &b) < 0)
            return hr_error_set (err, 0, "invalid boolean value \"%s\" for -%.*s", eq + 1, (int)name_len, name);
          fv.value = b ? "true" : "false";
        }
      else if (has_value)
        fv.value = eq + 1;
      else if (i < n)
        fv.value = args[i++];
      else
        return hr_error_set (err, 0, "flag needs an argument: -%.*s", (int)name_len, name);
      fv.last_index = i - 1;
      if (handle (data, &fv, err) < 0)
        return -1;
    }
  *first_arg = i;
  return 0;
}

struct global_state
{
  struct hr_cli *cli;
  bool *drop; /* argv indexes (offset by 1) that belong to hardrun */
  bool help;
  bool version;
};

static int
handle_global (void *data, const struct flag_value *f, hr_error_t *err)
{
  struct global_state *g = data;
  const char *name = f->def->names;

  if (strcmp (name, "hardrun-policy") == 0 || strcmp (name, "hardrun-profile") == 0)
    {
      for (int k = f->first_index; k <= f->last_index; k++)
        g->drop[k] = true;
      if (name[8] == 'p' && name[9] == 'o')
        g->cli->policy_path = f->value;
      else
        g->cli->profile = f->value;
    }
  else if (strcmp (name, "log") == 0)
    g->cli->log_path = f->value;
  else if (strcmp (name, "log-format") == 0)
    g->cli->log_format = f->value;
  else if (strcmp (name, "root") == 0)
    g->cli->root = g->cli->root_given = f->value;
  else if (strcmp (name, "criu") == 0)
    g->cli->criu = f->value;
  else if (strcmp (name, "help,h") == 0)
    g->help = strcmp (f->value, "true") == 0;
  else if (strcmp (name, "version,v") == 0)
    g->version = strcmp (f->value, "true") == 0;
  return 0;
}

struct command_state
{
  struct hr_cli *cli;
  bool help;
  bool bundle_long, bundle_short; /* urfave/cli refuses both forms at once */
  bool process_long, process_short;
};

static bool
used_short_form (const struct flag_value *f, char **args)
{
  const char *s = args[f->first_index];
  s += (s[1] == '-') ? 2 : 1;
  return strlen (s) == 1 || s[1] == '=';
}

/* exec's flags that shape the process runc builds from the process file */
static void
handle_process_flag (struct hr_cli *cli, const char *name, const char *value)
{
  if (strcmp (name, "user,u") == 0)
    cli->exec_user = value;
  else if (strcmp (name, "additional-gids,g") == 0)
    hr_strv_push (&cli->exec_gids, value);
  else if (strcmp (name, "tty,t") == 0)
    cli->exec_tty = strcmp (value, "true") == 0;
  else if (strcmp (name, "preserve-fds") == 0)
    {
      long n = strtol (value, NULL, 0);
      /* runc refuses a value it cannot parse; hardrun only needs a bound */
      cli->exec_preserve_fds = n < 0 || n > 1 << 20 ? 0 : n;
    }
}

static int
handle_command_flag (void *data, const struct flag_value *f, hr_error_t *err, char **args)
{
  struct command_state *c = data;
  const char *name = f->def->names;
  bool is_short = used_short_form (f, args);

  if (strcmp (name, "bundle,b") == 0)
    {
      c->cli->bundle = f->value;
      *(is_short ? &c->bundle_short : &c->bundle_long) = true;
    }
  else if (strcmp (name, "process,p") == 0)
    {
      c->cli->process_path = f->value;
      c->cli->exec_process_short = is_short;
      *(is_short ? &c->process_short : &c->process_long) = true;
    }
  else if (strcmp (name, "help,h") == 0)
    c->help = strcmp (f->value, "true") == 0;
  else if (strcmp (name, "cap,c") == 0)
    hr_strv_push (&c->cli->exec_caps, f->value);
  else if (strcmp (name, "env,e") == 0)
    hr_strv_push (&c->cli->exec_env, f->value);
  else if (strcmp (name, "apparmor") == 0)
    c->cli->exec_apparmor = f->value;
  else if (strcmp (name, "process-label") == 0)
    c->cli->exec_process_label = f->value;
  else if (strcmp (name, "cwd") == 0)
    c->cli->exec_cwd = f->value;
  else if (strcmp (name, "no-new-privs") == 0)
    c->cli->exec_no_new_privs = strcmp (f->value, "true") == 0;
  else
    handle_process_flag (c->cli, name, f->value);
  return 0;
}

/* go_flag_parse hands handlers only the flag; the short-form check needs the
 * arguments too, so they travel in this wrapper. */
struct command_parse
{
  struct command_state state;
  char **args;
};

static int
handle_command (void *data, const struct flag_value *f, hr_error_t *err)
{
  struct command_parse *p = data;
  return handle_command_flag (&p->state, f, err, p->args);
}

static int
parse_command (struct hr_cli *cli, const struct command_def *def, char **args, int n, hr_error_t *err)
{
  struct command_parse p = { .state = { .cli = cli } };
  cleanup_free char **ordered = def->reorder ? reorder_args (def->flags, args, n) : NULL;
  int first = 0, positional;

  p.args = ordered ? ordered : args;
  if (go_flag_parse (p.args, n, def->flags, handle_command, &p, &first, &cli->exec_flags_end, err) < 0)
    return -1;
  if (p.state.help)
    {
      cli->kind = HR_CMD_PASSTHROUGH; /* runc only prints help */
      return 0;
    }
  if (p.state.bundle_long && p.state.bundle_short)
    return hr_error_set (err, 0, "Cannot use two forms of the same flag: bundle b");
  if (p.state.process_long && p.state.process_short)
    return hr_error_set (err, 0, "Cannot use two forms of the same flag: process p");
  positional = n - first;
  if (def->kind != HR_CMD_EXEC && positional != 1)
    return hr_error_set (err, 0, "\"%s\" requires exactly 1 argument(s)", def->name);
  if (def->kind == HR_CMD_EXEC && positional < 1)
    return hr_error_set (err, 0, "\"%s\" requires a minimum of 1 argument(s)", def->name);
  cli->container_id = p.args[first];
  if (cli->process_path && cli->process_path[0] == '\0')
    cli->process_path = NULL; /* runc treats --process "" as no file */
  return 0;
}

static void
build_runtime_argv (struct hr_cli *cli, int argc, char **argv, const bool *drop)
{
  cli->runtime_argv = xcalloc ((size_t)argc + 1, sizeof (char *));
  cli->runtime_argc = 0;
  cli->runtime_argv[cli->runtime_argc++] = argv[0];
  for (int i = 1; i < argc; i++)
    if (!drop[i - 1])
      cli->runtime_argv[cli->runtime_argc++] = argv[i];
}

static const struct command_def *
find_command (const char *name)
{
  for (size_t i = 0; i < HR_ARRAY_SIZE (commands); i++)
    if (strcmp (commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

static char *go_getwd (hr_error_t *err);

/* runc's create, run and restore enter the bundle (setupSpec) before they
 * make --root absolute, and "" is left to that late filepath.Abs
 * (reviseRootDir skips it): the state goes into the bundle directory. */
static int
resolve_empty_root (struct hr_cli *cli, hr_error_t *err)
{
  cleanup_close int saved = -1;

  if (!hr_cli_reads_spec (cli) || cli->root == NULL || cli->root[0] != '\0' || cli->bundle[0] == '\0'
      || cli->kind == HR_CMD_PASSTHROUGH)
    return 0;
  saved = open (".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (saved < 0)
    return hr_error_set (err, errno, "cannot open the working directory");
  if (chdir (cli->bundle) < 0)
    return hr_error_set (err, errno, "chdir %s", cli->bundle);
  cli->root_storage = go_getwd (err);
  if (fchdir (saved) < 0)
    return hr_error_set (err, errno, "cannot return to the working directory");
  if (cli->root_storage == NULL)
    return -1;
  cli->root = cli->root_storage;
  return 0;
}

int
hr_cli_parse (int argc, char **argv, struct hr_cli *cli, hr_error_t *err)
{
  cleanup_free bool *drop = xcalloc ((size_t)argc + 1, sizeof (bool));
  struct global_state g = { .cli = cli, .drop = drop };
  const struct command_def *def;
  int first = 0, rest;

  memset (cli, 0, sizeof *cli);
  cli->exec_no_new_privs = -1;
  cli->exec_tty = -1;
  cli->bundle = "";
  if (go_flag_parse (argv + 1, argc - 1, global_flags, handle_global, &g, &first, NULL, err) < 0)
    return -1;
  build_runtime_argv (cli, argc, argv, drop);
  /* urfave/cli answers --help before --version, and both before any command. */
  if (g.help || (!g.version && first >= argc - 1))
    return cli->runtime_help = true, cli->kind = HR_CMD_PASSTHROUGH, 0;
  if (g.version)
    return cli->kind = HR_CMD_VERSION, 0;
  cli->command_index = first + 1;
  cli->command = argv[cli->command_index];
  def = find_command (cli->command);
  if (def == NULL)
    {
      /* urfave/cli's words and exit status; never passed through, since a
       * command hardrun does not know might read a spec. */
      cli->unknown_command = true;
      return hr_error_set (err, 0, "No help topic for '%s'", cli->command);
    }
  cli->kind = def->kind;
  if (def->flags == NULL)
    return 0;
  rest = cli->command_index + 1;
  if (parse_command (cli, def, argv + rest, argc - rest, err) < 0)
    return -1;
  return resolve_empty_root (cli, err);
}

void
hr_cli_clear (struct hr_cli *cli)
{
  free (cli->runtime_argv);
  free (cli->root_storage);
  hr_strv_clear (&cli->exec_caps);
  hr_strv_clear (&cli->exec_env);
  hr_strv_clear (&cli->exec_gids);
  memset (cli, 0, sizeof *cli);
}

bool
hr_cli_reads_spec (const struct hr_cli *cli)
{
  return cli->kind == HR_CMD_CREATE || cli->kind == HR_CMD_RUN || cli->kind == HR_CMD_RESTORE;
}

const char *
hr_command_kind_name (enum hr_command_kind kind)
{
  static const char *const names[] = {
    [HR_CMD_PASSTHROUGH] = "passthrough", [HR_CMD_CREATE] = "create",   [HR_CMD_RUN] = "run",
    [HR_CMD_RESTORE] = "restore",         [HR_CMD_EXEC] = "exec",       [HR_CMD_VERSION] = "version",
    [HR_CMD_DELETE] = "delete",           [HR_CMD_CHECK] = "check",     [HR_CMD_POLICY] = "policy",
    [HR_CMD_REPORT] = "report",           [HR_CMD_SECCOMP] = "seccomp", [HR_CMD_HELP] = "help",
    [HR_CMD_DOCTOR] = "doctor",           [HR_CMD_INSTALL] = "install", [HR_CMD_EXPLAIN] = "explain",
  };
  return names[kind];
}

/* runc's userns.RunningInUserNS: anything but the initial full mapping. */
static bool
running_in_user_namespace (void)
{
  FILE *f = fopen ("/proc/self/uid_map", "re");
  unsigned long long inside, outside, count;
  char line[128];
  int lines = 0, fields = 0;

  if (f == NULL)
    return false; /* no user namespaces in this kernel */
  while (fgets (line, sizeof line, f))
    if (lines++ == 0)
      fields = sscanf (line, "%llu %llu %llu", &inside, &outside, &count);
  fclose (f);
  return !(lines == 1 && fields == 3 && inside == 0 && outside == 0 && count == 4294967295ULL);
}

/* runc 1.1.5 main.go: $XDG_RUNTIME_DIR/runc for a user other than real root
 * (shouldHonorXDGRuntimeDir), else /run/runc. */
static char *
default_state_root (void)
{
  const char *xdg = getenv ("XDG_RUNTIME_DIR"), *user = getenv ("USER");
  char *root;

  if (xdg == NULL || *xdg == '\0')
    return xstrdup ("/run/runc");
  if (geteuid () == 0 && (!running_in_user_namespace () || hr_streq (user, "root")))
    return xstrdup ("/run/runc");
  xasprintf (&root, "%s/runc", xdg);
  return root;
}

/* Go's os.Getwd: $PWD when it is absolute and names ".", else getcwd. */
static char *
go_getwd (hr_error_t *err)
{
  const char *pwd = getenv ("PWD");
  struct stat dot, named;
  char *cwd;

  if (stat (".", &dot) < 0)
    return hr_error_set (err, errno, "cannot find the working directory"), NULL;
  if (pwd && pwd[0] == '/' && stat (pwd, &named) == 0 && named.st_dev == dot.st_dev && named.st_ino == dot.st_ino)
    return xstrdup (pwd);
  cwd = getcwd (NULL, 0);
  if (cwd == NULL || cwd[0] != '/')
    return free (cwd), hr_error_set (err, errno ? errno : ENOENT, "cannot find the working directory"), NULL;
  return cwd;
}

char *
hr_cli_state_root (const char *root_flag, hr_error_t *err)
{
  cleanup_free char *root = root_flag ? xstrdup (root_flag) : default_state_root ();
  cleanup_free char *cwd = NULL, *joined = NULL;

  /* reviseRootDir and loadFactory both take filepath.Abs of the value */
  if (root[0] == '/')
    return hr_path_clean (root);
  cwd = go_getwd (err);
  if (cwd == NULL)
    return NULL;
  xasprintf (&joined, "%s/%s", cwd, root);
  return hr_path_clean (joined);
}
