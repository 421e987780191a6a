/* SPDX-License-Identifier: Apache-2.0 */
/* hardrun's own help: `hardrun help [COMMAND]` and `hardrun COMMAND --help`
 * for the commands hardrun adds.  runc's own help (`hardrun --help`,
 * `hardrun help create`) stays runc's text, which engines and runc's tests
 * read; hardrun only adds one line in front of it that points here. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "config.h"
#include "hardrun/util.h"

struct help_topic
{
  const char *name;
  const char *summary;
  const char *text;
};

static const struct help_topic topics[] = {
  { "check", "what the policy would change or deny in a spec, touching nothing",
    "usage: hardrun [--hardrun-policy FILE] check (--bundle DIR | --config FILE)\n"
    "                                      [--profile NAME] [--id ID] [--format text|json]\n"
    "\n"
    "Judges a spec as create would, without running anything: the decision\n"
    "(allow, modify, deny), every change and denial with the rule that made it,\n"
    "and with --format json the resulting spec.\n"
    "\n"
    "  --bundle, -b DIR   the bundle whose config.json is checked\n"
    "  --config FILE      a config.json anywhere\n"
    "  --profile NAME     the profile to judge under (default: the policy's)\n"
    "  --id ID            judge it as the container the engine calls ID (its\n"
    "                     engine files are its own; Docker's hook names it)\n"
    "  --format FORMAT    text (default), json, sarif (SARIF 2.1.0) or junit\n"
    "                     (one testcase per rule); json decisions carry rule_id,\n"
    "                     severity, path (the spec field) and fix\n"
    "  --offline          judge host paths (hooks, namespace paths, bind sources)\n"
    "                     by their text, never on this machine: the default with\n"
    "                     --config; what a pattern cannot decide is \"undecided\",\n"
    "                     refused like a denial\n"
    "  --online           look host paths up on this machine: the default with\n"
    "                     --bundle\n"
    "  --fail-on WHAT     denied (default) or modified: also exit 3 when the\n"
    "                     container would run only rewritten (CI)\n"
    "  --diff[=unified]   print only what the rewrite changes: a unified diff of\n"
    "                     the pretty-printed spec (a/config.json, b/config.json)\n"
    "  --diff=json-patch  the same as an RFC 6902 JSON patch\n"
    "\n"
    "Exit status: 0 the container would run (as is or hardened), 1 it would be\n"
    "refused, 2 the spec or the policy could not be used, 3 (--fail-on modified)\n"
    "it would run only rewritten.\n" },
  { "policy", "validate a policy file, or show the effective policy",
    "usage: hardrun policy validate [--format text|json] [--no-trust-check] FILE\n"
    "       hardrun [--hardrun-policy FILE] policy show\n"
    "\n"
    "validate  reads FILE as hardrun would and reports every problem at once,\n"
    "          each with its place as a JSON pointer (/profiles/strict/rules)\n"
    "          and, for a misspelt key, rule, setting or profile name, the name\n"
    "          it likely meant; then the runtime's trust checks: FILE, every\n"
    "          directory above it and the files it names are root's and not\n"
    "          writable by others (a policy the runtime would refuse is invalid)\n"
    "show      prints the effective policy with every default spelled out\n"
    "          (the policy file, else the embedded default)\n"
    "\n"
    "  --format FORMAT    text (default: problems on stderr) or json: {\"valid\",\n"
    "                     \"errors\": [{\"path\", \"message\", \"suggestion\"}]}\n"
    "  --no-trust-check   the content only, for a draft not yet installed (CI)\n"
    "\n"
    "The file's JSON Schema is installed as share/hardrun/policy.schema.json.\n"
    "Exit status of validate: 0 valid, 1 invalid, 2 usage.\n" },
  { "report", "the audit log summarized per rule, profile and container",
    "usage: hardrun [--hardrun-policy FILE] report [--audit-log FILE]\n"
    "                                       [--format text|json|prometheus]\n"
    "                                       [--since TIME] [--container ID]\n"
    "\n"
    "Reads the audit log (the policy's audit_log by default) and summarizes what\n"
    "was changed, denied, quarantined, and what enforcement would change (the\n"
    "audited decisions of a rollout), per rule, per profile and per container.\n"
    "\n"
    "--since TIME    only records written at or after TIME: RFC 3339\n"
    "                (2026-01-02T15:04:05Z) or a duration before now (90s, 1h30m, 7d)\n"
    "--container ID  only that container's records: its id or a prefix no other\n"
    "                container of the log shares\n"
    "--format prometheus  counts for node_exporter's textfile collector:\n"
    "                hardrun_decisions_total{rule,outcome,profile},\n"
    "                hardrun_containers_total{outcome,profile}, hardrun_execs_total\n" },
  { "seccomp", "learn a minimal seccomp profile from a workload's run",
    "usage: hardrun seccomp learn --container ID [--audit-log FILE]\n"
    "                             [--kernel-log FILE] [--output FILE]\n"
    "\n"
    "After the container ran under the seccomp rule's learn mode, prints (or\n"
    "writes to --output) a profile of the calls the kernel logged for it on\n"
    "top of a small floor, for the seccomp rule's profile setting.  Records come\n"
    "from /dev/kmsg or --kernel-log; set kernel.printk_ratelimit=0 while learning.\n" },
  { "doctor", "the host's posture for containers, checked (and compared with a baseline)",
    "usage: hardrun doctor [--format text|json|junit] [--fail-on SEVERITY] [--save FILE]\n"
    "                      [--baseline FILE] [--fix]\n"
    "\n"
    "Checks the kernel (sysctls, LSMs, lockdown, cgroups, seccomp, version), the\n"
    "runtime (hardrun, the real runtime, the policy, the audit log and state are\n"
    "root's alone; runc's version against the known escapes), the engines\n"
    "(hardrun registered, default, lock-down, the CIS Docker Benchmark's daemon\n"
    "settings) and the running containers (any that did not go through hardrun).\n"
    "Each check has a stable id, a severity, what was found and the fix.\n"
    "\n"
    "  --format FORMAT    text (failed checks and a summary), json or junit\n"
    "  --fail-on SEV      exit 1 when a check of this severity or above fails\n"
    "                     (info, low, medium, high (default), critical)\n"
    "  --save FILE        record every check's observed value (JSON)\n"
    "  --baseline FILE    report every difference from a recorded state (exit 1)\n"
    "  --fix              apply what is safe: sysctls, now and in\n"
    "                     /etc/sysctl.d/90-hardrun.conf; explain the rest\n"
    "\n"
    "Exit status: 0 nothing failed at or above --fail-on and nothing drifted, 1\n"
    "otherwise, 2 doctor itself could not run.\n" },
  { "install", "register hardrun with docker, containerd or podman (and undo it)",
    "usage: hardrun install docker|containerd|podman [--default] [--lockdown] [--uninstall]\n"
    "                       [--dry-run] [--force] [--node-root DIR] [--path PATH]\n"
    "\n"
    "Registers hardrun in the engine's own configuration and reloads the engine\n"
    "as it reloads itself:\n"
    "  docker      /etc/docker/daemon.json: the runtimes hardrun, hardrun-strict,\n"
    "              hardrun-rollout, hardrun-quarantine (every other setting kept);\n"
    "              /etc/hardrun/profiles.json, which their runtimeArgs name, from\n"
    "              the examples when absent (an existing file is never replaced);\n"
    "              dockerd gets SIGHUP (it rereads runtimes and default-runtime)\n"
    "  containerd  /etc/containerd/config.toml (version 2): the CRI runtime\n"
    "              handler \"hardrun\" (runc v2 shim, BinaryName = hardrun), for a\n"
    "              Kubernetes RuntimeClass; the file is edited as text, hardrun's\n"
    "              lines marked; containerd reads it only at start: restarted with\n"
    "              systemctl where systemd runs it, else say so\n"
    "  podman      /etc/containers/containers.conf.d/50-hardrun.conf: the runtime\n"
    "              \"hardrun\" (podman --runtime hardrun); read at every command\n"
    "\n"
    "  --default        make hardrun the engine's default runtime\n"
    "  --lockdown       --default, and the engine's usual way around it closed as\n"
    "                   far as the engine allows: docker: hardrun installed as\n"
    "                   /usr/local/sbin/runc, in front of the real runc for its\n"
    "                   built-in \"runc\" runtime (dockerd reserves that name;\n"
    "                   containerd's and dockerd's PATH must list /usr/local/sbin\n"
    "                   before /usr/sbin);\n"
    "                   containerd: the \"runc\" handler runs hardrun too;\n"
    "                   podman: the runtime names runc and crun run hardrun.\n"
    "                   Not closed: whoever reaches the engine's socket or runs\n"
    "                   podman may name a runtime binary by path (ctr\n"
    "                   --runc-binary, podman --runtime /usr/sbin/runc,\n"
    "                   CONTAINERS_CONF): that access is root's anyway\n"
    "  --uninstall      put every file back byte for byte (or remove it when it\n"
    "                   did not exist); refused for a file changed since hardrun\n"
    "                   wrote it unless --force (an edited profiles.json is kept)\n"
    "  --dry-run        print what would be written, change nothing\n"
    "  --force          rewrite or restore a file an operator changed since\n"
    "  --node-root DIR  the node's / is mounted at DIR (a DaemonSet's hostPath):\n"
    "                   every file is opened beneath it; the engine is not reloaded\n"
    "  --path PATH      hardrun as the engine will run it (default: this binary;\n"
    "                   with --node-root, this binary's path inside DIR)\n"
    "\n"
    "The originals are kept under /var/lib/hardrun/install/ENGINE/.  Running it\n"
    "again changes nothing.  Exit status: 0 done (or nothing to do), 1 refused or\n"
    "failed (nothing half-written), 2 usage.\n" },
  { "explain", "what a rule does, its id, severity, fix, action and settings",
    "usage: hardrun [--hardrun-policy FILE] explain [RULE]\n"
    "\n"
    "Without RULE, lists every rule: its stable id (HR-...), name, severity and\n"
    "what it does.  With RULE (a name or an id): the spec field it judges, the\n"
    "fix in words, and its action and settings in the embedded default policy\n"
    "and, when another policy is in use, in that policy's default profile.\n"
    "\n"
    "Exit status: 0, 2 for an unknown rule.\n" },
  { "help", "this help, or a command's", "usage: hardrun help [COMMAND]\n" },
};

static const struct help_topic *
find_topic (const char *name)
{
  for (size_t i = 0; i < HR_ARRAY_SIZE (topics); i++)
    if (strcmp (topics[i].name, name) == 0)
      return &topics[i];
  return NULL;
}

static void
print_overview (void)
{
  printf ("hardrun %s: a runc-compatible OCI runtime that enforces a security baseline\n\n", HARDRUN_VERSION);
  printf ("usage: hardrun [runc's global flags] [--hardrun-policy FILE] [--hardrun-profile NAME]\n"
          "               COMMAND [ARGS...]\n\n");
  printf ("hardrun's own commands:\n");
  for (size_t i = 0; i < HR_ARRAY_SIZE (topics); i++)
    printf ("  %-9s %s\n", topics[i].name, topics[i].summary);
  printf ("\nrunc's commands (create, run, exec, delete, start, state, ...) are runc's:\n"
          "create, run and restore are hardened by the policy, exec's process too;\n"
          "the others go to the real runtime untouched.  Their help: hardrun --help,\n"
          "hardrun help COMMAND.\n\n");
  printf ("hardrun's global flags (taken out before the real runtime sees argv):\n"
          "  --hardrun-policy FILE  the policy (default %s, else the embedded one)\n"
          "  --hardrun-profile NAME the profile to enforce (default: the policy's)\n\n",
          HARDRUN_DEFAULT_POLICY_PATH);
  printf ("See hardrun(8) and hardrun-policy(5).\n");
}

bool
hr_help_requested (int argc, char **argv)
{
  for (int i = 0; i < argc; i++)
    if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0 || strcmp (argv[i], "-help") == 0)
      return true;
  return false;
}

int
hr_cmd_help_topic (const char *name)
{
  const struct help_topic *t = find_topic (name);

  if (t == NULL)
    return 1;
  fputs (t->text, stdout);
  return 0;
}

int
hr_cmd_help (const struct hr_cli *cli, int argc, char **argv)
{
  if (argc == 0)
    {
      print_overview ();
      return 0;
    }
  if (find_topic (argv[0]))
    return hr_cmd_help_topic (argv[0]);
  /* a runc command's help is runc's */
  return hr_cmd_passthrough (cli);
}

void
hr_print_help_pointer (void)
{
  printf ("hardrun: this is runc's help; hardrun's own commands (check, policy, report, seccomp): hardrun help\n\n");
  fflush (stdout);
}
