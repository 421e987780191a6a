/* SPDX-License-Identifier: Apache-2.0 */
/* Each rule alone: a profile where every other rule is off, small
 * hand-written specs, the fake host, and assertions on both the decisions
 * and the resulting document.  Then what deny, audit, off and audit mode do
 * with the same violation, and the exec path. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cwd_resolve.h"
#include "fake_host.h"
#include "hardrun/enforce.h"
#include "hardrun/json.h"
#include "hardrun/policy.h"
#include "hardrun/util.h"
#include "host.h"

/* The host of these tests: pid 1's namespaces and Docker's host netns file
 * are the host's, /proc/999 cannot be inspected; /var/run is a link to
 * /run, /srv/etc-link to /etc, container abc's "hostname" file to /etc/shadow,
 * /proc/4242/exe to dockerd, and /srv/gone does not resolve. */
static const char *const host_namespaces[] = { "/proc/1/ns/*", "/var/run/docker/netns/default", NULL };
static const char *const broken_namespaces[] = { "/proc/999/ns/*", NULL };
static const struct fake_link links[] = {
  { "/var/run", "/run" },
  { "/srv/etc-link", "/etc" },
  { "/srv/gone", NULL },
  { "/proc/4242/exe", "/usr/sbin/dockerd" },
  { "/var/lib/docker/containers/abc/hostname", "/etc/shadow" },
  { NULL, NULL },
};
/* Inside the image, as on Debian, Ubuntu and Alpine: /var/run -> /run. */
static const struct fake_link image_links[] = { { "/var/run", "/run" }, { NULL, NULL } };
/* /proc/4242 is the init of hardrun container "sandbox", whose range is
 * 500000/600000 + 65536; any other user namespace maps 0 onto host 0. */
static const struct fake_userns user_namespaces[] = {
  { "/proc/4242/ns/user", 500000, 600000, 65536, "sandbox" },
  { NULL, 0, 0, 0, NULL },
};
static const struct fake_host_config host_config = { .host_namespaces = host_namespaces,
                                                     .broken_namespaces = broken_namespaces,
                                                     .links = links,
                                                     .rootfs_links = image_links,
                                                     .container_id = "abc",
                                                     .user_namespaces = user_namespaces };

static const char *const no_var_tmp[] = { "/var/tmp", NULL };
static const struct fake_host_config host_without_var_tmp = { .host_namespaces = host_namespaces,
                                                              .broken_namespaces = broken_namespaces,
                                                              .links = links,
                                                              .missing_dirs = no_var_tmp,
                                                              .rootfs_links = image_links,
                                                              .user_namespaces = user_namespaces };

enum
{
  RUN_SPEC = 0,
  RUN_PROCESS = 1, /* hr_enforce_process on the document */
  RUN_AUDIT_MODE = 2,
};

struct run
{
  struct hr_policy *policy;
  struct hr_json *doc;
  struct hr_result result;
  char *before; /* the document as given, compact */
  char *text;   /* the document after enforcement, compact */
  int ret;
  hr_error_t err;
};

static void
run_clear (struct run *r)
{
  hr_result_clear (&r->result);
  hr_json_free (r->doc);
  hr_policy_free (r->policy);
  hr_error_free (&r->err);
  free (r->before);
  free (r->text);
  memset (r, 0, sizeof *r);
}

#define cleanup_run __attribute__ ((cleanup (run_clear)))

/* A policy whose only profile has every rule off except `rule`, which gets
 * the object rule_json (with its action, and settings if any). */
static char *
policy_text (const char *rule, const char *rule_json)
{
  char *text = xstrdup ("{\"default_profile\":\"t\",\"profiles\":{\"t\":{\"rules\":{");
  char *next;
  bool found = false;

  for (size_t i = 0; i < hr_rule_count (); i++)
    {
      const char *name = hr_rule_name (i);
      bool this = strcmp (name, rule) == 0;

      found |= this;
      xasprintf (&next, "%s%s\"%s\":%s", text, i ? "," : "", name, this ? rule_json : "{\"action\":\"off\"}");
      free (text);
      text = next;
    }
  cr_assert (found, "no rule %s", rule);
  xasprintf (&next, "%s}}}}", text);
  free (text);
  return next;
}

/* The container id the fake host reports (runc's argument); NULL by default. */
static const char *test_container_id;
/* The host's memory of seccomp merges; NULL by default (none). */
static struct hr_json *(*test_recall_merge) (const struct hr_host *, const char *, size_t, struct hr_strv *);
static void (*test_remember_merge) (const struct hr_host *, const char *, size_t, const struct hr_json *,
                                    const struct hr_strv *);

static struct run
run_rule_on (const char *rule, const char *rule_json, const char *doc, int mode, const struct fake_host_config *config)
{
  struct run r = { 0 };
  struct hr_host host;
  cleanup_free char *ptext = policy_text (rule, rule_json);
  const struct hr_profile *profile;

  r.policy = hr_policy_load_text (ptext, strlen (ptext), "test", &r.err);
  cr_assert_not_null (r.policy, "policy: %s", r.err ? r.err->msg : "?");
  profile = hr_policy_find_profile (r.policy, "t");
  r.doc = hr_json_parse (doc, strlen (doc), &r.err);
  cr_assert_not_null (r.doc, "spec: %s", r.err ? r.err->msg : "?");
  r.before = hr_json_serialize (r.doc, NULL);
  fake_host_init (&host, config);
  if (test_container_id)
    host.container_id = test_container_id;
  host.recall_merge = test_recall_merge;
  host.remember_merge = test_remember_merge;
  if (mode & RUN_PROCESS)
    r.ret = hr_enforce_process (r.doc, profile, mode & RUN_AUDIT_MODE, &r.result, &r.err);
  else
    r.ret = hr_enforce_spec (r.doc, profile, mode & RUN_AUDIT_MODE, &host, &r.result, &r.err);
  r.text = hr_json_serialize (r.doc, NULL);
  return r;
}

static struct run
run_rule (const char *rule, const char *rule_json, const char *doc)
{
  struct run r = run_rule_on (rule, rule_json, doc, RUN_SPEC, &host_config);

  cr_assert_eq (r.ret, 0, "enforcement failed: %s", r.err ? r.err->msg : "?");
  for (size_t i = 0; i < r.result.len; i++)
    cr_assert_str_eq (r.result.items[i].rule, rule, "a decision of another rule: %s", r.result.items[i].message);
  return r;
}

/* Decisions with this outcome whose message contains needle. */
static size_t
count (const struct run *r, enum hr_outcome outcome, const char *needle)
{
  size_t n = 0;

  for (size_t i = 0; i < r->result.len; i++)
    if (r->result.items[i].outcome == outcome && strstr (r->result.items[i].message, needle) != NULL)
      n++;
  return n;
}

static char *
all_messages (const struct run *r)
{
  char *all = xstrdup ("");

  for (size_t i = 0; i < r->result.len; i++)
    {
      char *next;
      xasprintf (&next, "%s[%s %s] %s\n", all, r->result.items[i].rule, hr_outcome_name (r->result.items[i].outcome),
                 r->result.items[i].message);
      free (all);
      all = next;
    }
  return all;
}

static void
assert_decision (const struct run *r, enum hr_outcome outcome, const char *needle)
{
  cleanup_free char *all = all_messages (r);

  cr_assert_geq (count (r, outcome, needle), 1, "no %s decision with \"%s\" among:\n%s", hr_outcome_name (outcome),
                 needle, all);
}

static void
assert_no_decision (const struct run *r)
{
  cleanup_free char *all = all_messages (r);

  cr_assert_eq (r->result.len, 0, "unexpected decisions:\n%s", all);
  cr_assert_str_eq (r->text, r->before, "the document changed");
}

/* The compact text of the member at path ("" when absent). */
static void
assert_at (const struct run *r, const char *expected, ...)
{
  const char *fields[16];
  size_t n = 0;
  va_list ap;
  const struct hr_json *node;
  cleanup_free char *text = NULL;

  va_start (ap, expected);
  while ((fields[n] = va_arg (ap, const char *)) != NULL)
    n++;
  va_end (ap);
  node = hr_json_get_path (r->doc, fields);
  text = node ? hr_json_serialize (node, NULL) : xstrdup ("");
  cr_assert_str_eq (text, expected, "at %s...: %s, expected %s", fields[0], text, expected);
}

#define AT(r, expected, ...) assert_at (r, expected, __VA_ARGS__, (const char *)NULL)

/* The compact text of member `field` of the index-th entry of array `array`. */
static char *
entry_text (const struct run *r, const char *array, size_t index, const char *field)
{
  const struct hr_json *arr = hr_json_get (r->doc, array);
  const struct hr_json *v;

  cr_assert (arr && arr->type == HR_JSON_ARRAY && index < arr->len, "no %s[%zu]", array, index);
  v = field ? hr_json_get (arr->items[index], field) : arr->items[index];
  return v ? hr_json_serialize (v, NULL) : xstrdup ("");
}

#define ENTRY_IS(r, expected, array, index, field)                                                                     \
  do                                                                                                                   \
    {                                                                                                                  \
      cleanup_free char *t_ = entry_text (r, array, index, field);                                                     \
      cr_assert_str_eq (t_, expected, "%s[%d].%s", array, index, field ? field : "");                                  \
    }                                                                                                                  \
  while (0)

#define FIX "{\"action\":\"fix\"}"
#define DENY "{\"action\":\"deny\"}"
#define AUDIT "{\"action\":\"audit\"}"
#define OFF "{\"action\":\"off\"}"
#define PROCESS "\"process\":{\"cwd\":\"/\",\"args\":[\"true\"]}"
#define SPEC(...) "{" PROCESS ",\"root\":{\"path\":\"rootfs\"}" __VA_ARGS__ "}"

/* capabilities */

Test (rule_capabilities, sets_cut_to_the_allowlist)
{
  cleanup_run struct run r = run_rule (
      "capabilities", FIX,
      "{\"process\":{\"cwd\":\"/\",\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_SYS_ADMIN\",\"CAP_KILL\"],"
      "\"effective\":[\"CAP_SYS_ADMIN\",\"CAP_CHOWN\",\"CAP_NET_RAW\"],\"permitted\":[\"CAP_CHOWN\",\"CAP_KILL\"],"
      "\"inheritable\":[\"CAP_CHOWN\"],\"ambient\":[\"CAP_KILL\"]}}}");

  AT (&r,
      "{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\"],\"effective\":[\"CAP_CHOWN\"],\"permitted\":[\"CAP_CHOWN\","
      "\"CAP_KILL\"],\"inheritable\":[],\"ambient\":[]}",
      "process", "capabilities");
  cr_assert_eq (r.result.n_changed, 4);
  cr_assert_eq (r.result.n_denied, 0);
  assert_decision (&r, HR_OUTCOME_CHANGED, "bounding capabilities dropped: CAP_SYS_ADMIN");
  assert_decision (&r, HR_OUTCOME_CHANGED, "effective capabilities dropped: CAP_SYS_ADMIN, CAP_NET_RAW");
  assert_decision (&r, HR_OUTCOME_CHANGED, "inheritable capabilities dropped: CAP_CHOWN");
  assert_decision (&r, HR_OUTCOME_CHANGED, "ambient capabilities dropped: CAP_KILL");
  cr_assert_str_eq (hr_result_verdict (&r.result), "modify");
}

Test (rule_capabilities, own_allowlist)
{
  cleanup_run struct run r
      = run_rule ("capabilities", "{\"action\":\"fix\",\"allow\":[\"CAP_NET_BIND_SERVICE\"]}",
                  "{\"process\":{\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_NET_BIND_SERVICE\"]}}}");

  AT (&r, "{\"bounding\":[\"CAP_NET_BIND_SERVICE\"]}", "process", "capabilities");
}

Test (rule_capabilities, within_the_allowlist_is_left_alone)
{
  cleanup_run struct run r = run_rule (
      "capabilities", FIX,
      "{\"process\":{\"capabilities\":{\"bounding\":[\"CAP_CHOWN\"],\"effective\":[],\"inheritable\":[]}}}");
  cleanup_run struct run none = run_rule ("capabilities", FIX, "{\"process\":{\"cwd\":\"/\"}}");

  assert_no_decision (&r);
  assert_no_decision (&none);
}

Test (rule_capabilities, wrong_types_are_errors)
{
  cleanup_run struct run r
      = run_rule_on ("capabilities", FIX, "{\"process\":{\"capabilities\":[]}}", RUN_SPEC, &host_config);
  cleanup_run struct run s = run_rule_on ("capabilities", FIX, "{\"process\":{\"capabilities\":{\"bounding\":[1]}}}",
                                          RUN_SPEC, &host_config);

  cr_assert_lt (r.ret, 0);
  cr_assert (strstr (r.err->msg, "process.capabilities") != NULL, "%s", r.err->msg);
  cr_assert_lt (s.ret, 0);
  cr_assert (strstr (s.err->msg, "process.capabilities.bounding") != NULL, "%s", s.err->msg);
}

/* no_new_privileges */

Test (rule_no_new_privileges, set_when_missing_or_false)
{
  cleanup_run struct run r = run_rule ("no_new_privileges", FIX, "{\"process\":{\"cwd\":\"/\"}}");
  cleanup_run struct run f = run_rule ("no_new_privileges", FIX, "{\"process\":{\"noNewPrivileges\":false,\"x\":1}}");
  cleanup_run struct run t = run_rule ("no_new_privileges", FIX, "{\"process\":{\"noNewPrivileges\":true}}");

  cr_assert_str_eq (r.text, "{\"process\":{\"cwd\":\"/\",\"noNewPrivileges\":true}}");
  assert_decision (&r, HR_OUTCOME_CHANGED, "noNewPrivileges set");
  cr_assert_str_eq (f.text, "{\"process\":{\"noNewPrivileges\":true,\"x\":1}}");
  assert_no_decision (&t);
}

Test (rule_no_new_privileges, keys_are_read_as_go_reads_them)
{
  cleanup_run struct run r
      = run_rule ("no_new_privileges", FIX, "{\"PROCESS\":{\"cwd\":\"/\",\"NoNewPrivileges\":false}}");
  cleanup_run struct run t = run_rule ("no_new_privileges", FIX, "{\"Process\":{\"nonewprivileges\":true}}");

  cr_assert_str_eq (r.text, "{\"PROCESS\":{\"cwd\":\"/\",\"NoNewPrivileges\":true}}");
  assert_no_decision (&t);
}

Test (rule_no_new_privileges, wrong_type)
{
  cleanup_run struct run r
      = run_rule_on ("no_new_privileges", FIX, "{\"process\":{\"noNewPrivileges\":\"yes\"}}", RUN_SPEC, &host_config);

  cr_assert_lt (r.ret, 0);
  /* refused before any rule runs, as runc's decoder refuses it */
  cr_assert (strstr (r.err->msg, "process.noNewPrivileges: a JSON string where runc's Go decoder needs a boolean")
                 != NULL,
             "%s", r.err->msg);
}

/* readonly_rootfs */

#define TMPFS(dir, mode, size)                                                                                         \
  "{\"destination\":\"" dir                                                                                            \
  "\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"nosuid\",\"nodev\",\"mode=" mode "\",\"size=" size "\"]}"
#define PROC_MOUNT "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"}"
#define SECRETS_MOUNT "{\"destination\":\"/run/secrets\",\"type\":\"bind\",\"source\":\"/s\",\"options\":[\"rbind\"]}"

Test (rule_readonly_rootfs, read_only_and_tmpfs_before_mounts_below)
{
  cleanup_run struct run r = run_rule ("readonly_rootfs", FIX, SPEC (",\"mounts\":[" PROC_MOUNT "," SECRETS_MOUNT "]"));
  /* /run goes before /run/secrets, which would otherwise be hidden */
  const char *mounts = "[" PROC_MOUNT "," TMPFS ("/run", "755", "64m") "," SECRETS_MOUNT ",";
  const char *appended = TMPFS ("/tmp", "1777", "64m") "," TMPFS ("/var/tmp", "1777", "64m") "]";
  cleanup_free char *expected = NULL;

  AT (&r, "{\"path\":\"rootfs\",\"readonly\":true}", "root");
  xasprintf (&expected, "%s%s", mounts, appended);
  AT (&r, expected, "mounts");
  cr_assert_eq (r.result.n_changed, 4);
  assert_decision (&r, HR_OUTCOME_CHANGED, "root filesystem made read-only");
  assert_decision (&r, HR_OUTCOME_CHANGED, "tmpfs mounted at /run (size 64m)");
}

/* Kubernetes writes the service-account token as /var/run/secrets/...: on
 * an image whose /var/run links to /run, runc mounts it below /run, so the
 * /run tmpfs must come first or it hides the token. */
#define TOKEN_MOUNT                                                                                                    \
  "{\"destination\":\"/var/run/secrets/kubernetes.io/serviceaccount\",\"type\":\"bind\",\"source\":\"/"                \
  "t\",\"options\":[\"rbind\"]}"

Test (rule_readonly_rootfs, destinations_resolved_through_image_symlinks)
{
  cleanup_run struct run r = run_rule ("readonly_rootfs", FIX, SPEC (",\"mounts\":[" PROC_MOUNT "," TOKEN_MOUNT "]"));
  cleanup_free char *expected = NULL;

  xasprintf (&expected, "[%s,%s,%s,%s,%s]", PROC_MOUNT, TMPFS ("/run", "755", "64m"), TOKEN_MOUNT,
             TMPFS ("/tmp", "1777", "64m"), TMPFS ("/var/tmp", "1777", "64m"));
  AT (&r, expected, "mounts");
}

Test (rule_readonly_rootfs, mount_at_a_symlink_to_run_counts_as_run)
{
  cleanup_run struct run r
      = run_rule ("readonly_rootfs", FIX,
                  SPEC (",\"mounts\":[{\"destination\":\"/var/run\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}]"));

  cr_assert_null (strstr (r.text, "\"destination\":\"/run\""), "a second /run tmpfs was added: %s", r.text);
}

Test (rule_readonly_rootfs, existing_mounts_and_missing_directories)
{
  cleanup_run struct run r = run_rule_on (
      "readonly_rootfs", "{\"action\":\"fix\",\"tmpfs_size\":\"16m\"}",
      "{" PROCESS ",\"root\":{\"path\":\"rootfs\",\"readonly\":true},\"mounts\":[{\"destination\":\"/tmp/\","
      "\"type\":\"tmpfs\",\"source\":\"tmpfs\"}]}",
      RUN_SPEC, &host_without_var_tmp);

  cr_assert_eq (r.ret, 0);
  /* /tmp is mounted already (as "/tmp/"), /var/tmp is not in the image */
  AT (&r, "[{\"destination\":\"/tmp/\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}," TMPFS ("/run", "755", "16m") "]",
      "mounts");
  cr_assert_eq (r.result.len, 1);
  assert_decision (&r, HR_OUTCOME_CHANGED, "tmpfs mounted at /run (size 16m)");
}

Test (rule_readonly_rootfs, no_mounts_array)
{
  cleanup_run struct run r = run_rule ("readonly_rootfs", "{\"action\":\"fix\",\"tmpfs\":[\"/scratch/\"]}", SPEC (""));

  AT (&r, "[" TMPFS ("/scratch", "1777", "64m") "]", "mounts");
  AT (&r, "true", "root", "readonly");
}

/* user_namespace */

#define USERNS_POLICY "{\"action\":\"fix\",\"host_uid\":200000,\"host_gid\":300000,\"size\":131072}"
#define UID_MAP(host, size) "[{\"containerID\":0,\"hostID\":" #host ",\"size\":" #size "}]"

Test (rule_user_namespace, added_when_missing)
{
  cleanup_run struct run r
      = run_rule ("user_namespace", USERNS_POLICY,
                  SPEC (",\"linux\":{\"namespaces\":[{\"type\":\"pid\"}],\"sysctl\":{\"net.ipv4.ping_group_range\":\"0 "
                        "2147483647\"}}"));

  AT (&r, "[{\"type\":\"pid\"},{\"type\":\"user\"}]", "linux", "namespaces");
  AT (&r, UID_MAP (200000, 131072), "linux", "uidMappings");
  AT (&r, UID_MAP (300000, 131072), "linux", "gidMappings");
  AT (&r, "\"0 131071\"", "linux", "sysctl", "net.ipv4.ping_group_range");
  assert_decision (&r, HR_OUTCOME_CHANGED, "no user namespace: private user namespace added");
  assert_decision (&r, HR_OUTCOME_CHANGED,
                   "mapped to a free range of 131072 host uids and gids, reserved at create (the pool starts at uid "
                   "200000, gid 300000)");
  assert_decision (&r, HR_OUTCOME_CHANGED, "narrowed from \"0 2147483647\" to \"0 131071\"");
  cr_assert (r.result.needs.idmapped_rootfs);
  cr_assert_eq (r.result.needs.host_uid, 200000);
  cr_assert_eq (r.result.needs.host_gid, 300000);
  cr_assert_eq (r.result.needs.size, 131072);
  cr_assert_null (r.result.needs.join_userns);
}

Test (rule_user_namespace, default_range_and_ping_group_range)
{
  cleanup_run struct run r = run_rule (
      "user_namespace", FIX, SPEC (",\"linux\":{\"sysctl\":{\"net.ipv4.ping_group_range\":\"0 2147483647\"}}"));
  cleanup_run struct run narrow
      = run_rule ("user_namespace", FIX, SPEC (",\"linux\":{\"sysctl\":{\"net.ipv4.ping_group_range\":\"1 100\"}}"));

  AT (&r, "[{\"type\":\"user\"}]", "linux", "namespaces");
  /* the default pool lies above systemd-nspawn's pick range (524288-1879048191) */
  AT (&r, UID_MAP (1879048192, 65536), "linux", "uidMappings");
  AT (&r, "\"0 65535\"", "linux", "sysctl", "net.ipv4.ping_group_range");
  AT (&narrow, "\"1 100\"", "linux", "sysctl", "net.ipv4.ping_group_range");
  cr_assert_eq (narrow.result.len, 1);
}

Test (rule_user_namespace, mapping_of_host_root_is_fixed)
{
  cleanup_run struct run r
      = run_rule ("user_namespace", USERNS_POLICY,
                  SPEC (",\"linux\":{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"pid\"}],\"uidMappings\":[{"
                        "\"containerID\":0,\"hostID\":0,\"size\":65536}],\"gidMappings\":" UID_MAP (1000, 65536) "}"));

  assert_decision (&r, HR_OUTCOME_CHANGED, "the user namespace maps host id 0");
  AT (&r, "[{\"type\":\"user\"},{\"type\":\"pid\"}]", "linux", "namespaces");
  AT (&r, UID_MAP (200000, 131072), "linux", "uidMappings");
  AT (&r, UID_MAP (300000, 131072), "linux", "gidMappings");
}

Test (rule_user_namespace, safe_user_namespace_is_kept)
{
  cleanup_run struct run r
      = run_rule ("user_namespace", USERNS_POLICY,
                  SPEC (",\"linux\":{\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":0,"
                        "\"hostID\":1000,\"size\":1},{\"containerID\":1,\"hostID\":100000,\"size\":65536}],"
                        "\"gidMappings\":" UID_MAP (1000, 1) "}"));

  assert_no_decision (&r);
  cr_assert_not (r.result.needs.idmapped_rootfs);
}

/* A user namespace joined by path is a hardrun range (shared by a new user
 * namespace with its mapping) or refused: one that maps 0 onto host 0
 * (`unshare -r` as root) would make the container host root. */
Test (rule_user_namespace, joined_by_path_shares_a_hardrun_range)
{
  cleanup_run struct run r
      = run_rule ("user_namespace", USERNS_POLICY,
                  SPEC (",\"linux\":{\"namespaces\":[{\"type\":\"user\",\"path\":\"/proc/4242/ns/user\"}]}"));

  assert_decision (&r, HR_OUTCOME_CHANGED, "shares the id range of container \"sandbox\"");
  AT (&r, "[{\"type\":\"user\"}]", "linux", "namespaces");
  AT (&r, UID_MAP (500000, 65536), "linux", "uidMappings");
  AT (&r, UID_MAP (600000, 65536), "linux", "gidMappings");
  cr_assert (r.result.needs.idmapped_rootfs);
  cr_assert_str_eq (r.result.needs.range_owner, "sandbox");
  cr_assert_eq (r.result.needs.host_uid, 500000);
  cr_assert_eq (r.result.needs.size, 65536);
}

Test (rule_user_namespace, joined_by_path_foreign_namespace_refused)
{
  cleanup_run struct run r
      = run_rule ("user_namespace", USERNS_POLICY,
                  SPEC (",\"linux\":{\"namespaces\":[{\"type\":\"user\",\"path\":\"/proc/77/ns/user\"}]}"));
  cleanup_run struct run broken
      = run_rule ("user_namespace", USERNS_POLICY,
                  SPEC (",\"linux\":{\"namespaces\":[{\"type\":\"user\",\"path\":\"/proc/999/ns/user\"}]}"));

  assert_decision (&r, HR_OUTCOME_DENIED,
                   "refusing to join the user namespace \"/proc/77/ns/user\": it maps 0 0 4294967295");
  cr_assert_str_eq (r.text, r.before);
  cr_assert_null (r.result.needs.range_owner);
  assert_decision (&broken, HR_OUTCOME_DENIED, "cannot verify that the user namespace \"/proc/999/ns/user\"");
}

/* Implicitly: no user entry, but another process's namespaces by path. */
Test (rule_user_namespace, implicit_join_of_a_foreign_namespace_refused)
{
  cleanup_run struct run r
      = run_rule ("user_namespace", USERNS_POLICY,
                  SPEC (",\"linux\":{\"namespaces\":[{\"type\":\"ipc\",\"path\":\"/proc/77/ns/ipc\"}]}"));

  assert_decision (&r, HR_OUTCOME_DENIED, "refusing to join the user namespace \"/proc/77/ns/user\"");
  cr_assert_str_eq (r.text, r.before);
}

/* A CRI container shares only its own pod's sandbox range. */
Test (rule_user_namespace, another_pods_range_refused)
{
  cleanup_run struct run r
      = run_rule ("user_namespace", USERNS_POLICY,
                  SPEC (",\"annotations\":{\"io.kubernetes.cri.sandbox-id\":\"other\"},\"linux\":{\"namespaces\":[{"
                        "\"type\":\"ipc\",\"path\":\"/proc/4242/ns/ipc\"}]}"));
  cleanup_run struct run own
      = run_rule ("user_namespace", USERNS_POLICY,
                  SPEC (",\"annotations\":{\"io.kubernetes.cri.sandbox-id\":\"sandbox\"},\"linux\":{\"namespaces\":[{"
                        "\"type\":\"ipc\",\"path\":\"/proc/4242/ns/ipc\"}]}"));

  assert_decision (&r, HR_OUTCOME_DENIED, "not of this pod's sandbox \"other\"");
  assert_decision (&own, HR_OUTCOME_CHANGED, "shares the id range of container \"sandbox\"");
}

Test (rule_user_namespace, user_namespace_without_mappings)
{
  cleanup_run struct run r
      = run_rule ("user_namespace", USERNS_POLICY, SPEC (",\"linux\":{\"namespaces\":[{\"type\":\"user\"}]}"));

  assert_decision (&r, HR_OUTCOME_CHANGED, "has no id mappings");
  AT (&r, "[{\"type\":\"user\"}]", "linux", "namespaces");
  AT (&r, UID_MAP (200000, 131072), "linux", "uidMappings");
}

Test (rule_user_namespace, host_user_namespace_path)
{
  cleanup_run struct run r
      = run_rule ("user_namespace", USERNS_POLICY,
                  SPEC (",\"linux\":{\"namespaces\":[{\"type\":\"user\",\"path\":\"/proc/1/ns/user\"}]}"));
  cleanup_run struct run broken
      = run_rule ("user_namespace", USERNS_POLICY,
                  SPEC (",\"linux\":{\"namespaces\":[{\"type\":\"user\",\"path\":\"/proc/999/ns/user\"}]}"));

  assert_decision (&r, HR_OUTCOME_CHANGED, "the spec joins the host's user namespace");
  AT (&r, "[{\"type\":\"user\"}]", "linux", "namespaces");
  AT (&r, UID_MAP (200000, 131072), "linux", "uidMappings");
  assert_decision (&broken, HR_OUTCOME_DENIED, "cannot verify that the user namespace \"/proc/999/ns/user\"");
  cr_assert_str_eq (broken.text, broken.before);
}

Test (rule_user_namespace, joins_the_peer_user_namespace)
{
  cleanup_run struct run r
      = run_rule ("user_namespace", USERNS_POLICY,
                  SPEC (",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\",\"path\":\"/proc/4242/"
                        "ns/net\"}],\"uidMappings\":" UID_MAP (5, 1) "}"));

  AT (&r, "[{\"type\":\"pid\"},{\"type\":\"network\",\"path\":\"/proc/4242/ns/net\"},{\"type\":\"user\"}]", "linux",
      "namespaces");
  AT (&r, UID_MAP (500000, 65536), "linux", "uidMappings");
  assert_decision (&r, HR_OUTCOME_CHANGED, "a new user namespace with the mapping of /proc/4242/ns/user");
  cr_assert (r.result.needs.idmapped_rootfs);
  cr_assert_null (r.result.needs.join_userns);
  cr_assert_str_eq (r.result.needs.range_owner, "sandbox");
}

Test (rule_user_namespace, peer_of_the_host_is_not_joined)
{
  cleanup_run struct run r
      = run_rule ("user_namespace", USERNS_POLICY,
                  SPEC (",\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"/proc/1/ns/net\"}]}"));

  AT (&r, "[{\"type\":\"network\",\"path\":\"/proc/1/ns/net\"},{\"type\":\"user\"}]", "linux", "namespaces");
  cr_assert_null (r.result.needs.join_userns);
}

/* Plan, then apply: the rule plans the policy's range and says so; the
 * runtime's reserved range replaces it in the mappings and in the finding,
 * and nothing else in the result moves. */
Test (rule_user_namespace, planned_range_is_assigned)
{
  cleanup_run struct run r = run_rule ("user_namespace", USERNS_POLICY, SPEC (""));
  const size_t decisions = r.result.len;

  cr_assert (r.result.needs.private_range);
  assert_decision (&r, HR_OUTCOME_CHANGED, "a free range of 131072 host uids and gids, reserved at create");
  cr_assert_eq (hr_assign_id_range (r.doc, &r.result, 500000, 600000), 0);
  AT (&r, UID_MAP (500000, 131072), "linux", "uidMappings");
  AT (&r, UID_MAP (600000, 131072), "linux", "gidMappings");
  assert_decision (&r, HR_OUTCOME_CHANGED,
                   "no user namespace: private user namespace added, container ids 0-131071 "
                   "mapped to host uids 500000-631071 and gids 600000-731071");
  cr_assert_eq (r.result.len, decisions);
  cr_assert_eq (r.result.needs.host_uid, 500000);
  cr_assert_eq (r.result.needs.host_gid, 600000);
  cr_assert (r.result.needs.idmapped_rootfs);
}

/* Nothing planned (the spec keeps its own safe mappings): nothing to assign. */
Test (rule_user_namespace, nothing_planned_nothing_assigned)
{
  cleanup_run struct run r = run_rule (
      "user_namespace", USERNS_POLICY,
      SPEC (",\"linux\":{\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,"
            "\"size\":1}],\"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]}"));

  cr_assert_not (r.result.needs.private_range);
  cr_assert_lt (hr_assign_id_range (r.doc, &r.result, 500000, 600000), 0);
  AT (&r, UID_MAP (1000, 1), "linux", "uidMappings");
}

/* host_namespaces */

#define ALL_NS "{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"mount\"}"

Test (rule_host_namespaces, own_namespaces_are_fine)
{
  cleanup_run struct run r = run_rule ("host_namespaces", DENY, SPEC (",\"linux\":{\"namespaces\":[" ALL_NS "]}"));

  assert_no_decision (&r);
  cr_assert_str_eq (hr_result_verdict (&r.result), "allow");
}

Test (rule_host_namespaces, missing_namespace_denied)
{
  cleanup_run struct run r = run_rule (
      "host_namespaces", DENY,
      SPEC (",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":"
            "\"mount\"}]}"));
  cleanup_run struct run none = run_rule ("host_namespaces", DENY, SPEC (""));

  cr_assert_eq (r.result.n_denied, 1);
  assert_decision (&r, HR_OUTCOME_DENIED, "no network namespace: the container would share the host's");
  cr_assert_str_eq (r.text, r.before);
  cr_assert_str_eq (hr_result_verdict (&r.result), "deny");
  cr_assert_eq (none.result.n_denied, 5);
}

Test (rule_host_namespaces, host_path_denied_other_path_allowed)
{
  cleanup_run struct run host = run_rule (
      "host_namespaces", DENY,
      SPEC (",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\",\"path\":\"/var/run/docker/netns/"
            "default\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"mount\"}]}"));
  cleanup_run struct run pod = run_rule (
      "host_namespaces", DENY,
      SPEC (",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\",\"path\":\"/proc/4242/ns/net\"},{"
            "\"type\":\"ipc\",\"path\":\"/proc/4242/ns/ipc\"},{\"type\":\"uts\"},{\"type\":\"mount\"}]}"));

  cr_assert_eq (host.result.n_denied, 1);
  assert_decision (&host, HR_OUTCOME_DENIED, "the network namespace \"/var/run/docker/netns/default\" is the host's");
  assert_no_decision (&pod);
}

Test (rule_host_namespaces, unverifiable_path_denied)
{
  cleanup_run struct run r = run_rule (
      "host_namespaces", DENY,
      SPEC (",\"linux\":{\"namespaces\":[{\"type\":\"pid\",\"path\":\"/proc/999/ns/pid\"},{\"type\":\"network\"},{"
            "\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"mount\"}]}"));

  cr_assert_eq (r.result.n_denied, 1);
  assert_decision (&r, HR_OUTCOME_DENIED,
                   "cannot verify that the pid namespace \"/proc/999/ns/pid\" is not the host's");
}

Test (rule_host_namespaces, allow_host)
{
  cleanup_run struct run r = run_rule (
      "host_namespaces", "{\"action\":\"deny\",\"allow_host\":[\"network\",\"uts\"]}",
      SPEC (",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"ipc\"},{\"type\":\"mount\"},{\"type\":"
            "\"network\",\"path\":\"/proc/1/ns/net\"}]}"));

  assert_no_decision (&r);
}

Test (rule_host_namespaces, fix_adds_and_unjoins)
{
  cleanup_run struct run r = run_rule (
      "host_namespaces", FIX,
      SPEC (",\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"pid\",\"path\":\"/proc/1/ns/pid\"}]}"));

  AT (&r, "[{\"type\":\"mount\"},{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},{\"type\":\"uts\"}]",
      "linux", "namespaces");
  cr_assert_eq (r.result.n_changed, 4);
}

/* sensitive_mounts */

struct bind_case
{
  const char *source;
  const char *hit; /* the sensitive path named, NULL when allowed */
};

Test (rule_sensitive_mounts, bind_sources)
{
  static const struct bind_case cases[] = {
    { "/var/run/docker.sock", "/var/run/docker.sock" },
    { "/run/docker.sock", "/var/run/docker.sock" }, /* the resolved form of a listed path */
    { "/etc", "/etc" },
    { "/etc/", "/etc" },
    { "/etc/shadow", "/etc" },
    { "/var", "/var/lib/docker" },
    { "/var/lib", "/var/lib/docker" },
    { "/", "/" },
    { "//", "/" },
    { "/proc/1/root", "/proc" },
    { "/sys/fs/cgroup", "/sys" },
    { "/dev/shm", "/dev" },
    { "/run", "/run/containerd" },
    { "/var/run", "/var/run/docker.sock" },
    { "/srv/etc-link", "/etc" },
    { "/srv/etc-link/passwd", "/etc" },
    { "/home/../etc", "/etc" },
    { "/var/lib/docker/containers/abc/../../volumes/x", "/var/lib/docker" },
    { "/var/lib/docker/containers/abc", "/var/lib/docker" },
    { "/var/lib/docker/containers/abc/hostname", "/etc" },          /* an exception's path, but a link to /etc/shadow */
    { "/var/lib/docker/containers/evil/hosts", "/var/lib/docker" }, /* another container's */
    { "/home/x", NULL },
    { "/home/x/project", NULL },
    { "/srv/gone/x", NULL },
    { "/var/lib/dockerd", NULL },
    { "/etcetera", NULL },
    { "/var/lib/docker/containers/abc/hosts", NULL },
    { "/var/lib/docker/containers/abc/resolv.conf", NULL },
    /* a sandbox's file, to a container that is not in its pod */
    { "/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/abc/hostname", "/var/lib/containerd" },
    { "/run/containers/storage/overlay-containers/abc/userdata/hosts", NULL },
    /* a pod's volume, to a container that is not in that pod */
    { "/var/lib/kubelet/pods/u/volumes/kubernetes.io~empty-dir/data", "/var/lib/kubelet" },
  };

  for (size_t i = 0; i < HR_ARRAY_SIZE (cases); i++)
    {
      char spec[1024], hit[512];
      cleanup_run struct run r = { 0 };

      snprintf (spec, sizeof spec,
                SPEC (",\"mounts\":[{\"destination\":\"/x\",\"type\":\"bind\",\"source\":\"%s\",\"options\":["
                      "\"rbind\"]}]"),
                cases[i].source);
      r = run_rule ("sensitive_mounts", DENY, spec);
      if (cases[i].hit == NULL)
        {
          cr_assert_eq (r.result.len, 0, "%s: %s", cases[i].source, r.result.len ? r.result.items[0].message : "");
          continue;
        }
      snprintf (hit, sizeof hit, "bind mount of \"%s\" at \"/x\" exposes the sensitive host path \"%s\"",
                cases[i].source, cases[i].hit);
      cr_assert_eq (r.result.n_denied, 1, "%s: %zu denials", cases[i].source, r.result.n_denied);
      assert_decision (&r, HR_OUTCOME_DENIED, hit);
      cr_assert_str_eq (r.text, r.before);
    }
}

Test (rule_sensitive_mounts, bind_by_option_and_relative_source)
{
  cleanup_run struct run opt = run_rule (
      "sensitive_mounts", DENY,
      SPEC (",\"mounts\":[{\"destination\":\"/x\",\"type\":\"none\",\"source\":\"/etc\",\"options\":[\"bind\"]}]"));
  cleanup_run struct run rel = run_rule (
      "sensitive_mounts", DENY,
      SPEC (",\"mounts\":[{\"destination\":\"/x\",\"type\":\"bind\",\"source\":\"data\",\"options\":[\"rbind\"]}]"));

  assert_decision (&opt, HR_OUTCOME_DENIED, "\"/etc\"");
  /* this host has no bundle: a relative source cannot be judged */
  cr_assert_eq (rel.result.n_denied, 1);
  assert_decision (&rel, HR_OUTCOME_DENIED,
                   "bind mount with relative source \"data\" at \"/x\" does not resolve in the bundle");
}

Test (rule_sensitive_mounts, mount_types)
{
  cleanup_run struct run ext4
      = run_rule ("sensitive_mounts", DENY,
                  SPEC (",\"mounts\":[{\"destination\":\"/d\",\"type\":\"ext4\",\"source\":\"/dev/vda\"}]"));
  cleanup_run struct run fine = run_rule ("sensitive_mounts", DENY,
                                          SPEC (",\"mounts\":[" PROC_MOUNT
                                                ",{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},{"
                                                "\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\"}]"));

  cr_assert_eq (ext4.result.n_denied, 1);
  assert_decision (&ext4, HR_OUTCOME_DENIED, "mount of type \"ext4\" from \"/dev/vda\" at \"/d\" is not allowed");
  assert_no_decision (&fine);
}

Test (rule_sensitive_mounts, root_path)
{
  cleanup_run struct run slash = run_rule ("sensitive_mounts", DENY, "{" PROCESS ",\"root\":{\"path\":\"/\"}}");
  cleanup_run struct run var = run_rule ("sensitive_mounts", FIX, "{" PROCESS ",\"root\":{\"path\":\"/var/\"}}");
  cleanup_run struct run image = run_rule ("sensitive_mounts", DENY,
                                           "{" PROCESS ",\"root\":{\"path\":\"/var/lib/docker/overlay2/abc/merged\"}}");
  cleanup_run struct run link
      = run_rule ("sensitive_mounts", DENY, "{" PROCESS ",\"root\":{\"path\":\"/srv/etc-link\"}}");

  cr_assert_eq (slash.result.n_denied, 1);
  assert_decision (&slash, HR_OUTCOME_DENIED, "root filesystem \"/\" exposes the sensitive host path \"/\"");
  /* no fix for a rootfs: a denial under fix too */
  cr_assert_eq (var.result.n_denied, 1);
  assert_decision (&var, HR_OUTCOME_DENIED, "root filesystem \"/var/\" exposes the sensitive host path");
  cr_assert_str_eq (var.text, var.before);
  assert_no_decision (&image);
  cr_assert_eq (link.result.n_denied, 1);
  assert_decision (&link, HR_OUTCOME_DENIED,
                   "root filesystem \"/srv/etc-link\" exposes the sensitive host path \"/etc\"");
}

Test (rule_sensitive_mounts, fix_drops_the_mount)
{
  cleanup_run struct run r
      = run_rule ("sensitive_mounts", FIX,
                  SPEC (",\"mounts\":[" PROC_MOUNT ",{\"destination\":\"/s\",\"type\":\"bind\",\"source\":\"/var/run/"
                        "docker.sock\"}," SECRETS_MOUNT "]"));

  AT (&r, "[" PROC_MOUNT "," SECRETS_MOUNT "]", "mounts");
  cr_assert_eq (r.result.n_changed, 1);
}

/* sensitive_mounts: exceptions are this container's own, volumes are what
 * they really are, relative sources resolve in the bundle.  The host of
 * these tests: container "abc" with its bundle at /srv/bundle (whose "up"
 * links to /etc); sandbox "sbx" is live with its namespaces at /proc/77/ns/NAME and
 * was created for pod "pod-1"; the volumes "plain" (a directory), "etc"
 * (a bind of /etc), "data" (a bind of /srv/data), "proc" (a proc mount)
 * and "bad" (its mount table unreadable). */
static const struct fake_link owner_links[]
    = { { "/srv/bundle/up", "/etc" }, { "/srv/bundle/gone", NULL }, { NULL, NULL } };
static const struct fake_mount volume_mounts[] = {
  { "/var/lib/docker/volumes/etc/_data", "ext4", "/etc" },
  { "/var/lib/docker/volumes/data/_data", "ext4", "/srv/data" },
  { "/var/lib/containers/storage/volumes/run/_data", "tmpfs", "/run" },
  { "/var/lib/docker/volumes/proc/_data", "proc", NULL },
  { "/var/lib/kubelet/pods/pod-1/volumes/kubernetes.io~local-volume/pv", "ext4", "/var/lib/docker" },
  { NULL, NULL, NULL },
};
static const char *const broken_mounts[] = { "/var/lib/docker/volumes/bad/_data", NULL };
static const struct fake_container_ns sbx_namespaces[] = { { "sbx", "/proc/77/ns/*" }, { NULL, NULL } };
static const struct fake_annotation sbx_annotations[]
    = { { "sbx", "io.kubernetes.cri.sandbox-uid", "pod-1" }, { NULL, NULL, NULL } };
static const struct fake_host_config owner_host = { .host_namespaces = host_namespaces,
                                                    .links = owner_links,
                                                    .mounts = volume_mounts,
                                                    .broken_mounts = broken_mounts,
                                                    .container_namespaces = sbx_namespaces,
                                                    .container_annotations = sbx_annotations,
                                                    .container_id = "abc",
                                                    .bundle = "/srv/bundle" };

struct owned_case
{
  const char *source;
  const char *extra;   /* more members of the spec ("" or ",\"annotations\":...") */
  const char *refusal; /* a part of the refusal, NULL when allowed */
  bool own;            /* allowed and the container's own */
};

#define CRI_SANDBOX(id) ",\"annotations\":{\"io.kubernetes.cri.sandbox-id\":\"" id "\"}"
#define CRI_POD(id, uid)                                                                                               \
  ",\"annotations\":{\"io.kubernetes.cri.sandbox-id\":\"" id "\",\"io.kubernetes.cri.sandbox-uid\":\"" uid "\"}"
#define JOINS(pid) ",\"linux\":{\"namespaces\":[{\"type\":\"ipc\",\"path\":\"/proc/" pid "/ns/ipc\"}]}"
#define SBX_DIR "/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/"

/* sensitive_mounts (deny) on a spec that binds source at /x, with extra
 * members; the rule must run. */
static struct run
run_bind_rule (const char *source, const char *extra)
{
  char spec[2048];
  struct run r;

  snprintf (spec, sizeof spec,
            SPEC (",\"mounts\":[{\"destination\":\"/x\",\"type\":\"bind\",\"source\":\"%s\",\"options\":["
                  "\"rbind\"]}]%s"),
            source, extra);
  r = run_rule_on ("sensitive_mounts", DENY, spec, RUN_SPEC, &owner_host);
  cr_assert_eq (r.ret, 0, "%s: %s", source, r.err ? r.err->msg : "?");
  return r;
}

static void
check_owned_cases (const struct owned_case *cases, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      cleanup_run struct run r = run_bind_rule (cases[i].source, cases[i].extra);
      const struct hr_strv *own;

      own = &r.result.needs.own_binds;
      if (cases[i].refusal)
        {
          cr_assert_eq (r.result.n_denied, 1, "%s %s: allowed", cases[i].source, cases[i].extra);
          assert_decision (&r, HR_OUTCOME_DENIED, cases[i].refusal);
          cr_assert_eq (own->len, 0, "%s", cases[i].source);
          continue;
        }
      cr_assert_eq (r.result.len, 0, "%s %s: %s", cases[i].source, cases[i].extra,
                    r.result.len ? r.result.items[0].message : "");
      cr_assert_eq (own->len, cases[i].own ? 1 : 0, "%s: own_binds has %zu", cases[i].source, own->len);
      if (cases[i].own)
        cr_assert_str_eq (own->items[0], cases[i].source);
    }
}

Test (rule_sensitive_mounts, exceptions_are_this_containers_own)
{
  static const struct owned_case cases[] = {
    { "/var/lib/docker/containers/abc/hosts", "", NULL, true },
    { "/var/lib/docker/containers/abc/mounts/shm", "", NULL, true },
    { "/var/lib/docker/containers/other/hosts", "", "exposes the sensitive host path \"/var/lib/docker\"", false },
    { "/var/lib/docker/containers/*/hosts", "", "exposes the sensitive host path \"/var/lib/docker\"", false },
    { "/run/containers/storage/overlay-containers/abc/userdata/hosts", "", NULL, true },
    { "/var/lib/containers/storage/overlay-containers/other/userdata/attach", "",
      "exposes the sensitive host path \"/var/lib/containers\"", false },
    /* the CRI sandbox's files: to the sandbox itself (its id is the runtime's) */
    { SBX_DIR "abc/resolv.conf", CRI_SANDBOX ("abc"), NULL, true },
    /* to a container that joins the live sandbox's namespaces */
    { SBX_DIR "sbx/hosts", CRI_SANDBOX ("sbx") JOINS ("77"), NULL, true },
    /* not to one that only names it, or joins another process */
    { SBX_DIR "sbx/hosts", CRI_SANDBOX ("sbx"), "exposes the sensitive host path \"/var/lib/containerd\"", false },
    { SBX_DIR "sbx/hosts", CRI_SANDBOX ("sbx") JOINS ("78"), "\"/var/lib/containerd\"", false },
    { SBX_DIR "other/hosts", CRI_SANDBOX ("sbx") JOINS ("77"), "\"/var/lib/containerd\"", false },
    { SBX_DIR "*/hosts", CRI_SANDBOX ("*") JOINS ("77"), "\"/var/lib/containerd\"", false },
    /* kubelet's files of the pod, whose uid is its sandbox's */
    { "/var/lib/kubelet/pods/pod-1/etc-hosts", CRI_POD ("sbx", "pod-1") JOINS ("77"), NULL, true },
    { "/var/lib/kubelet/pods/pod-2/etc-hosts", CRI_POD ("sbx", "pod-2") JOINS ("77"), "\"/var/lib/kubelet\"", false },
    { "/var/lib/kubelet/pods/pod-1/etc-hosts", CRI_POD ("other", "pod-1") JOINS ("77"), "\"/var/lib/kubelet\"", false },
    /* docker's --network/--ipc container:sbx binds sbx's files: allowed, but not the joiner's own */
    { "/var/lib/docker/containers/sbx/hosts", JOINS ("77"), NULL, false },
    { "/var/lib/docker/containers/sbx/mounts/shm", JOINS ("77"), NULL, false },
    { "/var/lib/docker/containers/sbx/hosts", JOINS ("78"), "\"/var/lib/docker\"", false },
    { "/var/lib/docker/containers/other/hosts", JOINS ("77"), "\"/var/lib/docker\"", false },
    { "/var/lib/docker/containers/sbx/config.v2.json", JOINS ("77"), "\"/var/lib/docker\"", false },
  };

  check_owned_cases (cases, HR_ARRAY_SIZE (cases));
}

Test (rule_sensitive_mounts, volumes_are_what_they_really_are)
{
  static const struct owned_case cases[] = {
    { "/var/lib/docker/volumes/plain/_data", "", NULL, true },
    { "/var/lib/containers/storage/volumes/plain/_data", "", NULL, true },
    { "/var/lib/docker/volumes/data/_data", "", NULL, false }, /* a bind of a host path: not the container's */
    { "/var/lib/docker/volumes/etc/_data", "",
      "volume \"/var/lib/docker/volumes/etc/_data\" at \"/x\" is a mount of the host path \"/etc\", which exposes "
      "the sensitive host path \"/etc\"",
      false },
    { "/var/lib/containers/storage/volumes/run/_data", "", "the host path \"/run\", which exposes", false },
    /* below a volume: judged by what the volume is */
    { "/var/lib/docker/volumes/etc/_data/shadow", "",
      "volume \"/var/lib/docker/volumes/etc/_data/shadow\" at \"/x\" is a mount of the host path \"/etc/shadow\"",
      false },
    { "/var/lib/docker/volumes/plain/_data/sub", "", NULL, true },
    { "/var/lib/docker/volumes/data/_data/sub", "", NULL, false },
    { "/var/lib/docker/volumes/proc/_data", "",
      "volume \"/var/lib/docker/volumes/proc/_data\" at \"/x\" is a proc filesystem", false },
    { "/var/lib/docker/volumes/bad/_data", "", "cannot be inspected: fake host: cannot read the mount table", false },
    { "/var/lib/kubelet/pods/pod-1/volumes/kubernetes.io~empty-dir/d", CRI_POD ("sbx", "pod-1") JOINS ("77"), NULL,
      true },
    { "/var/lib/kubelet/pods/pod-1/volumes/kubernetes.io~local-volume/pv", CRI_POD ("sbx", "pod-1") JOINS ("77"),
      "is a mount of the host path \"/var/lib/docker\"", false },
    { "/var/lib/kubelet/pods/pod-1/volumes/kubernetes.io~empty-dir/d", "", "\"/var/lib/kubelet\"", false },
  };

  check_owned_cases (cases, HR_ARRAY_SIZE (cases));
}

/* A named volume any container may bind (a pattern without a placeholder:
 * docker's, podman's) is shared: it goes onto the volume owner's ids, with
 * the root of its volume; a pod's own volume and the engine's files for
 * this container are not (issue 13 item 2). */
Test (rule_sensitive_mounts, volumes_any_container_may_bind_are_shared)
{
  static const struct
  {
    const char *source;
    const char *extra;
    const char *volume_root; /* NULL: not a shared volume */
  } cases[] = {
    { "/var/lib/docker/volumes/plain/_data", "", "/var/lib/docker/volumes/plain/_data" },
    { "/var/lib/docker/volumes/plain/_data/sub", "", "/var/lib/docker/volumes/plain/_data" },
    { "/var/lib/containers/storage/volumes/plain/_data", "", "/var/lib/containers/storage/volumes/plain/_data" },
    { "/var/lib/kubelet/pods/pod-1/volumes/kubernetes.io~empty-dir/d", CRI_POD ("sbx", "pod-1") JOINS ("77"), NULL },
    { "/var/lib/docker/containers/abc/hosts", "", NULL },
  };

  for (size_t i = 0; i < HR_ARRAY_SIZE (cases); i++)
    {
      cleanup_run struct run r = run_bind_rule (cases[i].source, cases[i].extra);
      const struct hr_host_needs *needs = &r.result.needs;
      cr_assert_eq (needs->own_binds.len, 1, "%s: not the container's own", cases[i].source);
      cr_assert_eq (needs->shared_volume_sources.len, cases[i].volume_root ? 1 : 0, "%s", cases[i].source);
      cr_assert_eq (needs->shared_volume_roots.len, needs->shared_volume_sources.len);
      if (cases[i].volume_root == NULL)
        continue;
      cr_assert_str_eq (needs->shared_volume_sources.items[0], cases[i].source);
      cr_assert_str_eq (needs->shared_volume_roots.items[0], cases[i].volume_root);
    }
}

/* The volume owner's ids are no host user's and no container's. */
Test (rule_user_namespace, volume_owner_outside_host_users_and_the_pool)
{
  static const char *const bad[] = {
    "\"volume_uid\":0",
    "\"volume_gid\":65535",
    "\"volume_uid\":4294901761",
    "\"volume_uid\":1879048192",            /* the pool's first range */
    "\"volume_gid\":1946091520",            /* the pool's last range */
    "\"host_uid\":1946157056,\"ranges\":1", /* a pool over the default owner */
  };

  for (size_t i = 0; i < HR_ARRAY_SIZE (bad); i++)
    {
      char text[512];
      hr_error_t err = NULL;
      struct hr_policy *policy;

      snprintf (text, sizeof text, "{\"profiles\":{\"default\":{\"rules\":{\"user_namespace\":{%s}}}}}", bad[i]);
      policy = hr_policy_load_text (text, strlen (text), "test", &err);
      cr_assert_null (policy, "%s was accepted", bad[i]);
      cr_assert (strstr (err->msg, "volume") != NULL, "%s: %s", bad[i], err->msg);
      hr_error_free (&err);
    }
}

Test (rule_sensitive_mounts, relative_sources_resolve_in_the_bundle)
{
  static const struct owned_case cases[] = {
    { ".", "", NULL, false },
    { "dir/sub", "", NULL, false },
    { "up", "", "bind mount of \"up\" at \"/x\" exposes the sensitive host path \"/etc\"", false },
    { "../../etc", "", "bind mount of \"../../etc\" at \"/x\" exposes the sensitive host path \"/etc\"", false },
    { "gone", "", "relative source \"gone\" at \"/x\" does not resolve in the bundle", false },
  };

  check_owned_cases (cases, HR_ARRAY_SIZE (cases));
}

Test (rule_sensitive_mounts, rootfs_inside_a_sensitive_path)
{
  static const struct
  {
    const char *root;
    const char *hit;
  } cases[] = {
    { "/var/lib/docker", "/var/lib/docker" },
    { "/var/lib/docker/overlay2", "/var/lib/docker" },
    { "/var/lib/docker/overlay2/l1/diff", "/var/lib/docker" },
    { "/etc/x", "/etc" },
    { "up", "/etc" },
    { "/run/containerd/io.containerd.runtime.v2.task/k8s.io/other/rootfs", "/run/containerd" },
    { "/var/lib/docker/overlay2/l1/merged", NULL },
    { "/var/lib/containers/storage/overlay/l1/merged", NULL },
    { "/run/containerd/io.containerd.runtime.v2.task/k8s.io/abc/rootfs", NULL },
    { "rootfs", NULL },
    { "/srv/rootfs", NULL },
  };

  for (size_t i = 0; i < HR_ARRAY_SIZE (cases); i++)
    {
      char spec[1024], hit[512];
      cleanup_run struct run r = { 0 };

      snprintf (spec, sizeof spec, "{" PROCESS ",\"root\":{\"path\":\"%s\"}}", cases[i].root);
      r = run_rule_on ("sensitive_mounts", DENY, spec, RUN_SPEC, &owner_host);
      if (cases[i].hit == NULL)
        {
          assert_no_decision (&r);
          continue;
        }
      snprintf (hit, sizeof hit, "root filesystem \"%s\" exposes the sensitive host path \"%s\"", cases[i].root,
                cases[i].hit);
      cr_assert_eq (r.result.n_denied, 1, "%s", cases[i].root);
      assert_decision (&r, HR_OUTCOME_DENIED, hit);
    }
}

Test (rule_sensitive_mounts, placeholders_are_validated)
{
  const char *text
      = "{\"profiles\":{\"default\":{\"rules\":{\"sensitive_mounts\":{\"exceptions\":[\"/x/{name}/y\"]}}}}}";
  hr_error_t err = NULL;
  struct hr_policy *policy = hr_policy_load_text (text, strlen (text), "test", &err);

  cr_assert_null (policy);
  cr_assert (strstr (err->msg, "\"/x/{name}/y\" has an unknown placeholder") != NULL, "%s", err->msg);
  hr_error_free (&err);
}

/* proc_sys_mounts */

Test (rule_proc_sys_mounts, only_at_proc_and_sys)
{
  static const char *const mounts[] = {
    "{\"destination\":\"/mnt/s\",\"type\":\"sysfs\",\"source\":\"sysfs\"}",
    "{\"destination\":\"/mnt/p\",\"type\":\"proc\",\"source\":\"proc\"}",
    "{\"destination\":\"/proc/sys/x\",\"type\":\"proc\",\"source\":\"proc\"}",
    "{\"destination\":\"/sys/../mnt\",\"type\":\"sysfs\",\"source\":\"sysfs\"}",
    "{\"destination\":\"/var/run/s\",\"type\":\"sysfs\",\"source\":\"sysfs\"}",
  };
  cleanup_run struct run fine = run_rule (
      "proc_sys_mounts", DENY,
      SPEC (",\"mounts\":[" PROC_MOUNT ",{\"destination\":\"/sys/\",\"type\":\"sysfs\",\"source\":\"sysfs\"},{"
            "\"destination\":\"/mnt/p\",\"type\":\"bind\",\"source\":\"/srv/proc\"}]"));

  assert_no_decision (&fine);
  for (size_t i = 0; i < HR_ARRAY_SIZE (mounts); i++)
    {
      char spec[1024];
      cleanup_run struct run deny = { 0 };
      cleanup_run struct run fix = { 0 };

      snprintf (spec, sizeof spec, SPEC (",\"mounts\":[" PROC_MOUNT ",%s]"), mounts[i]);
      deny = run_rule ("proc_sys_mounts", DENY, spec);
      fix = run_rule ("proc_sys_mounts", FIX, spec);
      cr_assert_eq (deny.result.n_denied, 1, "%s", mounts[i]);
      assert_decision (&deny, HR_OUTCOME_DENIED, "mounts only at");
      AT (&fix, "[" PROC_MOUNT "]", "mounts");
    }
}

Test (rule_proc_sys_mounts, destination_followed_in_the_rootfs)
{
  /* the image's /var/run links to /run: a proc mount "at /proc" never lands elsewhere, one at /var/run lands at /run */
  cleanup_run struct run r
      = run_rule ("proc_sys_mounts", DENY,
                  SPEC (",\"mounts\":[{\"destination\":\"/var/run\",\"type\":\"proc\",\"source\":\"proc\"}]"));

  assert_decision (&r, HR_OUTCOME_DENIED, "proc mount at \"/var/run\" (landing at \"/run\") is not allowed");
}

/* bind_options */

Test (rule_bind_options, nosuid_nodev_and_no_shared_propagation)
{
  cleanup_run struct run r = run_rule (
      "bind_options", FIX,
      SPEC (",\"mounts\":[{\"destination\":\"/x\",\"type\":\"bind\",\"source\":\"/s\",\"options\":[\"rbind\","
            "\"dev\",\"suid\",\"rshared\",\"rprivate\"]},{\"destination\":\"/y\",\"type\":\"bind\",\"source\":\"/t\"},"
            "{\"destination\":\"/z\",\"type\":\"bind\",\"source\":\"/u\",\"options\":[\"bind\",\"nosuid\",\"nodev\","
            "\"ro\"]}," PROC_MOUNT "],\"linux\":{\"rootfsPropagation\":\"rshared\"}"));

  ENTRY_IS (&r, "[\"rbind\",\"rprivate\",\"nosuid\",\"nodev\"]", "mounts", 0, "options");
  ENTRY_IS (&r, "[\"nosuid\",\"nodev\"]", "mounts", 1, "options");
  ENTRY_IS (&r, "[\"bind\",\"nosuid\",\"nodev\",\"ro\"]", "mounts", 2, "options");
  ENTRY_IS (&r, PROC_MOUNT, "mounts", 3, NULL);
  assert_decision (&r, HR_OUTCOME_CHANGED, "bind mount at \"/x\": options -dev, -suid, -rshared, +nosuid, +nodev");
  assert_decision (&r, HR_OUTCOME_CHANGED, "bind mount at \"/y\": options +nosuid, +nodev");
  assert_decision (&r, HR_OUTCOME_CHANGED, "rootfsPropagation \"rshared\" removed");
  cr_assert_eq (r.result.n_changed, 3);
  AT (&r, "", "linux", "rootfsPropagation");
}

Test (rule_bind_options, shared_non_bind_mount_and_private_propagation)
{
  cleanup_run struct run r = run_rule (
      "bind_options", FIX,
      SPEC (",\"mounts\":[{\"destination\":\"/m\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"shared\","
            "\"nosuid\",\"nodev\"]}],\"linux\":{\"rootfsPropagation\":\"rslave\"}"));

  ENTRY_IS (&r, "[\"nosuid\",\"nodev\"]", "mounts", 0, "options");
  AT (&r, "\"rslave\"", "linux", "rootfsPropagation");
  cr_assert_eq (r.result.n_changed, 1);
}

Test (rule_bind_options, ro_and_rw_judged_as_runc_applies_them)
{
  cleanup_run struct run r = run_rule (
      "bind_options", FIX,
      SPEC (",\"mounts\":[{\"destination\":\"/a\",\"type\":\"bind\",\"source\":\"/s\",\"options\":[\"rbind\","
            "\"ro\",\"nosuid\",\"nodev\",\"rw\"]},{\"destination\":\"/b\",\"type\":\"bind\",\"source\":\"/t\","
            "\"options\":[\"rw\",\"bind\",\"ro\",\"nosuid\",\"nodev\"]}]"));

  ENTRY_IS (&r, "[\"rbind\",\"nosuid\",\"nodev\",\"rw\"]", "mounts", 0, "options");
  ENTRY_IS (&r, "[\"bind\",\"nosuid\",\"nodev\",\"ro\"]", "mounts", 1, "options");
  assert_decision (&r, HR_OUTCOME_CHANGED,
                   "bind mount at \"/a\": options ro and rw, the runtime applies the last, \"rw\"");
  assert_decision (&r, HR_OUTCOME_CHANGED,
                   "bind mount at \"/b\": options ro and rw, the runtime applies the last, \"ro\"");
}

Test (rule_bind_options, more_binds_than_max_binds_refused_even_under_fix)
{
  cleanup_free char *spec = xstrdup ("{" PROCESS ",\"mounts\":[");

  for (int i = 0; i < 1025; i++)
    {
      char *next;
      xasprintf (&next, "%s%s{\"destination\":\"/x\",\"type\":\"bind\",\"source\":\"/s\"}", spec, i ? "," : "");
      free (spec);
      spec = next;
    }
  char *whole;
  xasprintf (&whole, "%s]}", spec);
  free (spec);
  spec = whole;
  cleanup_run struct run r = run_rule ("bind_options", FIX, spec);
  cr_assert_eq (r.result.n_denied, 1);
  assert_decision (&r, HR_OUTCOME_DENIED,
                   "the spec has 1025 bind mounts, more than the policy's bind_options.max_binds (1024)");
}

/* masked_paths */

Test (rule_masked_paths, docker_lists_completed)
{
  cleanup_run struct run r = run_rule (
      "masked_paths", FIX, SPEC (",\"linux\":{\"maskedPaths\":[\"/proc/kcore\",\"/custom\"],\"readonlyPaths\":null}"));

  AT (&r,
      "[\"/proc/kcore\",\"/custom\",\"/proc/asound\",\"/proc/acpi\",\"/proc/keys\",\"/proc/latency_stats\",\"/proc/"
      "timer_list\",\"/proc/timer_stats\",\"/proc/sched_debug\",\"/proc/scsi\",\"/sys/firmware\",\"/sys/devices/"
      "virtual/powercap\"]",
      "linux", "maskedPaths");
  AT (&r, "[\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",\"/proc/sys\",\"/proc/sysrq-trigger\"]", "linux", "readonlyPaths");
  assert_decision (&r, HR_OUTCOME_CHANGED, "paths masked: /proc/asound, /proc/acpi, /proc/keys");
  assert_decision (&r, HR_OUTCOME_CHANGED, "paths made read-only: /proc/bus");
  cr_assert_eq (r.result.n_changed, 2);
}

Test (rule_masked_paths, complete_lists_are_kept)
{
  cleanup_run struct run r
      = run_rule ("masked_paths", "{\"action\":\"fix\",\"masked\":[\"/proc/kcore\"],\"readonly\":[]}",
                  SPEC (",\"linux\":{\"maskedPaths\":[\"/proc/kcore\"]}"));

  assert_no_decision (&r);
}

/* pids_limit */

Test (rule_pids_limit, set_when_missing_or_not_positive)
{
  static const char *const specs[] = {
    SPEC (""),
    SPEC (",\"linux\":{}"),
    SPEC (",\"linux\":{\"resources\":{\"pids\":{\"limit\":0}}}"),
    SPEC (",\"linux\":{\"resources\":{\"pids\":{\"limit\":-1}}}"),
    SPEC (",\"linux\":{\"resources\":{\"pids\":null}}"),
  };

  for (size_t i = 0; i < HR_ARRAY_SIZE (specs); i++)
    {
      cleanup_run struct run r = run_rule ("pids_limit", FIX, specs[i]);

      AT (&r, "{\"limit\":4096}", "linux", "resources", "pids");
      assert_decision (&r, HR_OUTCOME_CHANGED, "pids limit set to 4096");
    }
}

Test (rule_pids_limit, positive_limit_kept_and_own_limit)
{
  cleanup_run struct run kept
      = run_rule ("pids_limit", FIX, SPEC (",\"linux\":{\"resources\":{\"pids\":{\"limit\":100}}}"));
  cleanup_run struct run own = run_rule ("pids_limit", "{\"action\":\"fix\",\"limit\":50}",
                                         SPEC (",\"linux\":{\"resources\":{\"memory\":{}}}"));
  cleanup_run struct run bad = run_rule_on ("pids_limit", FIX,
                                            SPEC (",\"linux\":{\"resources\":{\"pids\":{\"limit\":"
                                                  "\"7\"}}}"),
                                            RUN_SPEC, &host_config);

  assert_no_decision (&kept);
  AT (&own, "{\"memory\":{},\"pids\":{\"limit\":50}}", "linux", "resources");
  cr_assert_lt (bad.ret, 0);
  cr_assert (strstr (bad.err->msg, "linux.resources.pids.limit") != NULL, "%s", bad.err->msg);
}

/* sysctls */

Test (rule_sysctls, outside_the_allowlist)
{
  const char *spec = SPEC (",\"linux\":{\"sysctl\":{\"net.ipv4.ip_forward\":\"1\",\"net.ipv4.ping_group_range\":"
                           "\"0 0\",\"kernel.shm_rmid_forced\":\"1\"}}");
  cleanup_run struct run deny = run_rule ("sysctls", DENY, spec);
  cleanup_run struct run fix = run_rule ("sysctls", FIX, spec);

  cr_assert_eq (deny.result.len, 1);
  assert_decision (&deny, HR_OUTCOME_DENIED, "sysctl net.ipv4.ip_forward=\"1\" is not allowed");
  cr_assert_str_eq (deny.text, deny.before);
  AT (&fix, "{\"net.ipv4.ping_group_range\":\"0 0\",\"kernel.shm_rmid_forced\":\"1\"}", "linux", "sysctl");
}

Test (rule_sysctls, allowed_only)
{
  cleanup_run struct run r
      = run_rule ("sysctls", DENY, SPEC (",\"linux\":{\"sysctl\":{\"net.ipv4.ping_group_range\":\"0 2147483647\"}}"));
  cleanup_run struct run bad
      = run_rule_on ("sysctls", DENY, SPEC (",\"linux\":{\"sysctl\":{\"kernel.x\":1}}"), RUN_SPEC, &host_config);

  assert_no_decision (&r);
  cr_assert_lt (bad.ret, 0);
  cr_assert (strstr (bad.err->msg, "linux.sysctl.kernel.x: a JSON number where runc's Go decoder needs a string")
                 != NULL,
             "%s", bad.err->msg);
}

/* process_cwd */

Test (rule_process_cwd, inside_proc_pid_directories)
{
  static const char *const bad[] = { "/proc/self/fd/7", "/proc/1/cwd",           "//proc/./self/fd/../fd/3",
                                     "/proc/self/root", "/proc/thread-self/fd/", "/proc/1/root/etc" };
  static const char *const good[] = { "/proc", "/proc/", "/proc/self", "/work", "/procfs/1/fd", "/" };

  for (size_t i = 0; i < HR_ARRAY_SIZE (bad); i++)
    {
      char spec[256], message[256];
      cleanup_run struct run r = { 0 };

      snprintf (spec, sizeof spec, "{\"process\":{\"cwd\":\"%s\"}}", bad[i]);
      snprintf (message, sizeof message, "working directory \"%s\" lies inside /proc/*/", bad[i]);
      r = run_rule ("process_cwd", DENY, spec);
      cr_assert_eq (r.result.n_denied, 1, "%s", bad[i]);
      assert_decision (&r, HR_OUTCOME_DENIED, message);
    }
  for (size_t i = 0; i < HR_ARRAY_SIZE (good); i++)
    {
      char spec[256];
      cleanup_run struct run r = { 0 };

      snprintf (spec, sizeof spec, "{\"process\":{\"cwd\":\"%s\"}}", good[i]);
      r = run_rule ("process_cwd", DENY, spec);
      cr_assert_eq (r.result.len, 0, "%s", good[i]);
    }
}

Test (rule_process_cwd, fix_and_exec)
{
  cleanup_run struct run fix = run_rule ("process_cwd", FIX, "{\"process\":{\"cwd\":\"/proc/self/fd/7\",\"a\":1}}");
  cleanup_run struct run exec
      = run_rule_on ("process_cwd", DENY, "{\"cwd\":\"/proc/self/fd/7\",\"args\":[\"sh\"]}", RUN_PROCESS, &host_config);

  cr_assert_str_eq (fix.text, "{\"process\":{\"cwd\":\"/\",\"a\":1}}");
  cr_assert_eq (exec.ret, 0);
  cr_assert_eq (exec.result.n_denied, 1);
}

/* devices */

#define FUSE_NODE "{\"path\":\"/dev/fuse\",\"type\":\"c\",\"major\":10,\"minor\":229}"
#define NULL_NODE "{\"path\":\"/dev/null\",\"type\":\"c\",\"major\":1,\"minor\":3}"
#define DENY_ALL "{\"allow\":false,\"access\":\"rwm\"}"
#define FUSE_RULE "{\"allow\":true,\"type\":\"c\",\"major\":10,\"minor\":229,\"access\":\"rwm\"}"
#define PTS_RULE "{\"allow\":true,\"type\":\"c\",\"major\":136,\"minor\":5,\"access\":\"rwm\"}"

Test (rule_devices, beyond_the_engine_defaults)
{
  cleanup_run struct run r = run_rule ("devices", DENY,
                                       SPEC (",\"linux\":{\"devices\":[" FUSE_NODE "," NULL_NODE
                                             "],\"resources\":{\"devices\":[" DENY_ALL "," FUSE_RULE "," PTS_RULE
                                             ",{\"allow\":false,\"type\":\"b\",\"major\":8,\"minor\":0,\"access\":"
                                             "\"rwm\"}]}}"));

  cr_assert_eq (r.result.n_denied, 2);
  assert_decision (&r, HR_OUTCOME_DENIED, "device /dev/fuse (c 10:229) is not allowed");
  assert_decision (&r, HR_OUTCOME_DENIED, "device cgroup rule allowing c 10:229 rwm is not allowed");
  cr_assert_str_eq (r.text, r.before);
}

Test (rule_devices, fix_drops_what_is_not_allowed)
{
  cleanup_run struct run r = run_rule (
      "devices", FIX,
      SPEC (",\"linux\":{\"devices\":[" FUSE_NODE "," NULL_NODE "],\"resources\":{\"devices\":[" DENY_ALL "," FUSE_RULE
            "," PTS_RULE ",{\"allow\":true,\"type\":\"b\",\"major\":8,\"minor\":0,\"access\":\"r\"}]}}"));

  AT (&r, "[" NULL_NODE "]", "linux", "devices");
  AT (&r, "[" DENY_ALL "," PTS_RULE "]", "linux", "resources", "devices");
  cr_assert_eq (r.result.n_changed, 3);
  assert_decision (&r, HR_OUTCOME_CHANGED, "device cgroup rule allowing b 8:0 r is not allowed");
}

Test (rule_devices, engine_defaults_allowed)
{
  cleanup_run struct run r = run_rule (
      "devices", DENY,
      SPEC (",\"linux\":{\"devices\":[" NULL_NODE ",{\"path\":\"/dev/tty\",\"type\":\"u\",\"major\":5,\"minor\":0},{"
            "\"path\":\"/dev/pipe\",\"type\":\"p\"}],\"resources\":{\"devices\":[" DENY_ALL "," PTS_RULE
            ",{\"allow\":true,\"type\":\"c\",\"major\":136,\"minor\":7,\"access\":\"rw\"},{\"allow\":true,\"type\":"
            "\"c\",\"access\":\"m\"},{\"allow\":true,\"type\":\"b\",\"major\":8,\"minor\":1,\"access\":\"m\"},{"
            "\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rwm\"}]}}"));

  assert_no_decision (&r);
}

Test (rule_devices, empty_access_is_all_access)
{
  cleanup_run struct run r = run_rule (
      "devices", DENY,
      SPEC (",\"linux\":{\"resources\":{\"devices\":[{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,"
            "\"access\":\"\"},{\"allow\":true,\"type\":\"c\",\"major\":4,\"access\":\"m\"}]}}"));

  /* an empty access string is all access for runc: still within "c 1:3 rwm" */
  cr_assert_eq (r.result.n_denied, 0, "%s", r.result.len ? r.result.items[0].message : "");
}

Test (rule_devices, own_allowlist)
{
  cleanup_run struct run r = run_rule ("devices", "{\"action\":\"deny\",\"nodes\":[\"c 10:*\"],\"cgroup_rules\":[]}",
                                       SPEC (",\"linux\":{\"devices\":[" FUSE_NODE "," NULL_NODE "]}"));

  cr_assert_eq (r.result.n_denied, 1);
  assert_decision (&r, HR_OUTCOME_DENIED, "device /dev/null (c 1:3)");
}

/* privileged */

Test (rule_privileged, allow_all_rule_is_replaced)
{
  cleanup_run struct run r = run_rule (
      "privileged", FIX,
      SPEC (",\"mounts\":[{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\",\"options\":[\"nosuid\","
            "\"rw\"]},{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\"}," PROC_MOUNT
            "],\"linux\":{\"devices\":[{\"path\":\"/dev/kmsg\",\"type\":\"c\",\"major\":1,\"minor\":11}],"
            "\"resources\":{\"devices\":[{\"allow\":true,\"access\":\"rwm\"}],\"memory\":{}}}"));
  const char *const devices[] = { "linux", "resources", "devices", NULL };
  const struct hr_json *rules = hr_json_get_path (r.doc, devices);
  cleanup_free char *first = NULL, *second = NULL, *third = NULL;

  cr_assert_eq (r.result.n_changed, 1);
  assert_decision (&r, HR_OUTCOME_CHANGED, "privileged container (a device cgroup rule allows every device)");
  AT (&r, "", "linux", "devices");
  cr_assert_not_null (rules);
  cr_assert_eq (rules->len, 13, "deny-all and the 12 default rules");
  first = hr_json_serialize (rules->items[0], NULL);
  second = hr_json_serialize (rules->items[1], NULL);
  third = hr_json_serialize (rules->items[3], NULL);
  cr_assert_str_eq (first, DENY_ALL);
  cr_assert_str_eq (second, "{\"allow\":true,\"type\":\"c\",\"access\":\"m\"}");
  cr_assert_str_eq (third, "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rwm\"}");
  ENTRY_IS (&r, "[\"nosuid\",\"ro\"]", "mounts", 0, "options");
  ENTRY_IS (&r, "[\"ro\"]", "mounts", 1, "options");
  ENTRY_IS (&r, PROC_MOUNT, "mounts", 2, NULL);
  AT (&r, "{}", "linux", "resources", "memory");
}

Test (rule_privileged, deny_and_ordinary_specs)
{
  const char *spec
      = SPEC (",\"linux\":{\"resources\":{\"devices\":[{\"allow\":true,\"type\":\"a\",\"access\":\"rwm\"}]}}");
  cleanup_run struct run deny = run_rule ("privileged", DENY, spec);
  cleanup_run struct run ordinary
      = run_rule ("privileged", FIX, SPEC (",\"linux\":{\"resources\":{\"devices\":[" DENY_ALL "," PTS_RULE "]}}"));
  cleanup_run struct run major_only = run_rule (
      "privileged", FIX,
      SPEC (
          ",\"linux\":{\"resources\":{\"devices\":[{\"allow\":true,\"type\":\"a\",\"major\":1,\"access\":\"rwm\"}]}}"));

  cr_assert_eq (deny.result.n_denied, 1);
  cr_assert_str_eq (deny.text, deny.before);
  assert_no_decision (&ordinary);
  assert_no_decision (&major_only);
}

/* seccomp */

static bool
allowed_by (const struct hr_json *seccomp, const char *name)
{
  const struct hr_json *syscalls = hr_json_get (seccomp, "syscalls");

  for (size_t i = 0; syscalls && i < syscalls->len; i++)
    {
      const struct hr_json *action = hr_json_get (syscalls->items[i], "action");
      if (hr_json_is_string (action) && strcmp (action->text, "SCMP_ACT_ALLOW") == 0
          && hr_json_strings_contain (hr_json_get (syscalls->items[i], "names"), name))
        return true;
    }
  return false;
}

static bool
any_rule_has (const struct hr_json *seccomp, const char *member)
{
  const struct hr_json *syscalls = hr_json_get (seccomp, "syscalls");

  for (size_t i = 0; syscalls && i < syscalls->len; i++)
    if (hr_json_get (syscalls->items[i], member) != NULL)
      return true;
  return false;
}

/* The rule of the profile whose names are exactly [name]. */
static char *
rule_for (const struct hr_json *seccomp, const char *name)
{
  const struct hr_json *syscalls = hr_json_get (seccomp, "syscalls");

  for (size_t i = 0; syscalls && i < syscalls->len; i++)
    {
      const struct hr_json *names = hr_json_get (syscalls->items[i], "names");
      if (names && names->len == 1 && hr_json_strings_contain (names, name))
        return hr_json_serialize (syscalls->items[i], NULL);
    }
  return xstrdup ("");
}

#define CLONE3_ENOSYS "{\"names\":[\"clone3\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38}"
#define MASKED_CLONE                                                                                                   \
  "{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":2114060288,\"valueTwo\":0,"   \
  "\"op\":\"SCMP_CMP_MASKED_EQ\"}]}"

Test (rule_seccomp, default_profile_installed)
{
  cleanup_run struct run r
      = run_rule ("seccomp", FIX,
                  "{\"process\":{\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_SYS_PTRACE\"]}},\"linux\":{}}");
  const char *const path[] = { "linux", "seccomp", NULL };
  const struct hr_json *seccomp = hr_json_get_path (r.doc, path);
  cleanup_free char *clone3 = NULL;
  static const char *const never[] = { "mount", "unshare", "keyctl", "io_uring_setup", "bpf", "setns", "add_key" };

  cr_assert_eq (r.result.n_changed, 1);
  assert_decision (&r, HR_OUTCOME_CHANGED, "no seccomp profile: the default profile applied");
  cr_assert_not_null (seccomp);
  AT (&r, "\"SCMP_ACT_ERRNO\"", "linux", "seccomp", "defaultAction");
  AT (&r, "1", "linux", "seccomp", "defaultErrnoRet");
  for (size_t i = 0; i < HR_ARRAY_SIZE (never); i++)
    cr_assert_not (allowed_by (seccomp, never[i]), "%s is allowed", never[i]);
  cr_assert (allowed_by (seccomp, "read"));
  cr_assert (allowed_by (seccomp, "process_vm_readv"), "the CAP_SYS_PTRACE group is in");
  cr_assert_not (allowed_by (seccomp, "chroot"), "the CAP_SYS_CHROOT group is not");
  cr_assert_not (allowed_by (seccomp, "sethostname"), "the CAP_SYS_ADMIN group is not");
  cr_assert_not (any_rule_has (seccomp, "requires_capabilities"));
  clone3 = rule_for (seccomp, "clone3");
  cr_assert_str_eq (clone3, CLONE3_ENOSYS);
  cr_assert_not_null (hr_json_get (seccomp, "architectures"));
}

/* The host's memory of merges, as the tests below drive it. */
static char *recalled_inputs, *remembered_inputs;
static struct hr_json *remembered_merge;
static struct hr_strv remembered_changed;
static int remember_calls;

static struct hr_json *
recall_marker (const struct hr_host *host, const char *inputs, size_t len, struct hr_strv *changed)
{
  static const char marker[] = "{\"defaultAction\":\"SCMP_ACT_KILL\",\"syscalls\":[]}";
  hr_error_t err = NULL;

  recalled_inputs = xstrndup (inputs, len);
  hr_strv_push (changed, "marker_call");
  return hr_json_parse (marker, strlen (marker), &err);
}

static struct hr_json *
recall_nothing (const struct hr_host *host, const char *inputs, size_t len, struct hr_strv *changed)
{
  free (recalled_inputs);
  recalled_inputs = xstrndup (inputs, len);
  return NULL;
}

static void
remember (const struct hr_host *host, const char *inputs, size_t len, const struct hr_json *merged,
          const struct hr_strv *changed)
{
  remember_calls++;
  free (remembered_inputs);
  remembered_inputs = xstrndup (inputs, len);
  hr_json_free (remembered_merge);
  remembered_merge = hr_json_clone (merged);
  hr_strv_clear (&remembered_changed);
  for (size_t i = 0; i < changed->len; i++)
    hr_strv_push (&remembered_changed, changed->items[i]);
}

static void
forget_merges (void)
{
  test_recall_merge = NULL;
  test_remember_merge = NULL;
  free (hr_steal_pointer (&recalled_inputs));
  free (hr_steal_pointer (&remembered_inputs));
  hr_json_free (hr_steal_pointer (&remembered_merge));
  hr_strv_clear (&remembered_changed);
  remember_calls = 0;
}

#define SPEC_WITH_PROFILE(caps)                                                                                        \
  "{\"process\":{\"capabilities\":{\"bounding\":[" caps "]}},\"linux\":{\"seccomp\":{\"defaultAction\":"               \
  "\"SCMP_ACT_ALLOW\"}}}"

Test (rule_seccomp, a_remembered_merge_is_the_result, .fini = forget_merges)
{
  test_recall_merge = recall_marker;
  test_remember_merge = remember;
  cleanup_run struct run r = run_rule ("seccomp", FIX, SPEC_WITH_PROFILE ("\"CAP_CHOWN\""));

  AT (&r, "\"SCMP_ACT_KILL\"", "linux", "seccomp", "defaultAction");
  assert_decision (&r, HR_OUTCOME_CHANGED, "answers changed for marker_call");
  cr_assert_eq (remember_calls, 0, "a recalled merge is not stored again");
  cr_assert (strstr (recalled_inputs, "\"SCMP_ACT_ALLOW\"") != NULL, "the inputs name the spec's profile: %s",
             recalled_inputs);
}

Test (rule_seccomp, a_new_merge_is_remembered_under_inputs_naming_all_it_depends_on, .fini = forget_merges)
{
  cleanup_free char *chown_inputs = NULL;

  test_recall_merge = recall_nothing;
  test_remember_merge = remember;
  {
    cleanup_run struct run r = run_rule ("seccomp", FIX, SPEC_WITH_PROFILE ("\"CAP_CHOWN\""));
    const char *const path[] = { "linux", "seccomp", NULL };

    cr_assert_eq (remember_calls, 1);
    cr_assert_str_eq (remembered_inputs, recalled_inputs, "remembered under the inputs it was looked up by");
    cr_assert (hr_json_equal (remembered_merge, hr_json_get_path (r.doc, path)), "what is remembered is the result");
    cr_assert_gt (remembered_changed.len, 0);
    chown_inputs = xstrdup (remembered_inputs);
  }
  {
    /* the default profile follows the bounding set: another set, other inputs */
    cleanup_run struct run r = run_rule ("seccomp", FIX, SPEC_WITH_PROFILE ("\"CAP_SYS_PTRACE\""));
    cr_assert_eq (remember_calls, 2);
    cr_assert_str_neq (remembered_inputs, chown_inputs);
  }
  {
    /* the rule's settings (here must_deny) are inputs too */
    cleanup_run struct run r
        = run_rule ("seccomp", "{\"action\":\"fix\",\"must_deny\":[\"chroot\"]}", SPEC_WITH_PROFILE ("\"CAP_CHOWN\""));
    cr_assert_eq (remember_calls, 3);
    cr_assert_str_neq (remembered_inputs, chown_inputs);
  }
}

Test (rule_seccomp, default_profile_follows_the_final_capabilities)
{
  /* capabilities and seccomp together: seccomp sees the cut bounding set */
  const char *ptext = "{\"profiles\":{\"default\":{\"rules\":{\"user_namespace\":{\"action\":\"off\"},"
                      "\"host_namespaces\":{\"action\":\"off\"},\"readonly_rootfs\":{\"action\":\"off\"}}}}}";
  hr_error_t err = NULL;
  struct hr_policy *policy = hr_policy_load_text (ptext, strlen (ptext), "test", &err);
  const char text[] = "{\"process\":{\"cwd\":\"/\",\"capabilities\":{\"bounding\":[\"CAP_SYS_CHROOT\","
                      "\"CAP_CHOWN\"]}},\"root\":{\"path\":\"/r\"}}";
  cleanup_json struct hr_json *spec = hr_json_parse (text, sizeof text - 1, &err);
  const char *const path[] = { "linux", "seccomp", NULL };
  struct hr_result result = { 0 };
  struct hr_host host;

  cr_assert_not_null (policy, "%s", err ? err->msg : "?");
  fake_host_init (&host, &host_config);
  cr_assert_eq (hr_enforce_spec (spec, &policy->profiles[0], false, &host, &result, &err), 0);
  cr_assert_not (allowed_by (hr_json_get_path (spec, path), "chroot"));
  hr_result_clear (&result);
  hr_policy_free (policy);
}

/* An allow-by-default profile is merged, not replaced: its own denial of
 * mount stays, and the embedded allowlist applies around it (issue 15). */
Test (rule_seccomp, allowing_profile_merged_with_the_default)
{
  /* compiling the merged filter needs libseccomp API level 3, which
   * valgrind hides (it does not know seccomp(2)) */
  if (seccomp_api_get () < 3)
    cr_skip_test ("libseccomp API level %u here: the merged filter cannot be compiled", seccomp_api_get ());
  cleanup_run struct run r = run_rule (
      "seccomp", FIX,
      SPEC (",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\"],"
            "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13}]}}"));
  cleanup_run struct run log
      = run_rule ("seccomp", FIX, SPEC (",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_LOG\"}}"));
  const char *const path[] = { "linux", "seccomp", NULL };
  cleanup_free char *mkdir_rule = NULL;

  assert_decision (&r, HR_OUTCOME_CHANGED,
                   "seccomp profile kept and made at least as strict as the default profile: default action "
                   "SCMP_ACT_ERRNO");
  AT (&r, "\"SCMP_ACT_ERRNO\"", "linux", "seccomp", "defaultAction");
  cr_assert (allowed_by (hr_json_get_path (r.doc, path), "read"));
  cr_assert_not (allowed_by (hr_json_get_path (r.doc, path), "mkdir"));
  mkdir_rule = rule_for (hr_json_get_path (r.doc, path), "mkdir");
  cr_assert_str_eq (mkdir_rule, "{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13}");
  AT (&log, "\"SCMP_ACT_ERRNO\"", "linux", "seccomp", "defaultAction");
}

Test (rule_seccomp, existing_profile_kept_without_must_deny_calls)
{
  cleanup_run struct run r = run_rule (
      "seccomp", FIX,
      SPEC (",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
            "\"x-unknown\":7,\"syscalls\":[{\"names\":[\"read\",\"write\",\"mount\",\"keyctl\"],\"action\":\"SCMP_ACT_"
            "ALLOW\"},{\"names\":[\"unshare\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1},{\"names\":[\"bpf\"],"
            "\"action\":\"SCMP_ACT_LOG\"},{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{"
            "\"index\":0,\"value\":8,\"op\":\"SCMP_CMP_EQ\"}]}]}}"));

  /* unshare's rule had the default action (runc skips it); personality
   * keeps its condition, which the default profile allows too */
  AT (&r,
      "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"architectures\":[\"SCMP_ARCH_X86_64\"],\"x-"
      "unknown\":7,\"syscalls\":[{\"names\":[\"clone3\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38},{\"names\":["
      "\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":8,\"op\":\"SCMP_CMP_EQ\"}]},{"
      "\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
      "linux", "seccomp");
  cr_assert_eq (r.result.n_changed, 1);
  assert_decision (&r, HR_OUTCOME_CHANGED, "answers changed for bpf, clone3, keyctl, mount");
}

Test (rule_seccomp, unmasked_clone_replaced)
{
  cleanup_run struct run r = run_rule (
      "seccomp", FIX,
      SPEC (",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"clone\"],"
            "\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"read\",\"clone\",\"clone3\"],\"action\":\"SCMP_ACT_ALLOW\"},"
            "{\"names\":[\"clone3\"],\"action\":\"SCMP_ACT_ERRNO\"}]}}"));

  AT (&r, "[" MASKED_CLONE "," CLONE3_ENOSYS ",{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]", "linux",
      "seccomp", "syscalls");
  assert_decision (&r, HR_OUTCOME_CHANGED, "answers changed for clone, clone3");
}

Test (rule_seccomp, hardened_profile_is_left_alone)
{
  cleanup_run struct run r = run_rule (
      "seccomp", FIX,
      SPEC (",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
            "\"action\":\"SCMP_ACT_ALLOW\"}," MASKED_CLONE "," CLONE3_ENOSYS "]}}"));

  assert_no_decision (&r);
}

Test (rule_seccomp, profiles_runc_cannot_load_are_errors)
{
  static const struct
  {
    const char *seccomp;
    const char *needle;
  } cases[] = {
    { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_BOGUS\"}]}",
      "unknown seccomp action \"SCMP_ACT_BOGUS\"" },
    { "{\"defaultAction\":\"SCMP_ACT_BOGUS\"}", "SCMP_ACT_BOGUS" },
    { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_NOPE\"]}",
      "unknown seccomp architecture \"SCMP_ARCH_NOPE\"" },
    { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
      "\"args\":[{\"index\":9,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
      "index 9 out of range" },
    { "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
      "\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_LIKE\"}]}]}",
      "unknown operator" },
  };

  for (size_t i = 0; i < HR_ARRAY_SIZE (cases); i++)
    {
      char spec[1024];
      cleanup_run struct run r = { 0 };

      snprintf (spec, sizeof spec, SPEC (",\"linux\":{\"seccomp\":%s}"), cases[i].seccomp);
      r = run_rule_on ("seccomp", FIX, spec, RUN_SPEC, &host_config);
      cr_assert_lt (r.ret, 0, "%s", cases[i].seccomp);
      cr_assert (strstr (r.err->msg, "seccomp") != NULL, "%s", r.err->msg);
      cr_assert (strstr (r.err->msg, cases[i].needle) != NULL, "\"%s\" lacks \"%s\"", r.err->msg, cases[i].needle);
    }
}

/* A names array with a non-string entry: Go refuses such a spec, and so
 * must hardrun, with an error rather than a crash. */
Test (rule_seccomp, non_string_syscall_name_is_an_error)
{
  static const char *const names[] = { "true", "null", "{}", "[]", "7" };

  for (size_t i = 0; i < HR_ARRAY_SIZE (names); i++)
    {
      char spec[512];
      cleanup_run struct run r = { 0 };

      snprintf (spec, sizeof spec,
                SPEC (",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":["
                      "\"read\",%s],\"action\":\"SCMP_ACT_ALLOW\"}]}}"),
                names[i]);
      r = run_rule_on ("seccomp", FIX, spec, RUN_SPEC, &host_config);
      cr_assert_lt (r.ret, 0, "names [\"read\",%s] accepted", names[i]);
      cr_assert (strstr (r.err->msg, "seccomp") != NULL, "%s", r.err->msg);
    }
}

/* hooks */

#define HOOK_ID "000000000000000000000000000000000000000000000000000000c0ffee0000"
/* Docker 20.10's network hook for container HOOK_ID, with extra members */
#define DOCKER_HOOK(path, id, extra)                                                                                   \
  "{\"path\":\"" path "\",\"args\":[\"libnetwork-setkey\",\"-exec-root=/var/run/docker\",\"" id                        \
  "\",\"a0c0ffee0000\"]" extra "}"
#define HOOKS(kind, ...) SPEC (",\"hooks\":{\"" kind "\":[" __VA_ARGS__ "]}")
/* the embedded default's hooks settings, with another action */
static char *
default_hooks (const char *action)
{
  cleanup_json struct hr_json *doc = NULL;
  hr_error_t err = NULL;
  static const char *const path[] = { "profiles", "default", "rules", "hooks", NULL };
  struct hr_json *rule;
  char *text;

  doc = hr_json_parse (hr_default_policy_text, strlen (hr_default_policy_text), &err);
  cr_assert_not_null (doc);
  rule = hr_json_get_path (doc, path);
  hr_json_set (rule, "action", hr_json_new_string (action));
  text = hr_json_serialize (rule, NULL);
  return text;
}

static struct run
run_hooks (const char *action, const char *spec)
{
  cleanup_free char *rule = default_hooks (action);

  test_container_id = HOOK_ID;
  return run_rule ("hooks", rule, spec);
}

Test (rule_hooks, dockers_own_hook_runs_pinned_to_dockerd)
{
  cleanup_run struct run r = run_hooks ("deny", HOOKS ("prestart", DOCKER_HOOK ("/proc/4242/exe", HOOK_ID, "")));

  cr_assert_eq (r.result.n_denied, 0, "%s", r.text);
  assert_decision (&r, HR_OUTCOME_CHANGED, "prestart hook \"/proc/4242/exe\" runs as \"/usr/sbin/dockerd\"");
  /* the runtime execs the path that was judged, not /proc/PID/exe again */
  AT (&r, "{\"prestart\":[" DOCKER_HOOK ("/usr/sbin/dockerd", HOOK_ID, "") "]}", "hooks");
}

Test (rule_hooks, the_whole_hook_is_judged)
{
  static const char *const bad[] = {
    /* dockerd with a library preloaded, or an extra environment entry */
    DOCKER_HOOK ("/proc/4242/exe", HOOK_ID, ",\"env\":[\"LD_PRELOAD=/tmp/evil.so\"]"),
    DOCKER_HOOK ("/usr/sbin/dockerd", HOOK_ID, ",\"Env\":[\"PATH=/tmp\"]"),
    /* dockerd serving its API on the network */
    "{\"path\":\"/usr/sbin/dockerd\",\"args\":[\"dockerd\",\"-H\",\"tcp://0.0.0.0:2375\"]}",
    /* another reexec entry point of dockerd */
    "{\"path\":\"/proc/4242/exe\",\"args\":[\"docker-untar\",\"/\",\"/x\"]}",
    /* the hook of another container, or with another exec-root */
    DOCKER_HOOK ("/proc/4242/exe", "000000000000000000000000000000000000000000000000000000c0ffee0001", ""),
    "{\"path\":\"/proc/4242/exe\",\"args\":[\"libnetwork-setkey\",\"-exec-root=/tmp\",\"" HOOK_ID
    "\",\"a0c0ffee0000\"]}",
    /* BuildKit's form naming a build sandbox id one digit longer */
    "{\"path\":\"/proc/4242/exe\",\"args\":[\"libnetwork-setkey\",\"-exec-root=/var/run/docker\","
    "\"k3et357pnhoq97fcuagspamhrx\",\"6a43ae53a060\"]}",
    /* one argument more; no arguments at all */
    "{\"path\":\"/proc/4242/exe\",\"args\":[\"libnetwork-setkey\",\"-exec-root=/var/run/docker\",\"" HOOK_ID
    "\",\"a0c0ffee0000\",\"x\"]}",
    "{\"path\":\"/usr/sbin/dockerd\"}",
    /* podman with the host's root as a privileged container */
    "{\"path\":\"/usr/bin/podman\",\"args\":[\"podman\",\"run\",\"--privileged\",\"--rootfs\",\"/\"]}",
    /* the process /proc/4243 is not dockerd; a script; a relative path */
    DOCKER_HOOK ("/proc/4243/exe", HOOK_ID, ""),
    "{\"path\":\"/usr/local/bin/hook.sh\"}",
    DOCKER_HOOK ("relative", HOOK_ID, ""),
  };

  for (size_t i = 0; i < HR_ARRAY_SIZE (bad); i++)
    {
      cleanup_free char *spec = NULL;
      cleanup_run struct run r = { 0 };

      xasprintf (&spec, HOOKS ("prestart", "%s"), bad[i]);
      r = run_hooks ("deny", spec);
      cr_assert_eq (r.result.n_denied, 1, "accepted: %s", bad[i]);
      assert_decision (&r, HR_OUTCOME_DENIED, "is not an allowed shape (path, args, env)");
    }
}

Test (rule_hooks, buildkits_own_hook_runs)
{
  /* BuildKit's RUN steps: a build sandbox id (25 base-36 digits, not the
   * container's id), as captured from Docker 20.10.24 */
  cleanup_run struct run r = run_hooks (
      "deny", HOOKS ("prestart", "{\"path\":\"/proc/4242/exe\",\"args\":[\"libnetwork-setkey\",\"-exec-root=/var/"
                                 "run/docker\",\"k3et357pnhoq97fcuagspamhr\",\"6a43ae53a060\"]}"));

  cr_assert_eq (r.result.n_denied, 0, "%s", r.text);
  assert_decision (&r, HR_OUTCOME_CHANGED, "runs as \"/usr/sbin/dockerd\"");
}

Test (rule_hooks, only_the_allowed_kinds)
{
  cleanup_run struct run r
      = run_hooks ("deny", SPEC (",\"hooks\":{\"poststop\":[" DOCKER_HOOK (
                               "/proc/4242/exe", HOOK_ID, "") "],"
                                                              "\"startContainer\":[{\"path\":\"/x\"}]}"));

  cr_assert_eq (r.result.n_denied, 1, "startContainer runs inside the container, a poststop dockerd does not");
  assert_decision (&r, HR_OUTCOME_DENIED, "poststop hook \"/proc/4242/exe\" resolved to /usr/sbin/dockerd");
}

Test (rule_hooks, a_file_others_can_swap_is_refused)
{
  /* the fake host says what resolves under /tmp is not root's own */
  cleanup_run struct run r = run_rule (
      "hooks", "{\"action\":\"deny\",\"allowed\":[{\"kinds\":[\"prestart\"],\"executable\":[\"/*/*\"],\"args\":[]}]}",
      HOOKS ("prestart", "{\"path\":\"/tmp/hook\"}"));

  assert_decision (&r, HR_OUTCOME_DENIED, "prestart hook \"/tmp/hook\" runs on the host and is not an allowed shape");
  assert_decision (&r, HR_OUTCOME_DENIED, "is not root's own");
}

Test (rule_hooks, fix_removes_and_audit_changes_nothing)
{
  const char *spec = HOOKS ("prestart", "{\"path\":\"/bin/sh\"}," DOCKER_HOOK ("/proc/4242/exe", HOOK_ID, ""));
  cleanup_run struct run fixed = run_hooks ("fix", spec);
  cleanup_run struct run audited = run_hooks ("audit", spec);

  AT (&fixed, "{\"prestart\":[" DOCKER_HOOK ("/usr/sbin/dockerd", HOOK_ID, "") "]}", "hooks");
  cr_assert_str_eq (audited.text, audited.before);
  assert_decision (&audited, HR_OUTCOME_AUDITED, "\"/bin/sh\"");
  assert_decision (&audited, HR_OUTCOME_AUDITED, "runs as \"/usr/sbin/dockerd\"");
}

Test (rule_hooks, shapes_are_validated)
{
  static const char *const bad[][2] = {
    { "[\"/usr/sbin/dockerd\"]", "expected object" },
    { "[{\"kinds\":[\"prestart\"],\"executable\":[\"/x\"]}]", "lacks \"args\"" },
    { "[{\"kinds\":[\"startContainer\"],\"executable\":[\"/x\"],\"args\":[]}]", "not a host hook kind" },
    { "[{\"kinds\":[\"prestart\"],\"executable\":[\"x\"],\"args\":[]}]", "\"x\" is not an absolute path" },
    { "[{\"kinds\":[\"prestart\"],\"executable\":[],\"args\":[]}]", "names no executable" },
    { "[{\"kinds\":[\"prestart\"],\"executable\":[\"/x\"],\"args\":[],\"envs\":[]}]", "unknown key \"envs\"" },
  };

  for (size_t i = 0; i < HR_ARRAY_SIZE (bad); i++)
    {
      hr_error_t err = NULL;
      cleanup_free char *rule = NULL;
      cleanup_free char *text = NULL;
      struct hr_policy *policy;

      xasprintf (&rule, "{\"action\":\"deny\",\"allowed\":%s}", bad[i][0]);
      text = policy_text ("hooks", rule);
      policy = hr_policy_load_text (text, strlen (text), "test", &err);
      cr_assert_null (policy, "accepted %s", bad[i][0]);
      cr_assert_not_null (strstr (err->msg, bad[i][1]), "%s", err->msg);
      hr_error_free (&err);
    }
}

/* cgroups_path */

/* Live containers: a Docker one, a CRI sandbox (cgroupfs), a CRI sandbox
 * (systemd driver); runc itself runs in /user.slice/session. */
static const struct fake_link live_cgroups[] = {
  { "a", "/docker/a" },
  { "sandbox", "/kubepods/besteffort/pod1234/sandbox" },
  { "sdsandbox",
    "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1234.slice/cri-containerd-sdsandbox.scope" },
  { "rootcg", "/" },
  { NULL, NULL },
};

static struct run
run_cgroups (const char *id, const char *cgroups_path)
{
  cleanup_free char *spec = NULL;
  struct run r = { 0 };
  struct hr_host host;
  cleanup_free char *ptext = policy_text ("cgroups_path", DENY);

  xasprintf (&spec, SPEC (",\"linux\":{\"cgroupsPath\":\"%s\"}"), cgroups_path);
  r.policy = hr_policy_load_text (ptext, strlen (ptext), "test", &r.err);
  cr_assert_not_null (r.policy);
  r.doc = hr_json_parse (spec, strlen (spec), &r.err);
  cr_assert_not_null (r.doc);
  fake_host_init (&host, &host_config);
  fake_host_set_live_cgroups (&host, live_cgroups, "/user.slice/session");
  host.container_id = id;
  r.ret = hr_enforce_spec (r.doc, hr_policy_find_profile (r.policy, "t"), false, &host, &r.result, &r.err);
  cr_assert_eq (r.ret, 0, "%s", r.err ? r.err->msg : "");
  return r;
}

Test (rule_cgroups_path, another_live_containers_cgroup_is_refused)
{
  static const char *const bad[][2] = {
    { "/docker/a", "is the cgroup /docker/a of the live container \"a\"" },
    { "/docker/a/sub", "lies inside the cgroup /docker/a" },
    { "/docker/../docker/./a/", "is the cgroup /docker/a" },
    { "/docker", "contains the cgroup /docker/a" },
    { "/kubepods/besteffort/pod1234/sandbox", "of the live container \"sandbox\"" },
    { "kubepods-besteffort-pod1234.slice:cri-containerd:sdsandbox", "of the live container \"sdsandbox\"" },
    { "/kubepods/besteffort", "contains the cgroup /kubepods/besteffort/pod1234/sandbox" },
  };

  for (size_t i = 0; i < HR_ARRAY_SIZE (bad); i++)
    {
      cleanup_run struct run r = run_cgroups ("b", bad[i][0]);

      cr_assert_eq (r.result.n_denied, 1, "accepted %s", bad[i][0]);
      assert_decision (&r, HR_OUTCOME_DENIED, bad[i][1]);
    }
}

Test (rule_cgroups_path, siblings_and_own_paths_run)
{
  static const char *const good[][2] = {
    { "b", "/docker/b" },
    /* a pod's containers share the pod's cgroup, which is no container's */
    { "c", "/kubepods/besteffort/pod1234/c" },
    { "c", "kubepods-besteffort-pod1234.slice:cri-containerd:c" },
    /* relative: below runc's own cgroup; "../" cannot climb out */
    { "b", "../../docker/a" },
    { "b", "" },
    /* its own cgroup: the same id is not another container */
    { "a", "/docker/a" },
  };

  for (size_t i = 0; i < HR_ARRAY_SIZE (good); i++)
    {
      cleanup_run struct run r = run_cgroups (good[i][0], good[i][1]);

      cr_assert_eq (r.result.len, 0, "%s refused: %s", good[i][1], r.result.len ? r.result.items[0].message : "");
    }
}

/* Actions: the same violation under each action and in audit mode. */

#define CAP_SPEC "{\"process\":{\"cwd\":\"/\",\"capabilities\":{\"bounding\":[\"CAP_SYS_ADMIN\",\"CAP_CHOWN\"]}}}"

Test (actions, fix_changes)
{
  cleanup_run struct run r = run_rule ("capabilities", FIX, CAP_SPEC);

  cr_assert_eq (r.result.len, 1);
  cr_assert_eq (r.result.items[0].outcome, HR_OUTCOME_CHANGED);
  cr_assert_str_eq (r.result.items[0].rule, "capabilities");
  AT (&r, "[\"CAP_CHOWN\"]", "process", "capabilities", "bounding");
  cr_assert_str_eq (hr_result_verdict (&r.result), "modify");
}

Test (actions, deny_refuses_and_leaves_the_document)
{
  cleanup_run struct run r = run_rule ("capabilities", DENY, CAP_SPEC);

  cr_assert_eq (r.result.len, 1);
  cr_assert_eq (r.result.items[0].outcome, HR_OUTCOME_DENIED);
  cr_assert (strstr (r.result.items[0].message, "CAP_SYS_ADMIN") != NULL);
  cr_assert_eq (r.result.n_denied, 1);
  cr_assert_eq (r.result.n_changed, 0);
  cr_assert_str_eq (r.text, r.before);
  cr_assert_str_eq (hr_result_verdict (&r.result), "deny");
}

Test (actions, audit_records_only)
{
  cleanup_run struct run r = run_rule ("capabilities", AUDIT, CAP_SPEC);

  cr_assert_eq (r.result.len, 1);
  cr_assert_eq (r.result.items[0].outcome, HR_OUTCOME_AUDITED);
  cr_assert_eq (r.result.n_denied + r.result.n_changed, 0);
  cr_assert_str_eq (r.text, r.before);
  cr_assert_str_eq (hr_result_verdict (&r.result), "allow");
}

Test (actions, off_does_nothing)
{
  cleanup_run struct run r = run_rule ("capabilities", OFF, CAP_SPEC);

  assert_no_decision (&r);
}

Test (actions, audit_mode_turns_fix_and_deny_into_audit)
{
  cleanup_run struct run fix = run_rule_on ("capabilities", FIX, CAP_SPEC, RUN_AUDIT_MODE, &host_config);
  cleanup_run struct run deny = run_rule_on ("capabilities", DENY, CAP_SPEC, RUN_AUDIT_MODE, &host_config);
  cleanup_run struct run off = run_rule_on ("capabilities", OFF, CAP_SPEC, RUN_AUDIT_MODE, &host_config);
  cleanup_run struct run root
      = run_rule_on ("sensitive_mounts", FIX, "{" PROCESS ",\"root\":{\"path\":\"/\"}}", RUN_AUDIT_MODE, &host_config);
  cleanup_run struct run exec = run_rule_on ("capabilities", DENY, "{\"capabilities\":{\"ambient\":[\"CAP_KILL\"]}}",
                                             RUN_PROCESS | RUN_AUDIT_MODE, &host_config);

  cr_assert_eq (fix.result.len, 1);
  cr_assert_eq (fix.result.items[0].outcome, HR_OUTCOME_AUDITED);
  cr_assert_str_eq (fix.text, fix.before);
  cr_assert_eq (deny.result.len, 1);
  cr_assert_eq (deny.result.items[0].outcome, HR_OUTCOME_AUDITED);
  cr_assert_eq (deny.result.n_denied, 0);
  cr_assert_eq (off.result.len, 0);
  cr_assert_eq (root.result.len, 1, "violations are audited too");
  cr_assert_eq (root.result.items[0].outcome, HR_OUTCOME_AUDITED);
  cr_assert_eq (exec.result.len, 1);
  cr_assert_eq (exec.result.items[0].outcome, HR_OUTCOME_AUDITED);
  cr_assert_str_eq (exec.text, exec.before);
}

Test (actions, names)
{
  struct hr_result result = { 0 };

  cr_assert_str_eq (hr_outcome_name (HR_OUTCOME_CHANGED), "changed");
  cr_assert_str_eq (hr_outcome_name (HR_OUTCOME_DENIED), "denied");
  cr_assert_str_eq (hr_outcome_name (HR_OUTCOME_AUDITED), "audited");
  cr_assert_str_eq (hr_result_verdict (&result), "allow");
  hr_result_add (&result, "x", HR_OUTCOME_AUDITED, xstrdup ("a"));
  cr_assert_str_eq (hr_result_verdict (&result), "allow");
  hr_result_add (&result, "x", HR_OUTCOME_CHANGED, xstrdup ("b"));
  cr_assert_str_eq (hr_result_verdict (&result), "modify");
  hr_result_add (&result, "x", HR_OUTCOME_DENIED, xstrdup ("c"));
  cr_assert_str_eq (hr_result_verdict (&result), "deny");
  cr_assert_eq (result.len, 3);
  hr_result_clear (&result);
  cr_assert_eq (result.len, 0);
}

/* The spec's shape and the exec path. */

Test (enforce, spec_shape_errors)
{
  static const struct
  {
    const char *spec;
    const char *needle;
  } cases[] = {
    { "[]", "the spec is a JSON array, not an object" },
    { "{\"root\":{}}", "the spec has no process" },
    { "{\"process\":null}", "the spec has no process" },
    { "{\"process\":[]}", "process: expected object" },
    { "{\"process\":{},\"mounts\":{}}", "mounts: expected array" },
    { "{\"process\":{},\"linux\":[]}", "linux: expected object" },
  };

  for (size_t i = 0; i < HR_ARRAY_SIZE (cases); i++)
    {
      cleanup_run struct run r = run_rule_on ("capabilities", FIX, cases[i].spec, RUN_SPEC, &host_config);

      cr_assert_lt (r.ret, 0, "%s", cases[i].spec);
      cr_assert (strstr (r.err->msg, cases[i].needle) != NULL, "\"%s\" lacks \"%s\"", r.err->msg, cases[i].needle);
    }
}

Test (enforce, process_must_be_an_object)
{
  cleanup_run struct run r = run_rule_on ("capabilities", FIX, "[]", RUN_PROCESS, &host_config);

  cr_assert_lt (r.ret, 0);
  cr_assert (strstr (r.err->msg, "the process is a JSON array") != NULL, "%s", r.err->msg);
}

Test (enforce, exec_of_a_privileged_process)
{
  size_t len = 0;
  cleanup_free char *text = fake_read_file (FIXTURES_DIR "/docker-20.10/exec/04-exec.process.json", &len);
  hr_error_t err = NULL;
  struct hr_policy *policy = hr_policy_load_default (&err);
  cleanup_json struct hr_json *process = hr_json_parse (text, len, &err);
  struct hr_result result = { 0 };
  const struct hr_json *caps;
  static const char *const sets[] = { "bounding", "effective", "permitted" };
  const char *allow = "[\"CAP_CHOWN\",\"CAP_DAC_OVERRIDE\",\"CAP_FOWNER\",\"CAP_FSETID\",\"CAP_KILL\",\"CAP_SETGID\","
                      "\"CAP_SETUID\",\"CAP_NET_BIND_SERVICE\"]";

  cr_assert_not_null (process, "%s", err ? err->msg : "?");
  cr_assert_eq (hr_json_get (hr_json_get (process, "capabilities"), "bounding")->len, 38);
  cr_assert_eq (hr_enforce_process (process, hr_policy_find_profile (policy, "default"), false, &result, &err), 0);
  caps = hr_json_get (process, "capabilities");
  for (size_t i = 0; i < HR_ARRAY_SIZE (sets); i++)
    {
      cleanup_free char *set = hr_json_serialize (hr_json_get (caps, sets[i]), NULL);
      cr_assert_str_eq (set, allow, "%s", sets[i]);
    }
  cr_assert (hr_json_get (caps, "inheritable") == NULL || hr_json_get (caps, "inheritable")->len == 0);
  cr_assert (hr_json_get (caps, "ambient") == NULL || hr_json_get (caps, "ambient")->len == 0);
  cr_assert_eq (hr_json_get (process, "noNewPrivileges")->type, HR_JSON_TRUE);
  cr_assert_eq (result.n_denied, 0);
  cr_assert_eq (result.n_changed, 4, "three capability sets and noNewPrivileges");
  for (size_t i = 0; i < result.len; i++)
    cr_assert (strcmp (result.items[i].rule, "capabilities") == 0
                   || strcmp (result.items[i].rule, "no_new_privileges") == 0,
               "a spec rule ran on an exec: %s", result.items[i].rule);
  cr_assert_eq (result.needs.idmapped_rootfs, false);
  hr_result_clear (&result);
  hr_policy_free (policy);
}

Test (enforce, exec_processes_of_the_fixtures_stay_valid)
{
  size_t count = 0;
  char **files = fake_fixture_list ("*/*/*.process.json", &count);
  hr_error_t err = NULL;
  struct hr_policy *policy = hr_policy_load_default (&err);

  cr_assert_geq (count, 5);
  for (size_t i = 0; i < count; i++)
    {
      size_t len = 0;
      cleanup_free char *text = fake_read_file (files[i], &len);
      cleanup_json struct hr_json *process = hr_json_parse (text, len, &err);
      struct hr_result first = { 0 }, again = { 0 };
      const struct hr_json *nnp;

      cr_assert_not_null (process, "%s", files[i]);
      cr_assert_eq (hr_enforce_process (process, &policy->profiles[0], false, &first, &err), 0, "%s", files[i]);
      cr_assert_eq (first.n_denied, 0, "%s", files[i]);
      nnp = hr_json_get (process, "noNewPrivileges");
      cr_assert (nnp && nnp->type == HR_JSON_TRUE, "%s", files[i]);
      cr_assert_eq (hr_enforce_process (process, &policy->profiles[0], false, &again, &err), 0);
      cr_assert_eq (again.len, 0, "%s: exec hardening is not a fixed point", files[i]);
      hr_result_clear (&first);
      hr_result_clear (&again);
    }
  fake_free_list (files);
  hr_policy_free (policy);
}

/* runc refuses a namespace type listed twice, but hardrun checks every
 * entry (spec_access.c: "the host-namespace rule looks at all of them"):
 * a second entry naming the host's namespace is denied too. */
Test (rule_host_namespaces, every_entry_of_a_type_is_checked)
{
  cleanup_run struct run r
      = run_rule ("host_namespaces", DENY,
                  SPEC (",\"linux\":{\"namespaces\":[" ALL_NS ",{\"type\":\"network\",\"path\":\"/proc/1/ns/net\"}]}"));

  cr_assert_eq (r.result.n_denied, 1);
  assert_decision (&r, HR_OUTCOME_DENIED, "the network namespace \"/proc/1/ns/net\" is the host's");
}

/* Go's decoder: numbers that do not fit their runtime-spec field make runc
 * refuse the spec, so hardrun refuses it first, before any rule runs. */

static void
assert_go_refusal (const char *doc, int mode, const char *needle)
{
  cleanup_run struct run r = run_rule_on ("no_new_privileges", FIX, doc, mode, &host_config);

  cr_assert_lt (r.ret, 0, "accepted: %s", doc);
  cr_assert (strstr (r.err->msg, needle) != NULL, "\"%s\" not in: %s", needle, r.err->msg);
  cr_assert_eq (r.result.len, 0, "a rule ran before the check");
  cr_assert_str_eq (r.text, r.before, "the document changed");
}

Test (go_types, numbers_runc_cannot_decode_are_refused)
{
  assert_go_refusal ("{\"process\":{\"user\":{\"uid\":1e400,\"gid\":0}}}", RUN_SPEC,
                     "process.user.uid: 1e400 is not a valid uint32");
  assert_go_refusal ("{\"process\":{\"user\":{\"uid\":0,\"gid\":1.5}}}", RUN_SPEC, "process.user.gid: 1.5");
  assert_go_refusal ("{\"process\":{\"user\":{\"uid\":4294967296}}}", RUN_SPEC, "uint32");
  assert_go_refusal ("{\"process\":{\"user\":{\"additionalGids\":[1,-1]}}}", RUN_SPEC,
                     "process.user.additionalGids[1]: -1");
  assert_go_refusal (
      "{\"process\":{\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":18446744073709551616,\"soft\":1}]}}", RUN_SPEC,
      "process.rlimits[0].hard");
  assert_go_refusal ("{\"process\":{},\"linux\":{\"devices\":[{\"path\":\"/dev/x\",\"major\":\"1\"}]}}", RUN_SPEC,
                     "linux.devices[0].major: a JSON string");
  assert_go_refusal ("{\"process\":{},\"linux\":{\"uidMappings\":[{\"containerID\":0,\"hostID\":1e3,\"size\":1}]}}",
                     RUN_SPEC, "linux.uidMappings[0].hostID");
  assert_go_refusal ("{\"process\":{},\"linux\":{\"resources\":{\"blockIO\":{\"weight\":65536}}}}", RUN_SPEC, "uint16");
  assert_go_refusal (
      "{\"process\":{},\"linux\":{\"seccomp\":{\"syscalls\":[{\"args\":[{\"index\":0,\"value\":-1}]}]}}}", RUN_SPEC,
      "linux.seccomp.syscalls[0].args[0].value");
  assert_go_refusal ("{\"process\":{},\"hooks\":{\"prestart\":[{\"path\":\"/x\",\"timeout\":0.5}]}}", RUN_SPEC,
                     "hooks.prestart[0].timeout");
  /* Go matches keys case-insensitively, and so does the check */
  assert_go_refusal ("{\"PROCESS\":{\"User\":{\"UID\":2.0}}}", RUN_SPEC, "2.0");
  assert_go_refusal ("{\"user\":{\"uid\":1e1}}", RUN_PROCESS, "process.user.uid: 1e1");
}

Test (go_types, numbers_that_fit_and_null_are_accepted)
{
  cleanup_run struct run r = run_rule_on (
      "no_new_privileges", OFF,
      "{\"process\":{\"oomScoreAdj\":-1000,\"user\":{\"uid\":4294967295,\"gid\":null,\"additionalGids\":[0]},"
      "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":18446744073709551615,\"soft\":0}]},"
      "\"linux\":{\"resources\":{\"memory\":{\"limit\":-1},\"blockIO\":{\"weight\":65535}},"
      "\"devices\":[{\"path\":\"/dev/x\",\"major\":-1,\"minor\":9223372036854775807}]},"
      "\"unknownNumber\":1.5e400}",
      RUN_SPEC, &host_config);

  cr_assert_eq (r.ret, 0, "%s", r.err ? r.err->msg : "");
}

/* secrets */

#define SECRETS(action)                                                                                                \
  "{\"action\":\"" action "\",\"names\":[\"*PASSWORD*\",\"*SECRET*\",\"*TOKEN*\",\"*API_KEY*\"],"                      \
  "\"min_entropy_bits\":48}"
#define AWS_SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define GH_TOKEN "ghp_0123456789abcdefghijABCDEFGHIJ012345"
#define API_TOKEN "Zx9q7LmT2vK8wR4nB6yH1cF5"
#define AWS_KEY_ID "AKIAIOSFODNN7EXAMPLE"
#define LEAKY_SPEC                                                                                                     \
  "{\"process\":{\"args\":[\"app\",\"--api-token=" API_TOKEN "\",\"" AWS_KEY_ID "\",\"--verbose\"],"                   \
  "\"env\":[\"PATH=/usr/bin\",\"AWS_SECRET_ACCESS_KEY=" AWS_SECRET "\",\"GH=" GH_TOKEN "\","                           \
  "\"DB_PASSWORD=changeme\",\"DB_PASSWORD_FILE=/run/secrets/db\",\"SESSION_SECRET=/etc/app/secret\"]}}"

/* No decision may carry a secret's value: they go to logs. */
static void
assert_no_values (const struct run *r)
{
  static const char *const values[] = { AWS_SECRET, GH_TOKEN, API_TOKEN, AWS_KEY_ID, "changeme" };

  for (size_t i = 0; i < r->result.len; i++)
    for (size_t v = 0; v < HR_ARRAY_SIZE (values); v++)
      cr_assert_null (strstr (r->result.items[i].message, values[v]), "a value in: %s", r->result.items[i].message);
}

Test (rule_secrets, audited_by_name_never_by_value)
{
  cleanup_run struct run r = run_rule ("secrets", SECRETS ("audit"), LEAKY_SPEC);

  cr_assert_eq (r.result.len, 4);
  assert_decision (&r, HR_OUTCOME_AUDITED, "env AWS_SECRET_ACCESS_KEY holds a high-entropy value");
  assert_decision (&r, HR_OUTCOME_AUDITED, "env GH holds a GitHub token");
  assert_decision (&r, HR_OUTCOME_AUDITED, "process.args[1] (api-token) holds a high-entropy value");
  assert_decision (&r, HR_OUTCOME_AUDITED, "process.args[2] holds an AWS access key id");
  assert_no_values (&r);
  cr_assert_str_eq (r.text, r.before, "audit changes nothing");
}

Test (rule_secrets, denied_and_on_exec)
{
  cleanup_run struct run spec = run_rule ("secrets", SECRETS ("deny"), LEAKY_SPEC);
  cleanup_run struct run exec = run_rule_on ("secrets", SECRETS ("deny"),
                                             "{\"args\":[\"sh\"],\"env\":[\"T=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0."
                                             "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c\"]}",
                                             RUN_PROCESS, &host_config);

  cr_assert_eq (spec.result.n_denied, 4);
  assert_no_values (&spec);
  cr_assert_eq (exec.ret, 0);
  cr_assert_eq (exec.result.n_denied, 1);
  assert_decision (&exec, HR_OUTCOME_DENIED, "env T holds a JSON Web Token");
}

Test (rule_secrets, token_formats)
{
  static const struct
  {
    const char *value, *kind;
  } tokens[] = {
    { "ASIAY34FZKBOKMUTVV7A", "AWS access key id" },
    { "https://x:" GH_TOKEN "@github.com/o/r", "GitHub token" },
    { "glpat-abcdefghij0123456789", "GitLab token" },
    { "xoxb-123456789012-abcdefABCDEF", "Slack token" },
    { "AIzaSyA1234567890abcdefghijklmnopqrstuv", "Google API key" },
    { "sk_live_0123456789abcdefABCDEFGH", "Stripe secret key" },
    { "-----BEGIN OPENSSH PRIVATE KEY-----\\nb3Blbn==\\n-----END OPENSSH PRIVATE KEY-----", "private key" },
  };

  for (size_t i = 0; i < HR_ARRAY_SIZE (tokens); i++)
    {
      char spec[512];
      cleanup_run struct run r = { 0 };

      snprintf (spec, sizeof spec, "{\"process\":{\"args\":[\"x\"],\"env\":[\"INNOCENT_NAME=%s\"]}}", tokens[i].value);
      r = run_rule ("secrets", SECRETS ("deny"), spec);
      cr_assert_eq (r.result.n_denied, 1, "%s", tokens[i].kind);
      assert_decision (&r, HR_OUTCOME_DENIED, tokens[i].kind);
    }
}

Test (rule_secrets, lower_case_patterns_are_refused)
{
  hr_error_t err = NULL;
  cleanup_free char *text
      = policy_text ("secrets", "{\"action\":\"audit\",\"names\":[\"*password*\"],\"min_entropy_bits\":48}");
  struct hr_policy *policy = hr_policy_load_text (text, strlen (text), "test", &err);

  cr_assert_null (policy);
  cr_assert_not_null (strstr (err->msg, "upper case"), "%s", err->msg);
  hr_error_free (&err);
}

/* quarantine */

#define FIELDS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* both profiles allow the spec's two hooks, so that only the quarantine acts on them */
#define QUARANTINE_HOOKS                                                                                               \
  "\"hooks\":{\"allowed\":[{\"kinds\":[\"prestart\",\"poststop\"],\"executable\":[\"/usr/bin/"                         \
  "dockerd\"],\"args\":[]}]}"
#define QUARANTINE_POLICY                                                                                              \
  "{\"default_profile\":\"t\",\"quarantine_profile\":\"q\",\"profiles\":{"                                             \
  "\"t\":{\"rules\":{\"host_namespaces\":{\"action\":\"quarantine\"}," QUARANTINE_HOOKS "}},"                          \
  "\"q\":{\"rules\":{\"capabilities\":{\"allow\":[]}," QUARANTINE_HOOKS "}}}}"
#define HOST_NET_SPEC(extra)                                                                                           \
  "{\"process\":{\"args\":[\"sh\"],\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_NET_RAW\"]}},"                  \
  "\"root\":{\"path\":\"rootfs\"},\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},"                 \
  "{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"network\",\"path\":\"/proc/1/ns/net\"}]" extra "},"               \
  "\"hooks\":{\"prestart\":[{\"path\":\"/usr/bin/dockerd\"}],\"poststop\":[{\"path\":\"/usr/bin/dockerd\"}]}}"

static struct run
run_quarantine (const char *policy_text, const char *spec)
{
  struct run r = { 0 };
  struct hr_host host;

  r.policy = hr_policy_load_text (policy_text, strlen (policy_text), "test", &r.err);
  cr_assert_not_null (r.policy, "policy: %s", r.err ? r.err->msg : "?");
  r.doc = hr_json_parse (spec, strlen (spec), &r.err);
  cr_assert_not_null (r.doc);
  fake_host_init (&host, &host_config);
  r.ret = hr_enforce_spec (r.doc, hr_policy_find_profile (r.policy, "t"), false, &host, &r.result, &r.err);
  r.text = hr_json_serialize (r.doc, NULL);
  return r;
}

Test (quarantine, runs_isolated_under_the_quarantine_profile)
{
  cleanup_run struct run r = run_quarantine (QUARANTINE_POLICY, HOST_NET_SPEC (""));
  const struct hr_json *net, *bounding;

  cr_assert_eq (r.ret, 0, "%s", r.err ? r.err->msg : "");
  cr_assert (hr_result_quarantined (&r.result));
  cr_assert_str_eq (hr_result_verdict (&r.result), "quarantine");
  cr_assert_eq (r.result.n_denied, 0);
  assert_decision (&r, HR_OUTCOME_QUARANTINED, "the network namespace \"/proc/1/ns/net\" is the host's");
  assert_decision (&r, HR_OUTCOME_CHANGED, "a fresh network namespace in place of /proc/1/ns/net");
  assert_decision (&r, HR_OUTCOME_CHANGED, "the engine's prestart hooks removed");
  /* isolated: the network namespace is a new one, the set-up hook gone, the cleanup hook kept */
  net = hr_json_get_value (hr_json_get_path (r.doc, FIELDS ("linux", "namespaces"))->items[4], "path");
  cr_assert_null (net, "%s", r.text);
  cr_assert_null (hr_json_get_path (r.doc, FIELDS ("hooks", "prestart")));
  cr_assert_not_null (hr_json_get_path (r.doc, FIELDS ("hooks", "poststop")));
  /* and the quarantine profile enforced: no capabilities at all */
  bounding = hr_json_get_path (r.doc, FIELDS ("process", "capabilities", "bounding"));
  cr_assert_eq (bounding->len, 0, "%s", r.text);
}

Test (quarantine, a_deny_still_refuses)
{
  cleanup_run struct run r
      = run_quarantine (QUARANTINE_POLICY, HOST_NET_SPEC (",\"sysctl\":{\"kernel.core_pattern\":\"|/x\"}"));

  cr_assert_eq (r.ret, 0);
  cr_assert_not (hr_result_quarantined (&r.result));
  cr_assert_str_eq (hr_result_verdict (&r.result), "deny");
}

Test (quarantine, a_compliant_spec_is_not_quarantined)
{
  cleanup_run struct run r = run_quarantine (
      QUARANTINE_POLICY, "{\"process\":{\"args\":[\"sh\"],\"capabilities\":{\"bounding\":[\"CAP_CHOWN\"]}},"
                         "\"root\":{\"path\":\"rootfs\"},\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":"
                         "\"mount\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"network\"}]}}");

  cr_assert_eq (r.ret, 0);
  cr_assert_not (hr_result_quarantined (&r.result));
  cr_assert_eq (r.result.n_quarantined, 0);
  /* the normal profile's capabilities, not the quarantine profile's */
  cr_assert_eq (hr_json_get_path (r.doc, FIELDS ("process", "capabilities", "bounding"))->len, 1, "%s", r.text);
}

Test (quarantine, policy_needs_a_quarantine_profile_that_does_not_quarantine)
{
  static const char *const bad[][2] = {
    { "{\"profiles\":{\"default\":{\"rules\":{\"host_namespaces\":{\"action\":\"quarantine\"}}}}}",
      "names no quarantine_profile" },
    { "{\"quarantine_profile\":\"nope\"}", "quarantine_profile: no profile named \"nope\"" },
    { "{\"quarantine_profile\":\"default\",\"profiles\":{\"default\":{\"rules\":{\"privileged\":{\"action\":"
      "\"quarantine\"}}}}}",
      "has a rule whose action is quarantine itself" },
  };

  for (size_t i = 0; i < HR_ARRAY_SIZE (bad); i++)
    {
      hr_error_t err = NULL;
      struct hr_policy *policy = hr_policy_load_text (bad[i][0], strlen (bad[i][0]), "test", &err);
      cr_assert_null (policy, "%s", bad[i][0]);
      cr_assert_not_null (strstr (err->msg, bad[i][1]), "%s", err->msg);
      hr_error_free (&err);
    }
}

/* seccomp learning */

#define SECCOMP_RULE(extra) "{\"action\":\"fix\",\"must_deny\":[\"mount\",\"unshare\"]," extra "}"

Test (rule_seccomp, learn_mode_logs_all_but_the_floor_and_must_deny)
{
  cleanup_run struct run r = { 0 };

  /* SCMP_ACT_LOG needs libseccomp API level 3 (valgrind, for one, hides
   * the seccomp(2) that libseccomp probes for it) */
  if (seccomp_api_get () < 3)
    cr_skip_test ("libseccomp API level %u here: SCMP_ACT_LOG cannot be compiled", seccomp_api_get ());
  r = run_rule ("seccomp", SECCOMP_RULE ("\"mode\":\"learn\",\"profile\":\"\""), "{\"process\":{\"args\":[\"sh\"]}}");
  const struct hr_json *seccomp = hr_json_get_path (r.doc, FIELDS ("linux", "seccomp"));
  const struct hr_json *rules = hr_json_get (seccomp, "syscalls");

  cleanup_free char *denied = NULL;

  cr_assert_str_eq (hr_json_get (seccomp, "defaultAction")->text, "SCMP_ACT_LOG");
  cr_assert (rules->len > 2);
  cr_assert (allowed_by (seccomp, "read"));
  for (size_t i = 0; i < rules->len; i++)
    if (hr_json_strings_contain (hr_json_get (rules->items[i], "names"), "mount"))
      denied = hr_json_serialize (rules->items[i], NULL);
  cr_assert_not_null (denied);
  cr_assert (strstr (denied, "\"SCMP_ACT_ERRNO\"") != NULL, "%s", denied);
  assert_decision (&r, HR_OUTCOME_CHANGED, "learning");
}

Test (rule_seccomp, learned_profile_is_the_floor_and_what_was_seen)
{
  struct hr_strv seen = { 0 };
  cleanup_json struct hr_json *profile = NULL;
  const struct hr_json *names;
  hr_error_t err = NULL;

  hr_strv_push (&seen, "uname");
  hr_strv_push (&seen, "read"); /* in the floor already: listed once */
  hr_strv_push (&seen, "mkdir");
  profile = hr_seccomp_learned_profile (&seen);
  names = hr_json_get (hr_json_get (profile, "syscalls")->items[0], "names");
  cr_assert_str_eq (hr_json_get (profile, "defaultAction")->text, "SCMP_ACT_ERRNO");
  cr_assert (hr_json_strings_contain (names, "uname") && hr_json_strings_contain (names, "mkdir"));
  for (size_t i = 1; i < names->len; i++)
    cr_assert (strcmp (names->items[i - 1]->text, names->items[i]->text) < 0, "sorted, no duplicates");
  cr_assert_eq (hr_seccomp_compile (profile, &err), 0, "%s", err ? err->msg : "");
  hr_strv_clear (&seen);
}

/* The policy library reads no file: runtime/ reads the profile a seccomp
 * rule names and attaches its text. */
Test (rule_seccomp, a_profile_file_is_merged_with_the_spec_profile_without_must_deny)
{
  static const char path[] = "/etc/hardrun/learned.json";
  static const char profile[] = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\",\"write\","
                                "\"mount\",\"mkdir\"],\"action\":\"SCMP_ACT_ALLOW\"}]}";
  static const char spec[] = "{\"process\":{\"args\":[\"sh\"]},\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_"
                             "ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_KILL\"}]}}}";
  cleanup_free char *rule = NULL;
  cleanup_free char *ptext = NULL;
  cleanup_free char *bad_rule = NULL;
  cleanup_free char *bad_policy = NULL;
  cleanup_free char *mkdir_rule = NULL;
  cleanup_json struct hr_json *doc = hr_json_parse (spec, sizeof spec - 1, NULL);
  struct hr_result result = { 0 };
  struct hr_strv files = { 0 };
  struct hr_policy *policy;
  struct hr_host host;
  hr_error_t err = NULL;
  const struct hr_json *seccomp;

  xasprintf (&rule, SECCOMP_RULE ("\"mode\":\"enforce\",\"profile\":\"%s\""), path);
  ptext = policy_text ("seccomp", rule);
  policy = hr_policy_load_text (ptext, strlen (ptext), "test", &err);
  cr_assert_not_null (policy, "%s", err ? err->msg : "");
  hr_policy_named_files (policy, &files);
  cr_assert_eq (files.len, 1);
  cr_assert_str_eq (files.items[0], path);
  hr_strv_clear (&files);
  /* not attached: the rule fails closed */
  fake_host_init (&host, &host_config);
  cr_assert_lt (hr_enforce_spec (doc, hr_policy_find_profile (policy, "t"), false, &host, &result, &err), 0);
  cr_assert_not_null (strstr (err->msg, "was not loaded"), "%s", err->msg);
  hr_error_free (&err);
  hr_result_clear (&result);
  cr_assert_eq (hr_policy_attach_file (policy, path, profile, sizeof profile - 1, &err), 0);
  cr_assert_eq (hr_enforce_spec (doc, hr_policy_find_profile (policy, "t"), false, &host, &result, &err), 0, "%s",
                err ? err->msg : "");
  seccomp = hr_json_get_path (doc, FIELDS ("linux", "seccomp"));
  cr_assert (allowed_by (seccomp, "read"));
  cr_assert_not (allowed_by (seccomp, "mount"), "must-deny");
  cr_assert_not (allowed_by (seccomp, "openat"), "the profile file does not allow it");
  mkdir_rule = rule_for (seccomp, "mkdir");
  cr_assert_str_eq (mkdir_rule, "{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_KILL\"}", "the spec's kill stays");
  hr_result_clear (&result);
  /* a file that is not a profile runc could load fails the policy */
  cr_assert_lt (hr_policy_attach_file (policy, path, "{\"defaultAction\":\"NOPE\"}", 24, &err), 0);
  cr_assert_not_null (strstr (err->msg, path), "%s", err->msg);
  hr_error_free (&err);
  hr_policy_free (policy);
  xasprintf (&bad_rule, SECCOMP_RULE ("\"mode\":\"guess\",\"profile\":\"\""));
  bad_policy = policy_text ("seccomp", bad_rule);
  cr_assert_null (hr_policy_load_text (bad_policy, strlen (bad_policy), "test", &err));
  cr_assert_not_null (strstr (err->msg, "neither \"enforce\" nor \"learn\""), "%s", err->msg);
  hr_error_free (&err);
}

Test (quarantine, an_exec_cannot_be_quarantined_it_is_refused)
{
  static const char policy_text[] = "{\"default_profile\":\"t\",\"quarantine_profile\":\"q\",\"profiles\":{"
                                    "\"t\":{\"rules\":{\"no_new_privileges\":{\"action\":\"quarantine\"}}},\"q\":{}}}";
  static const char process_text[] = "{\"args\":[\"sh\"],\"noNewPrivileges\":false}";
  hr_error_t err = NULL;
  struct hr_policy *policy = hr_policy_load_text (policy_text, strlen (policy_text), "test", &err);
  struct hr_json *process = hr_json_parse (process_text, strlen (process_text), &err);
  struct hr_result result = { 0 };

  cr_assert_not_null (policy, "%s", err ? err->msg : "");
  cr_assert_eq (hr_enforce_process (process, hr_policy_find_profile (policy, "t"), false, &result, &err), 0);
  cr_assert_eq (result.n_denied, 1);
  cr_assert_eq (result.n_quarantined, 0);
  cr_assert_str_eq (hr_result_verdict (&result), "deny");
  hr_result_clear (&result);
  hr_json_free (process);
  hr_policy_free (policy);
}

/* process_limits */

Test (rule_process_limits, hard_limits_held_to_the_engine_defaults)
{
  cleanup_run struct run fix = run_rule (
      "process_limits", FIX,
      "{\"process\":{\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":18446744073709551615,\"soft\":2000000},"
      "{\"type\":\"RLIMIT_RTPRIO\",\"hard\":99,\"soft\":0},{\"type\":\"RLIMIT_NOFILE\",\"hard\":1048576,"
      "\"soft\":1024},{\"type\":\"RLIMIT_CORE\",\"hard\":18446744073709551615,\"soft\":0}]}}");
  cleanup_run struct run deny
      = run_rule ("process_limits", DENY,
                  "{\"process\":{\"rlimits\":[{\"type\":\"RLIMIT_MEMLOCK\",\"hard\":9000000,\"soft\":0}]}}");
  /* podman's and ctr's own defaults pass untouched */
  cleanup_run struct run engines
      = run_rule ("process_limits", DENY,
                  "{\"process\":{\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1048576,\"soft\":1048576},"
                  "{\"type\":\"RLIMIT_NPROC\",\"hard\":4194304,\"soft\":4194304}],\"oomScoreAdj\":1000}}");

  cr_assert_str_eq (fix.text,
                    "{\"process\":{\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1048576,\"soft\":1048576},"
                    "{\"type\":\"RLIMIT_RTPRIO\",\"hard\":0,\"soft\":0},{\"type\":\"RLIMIT_NOFILE\",\"hard\":"
                    "1048576,\"soft\":1024},{\"type\":\"RLIMIT_CORE\",\"hard\":18446744073709551615,"
                    "\"soft\":0}]}}");
  cr_assert_eq (fix.result.n_changed, 2);
  assert_decision (&fix, HR_OUTCOME_CHANGED,
                   "RLIMIT_RTPRIO hard limit 99 is above the policy's ceiling 0: lowered to it");
  cr_assert_eq (deny.result.n_denied, 1);
  cr_assert_eq (engines.result.len, 0);
}

Test (rule_process_limits, oom_score_adj_floor)
{
  cleanup_run struct run fix = run_rule ("process_limits", FIX, "{\"process\":{\"oomScoreAdj\":-999}}");
  cleanup_run struct run exec
      = run_rule_on ("process_limits", DENY, "{\"args\":[\"sh\"],\"oomScoreAdj\":-1}", RUN_PROCESS, &host_config);
  /* a policy may allow Kubernetes' Guaranteed pods */
  cleanup_run struct run k8s = run_rule ("process_limits", "{\"action\":\"deny\",\"oom_score_adj_min\":-998}",
                                         "{\"process\":{\"oomScoreAdj\":-997}}");

  cr_assert_str_eq (fix.text, "{\"process\":{\"oomScoreAdj\":0}}");
  assert_decision (&fix, HR_OUTCOME_CHANGED, "oomScoreAdj -999 is below the policy's floor 0");
  cr_assert_eq (exec.result.n_denied, 1);
  cr_assert_eq (k8s.result.len, 0);
}

Test (rule_process_limits, settings_are_validated)
{
  static const char *const bad[] = {
    "{\"action\":\"fix\",\"oom_score_adj_min\":-1001}",
    "{\"action\":\"fix\",\"rlimits\":[{\"type\":\"RLIMIT_NOPE\",\"max\":1}]}",
    "{\"action\":\"fix\",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"max\":-1}]}",
    "{\"action\":\"fix\",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\"}]}",
  };

  for (size_t i = 0; i < HR_ARRAY_SIZE (bad); i++)
    {
      cleanup_free char *text = policy_text ("process_limits", bad[i]);
      hr_error_t err = NULL;
      struct hr_policy *policy = hr_policy_load_text (text, strlen (text), "test", &err);

      cr_assert_null (policy, "%s", bad[i]);
      hr_error_free (&err);
    }
}

/* process_labels */

Test (rule_process_labels, unconfined_container_and_exec_labels)
{
  cleanup_run struct run deny = run_rule ("process_labels", FIX, "{\"process\":{\"apparmorProfile\":\"unconfined\"}}");
  cleanup_run struct run fix
      = run_rule ("process_labels", "{\"action\":\"fix\",\"apparmor_profile\":\"docker-default\"}",
                  "{\"process\":{\"apparmorProfile\":\"unconfined\",\"selinuxLabel\":\"x\"}}");
  cleanup_run struct run exec = run_rule_on (
      "process_labels", FIX,
      "{\"args\":[\"sh\"],\"apparmorProfile\":\"unconfined\",\"selinuxLabel\":\"system_u:system_r:spc_t:s0\"}",
      RUN_PROCESS, &host_config);

  cr_assert_eq (deny.result.n_denied, 1);
  assert_decision (&deny, HR_OUTCOME_DENIED, "AppArmor profile \"unconfined\"");
  cr_assert_str_eq (fix.text, "{\"process\":{\"apparmorProfile\":\"docker-default\",\"selinuxLabel\":\"x\"}}");
  cr_assert_str_eq (exec.text, "{\"args\":[\"sh\"]}");
  cr_assert_eq (exec.result.n_changed, 2);
}

/* process_cwd on a real rootfs: symlinks in the image are followed as the
 * kernel will follow them inside the container, dangling ones too. */
Test (rule_process_cwd, symlinks_resolved_inside_the_rootfs)
{
  static const char *const cases[][2] = {
    { "/app", "/proc/self/fd/7" },       { "/app/sub", "/proc/self/fd/7/sub" },
    { "/rel/x", "/proc/1/cwd/x" },       { "/chain", "/proc/self/fd/7" },
    { "/var/run", "/var/run" },          { "/loop", "/loop" },
    { "/up/../app", "/proc/self/fd/7" }, { "/dir/../../app", "/proc/self/fd/7" },
  };
  char root[] = "/tmp/hardrun-cwd-XXXXXX";
  cleanup_free char *policy_json = policy_text ("process_cwd", DENY);
  cleanup_policy struct hr_policy *policy = NULL;
  hr_error_t err = NULL;
  struct hr_host host;
  char path[256];

  /* valgrind 3.19 does not know openat2(2), which the resolution needs */
  if (syscall (SYS_openat2, AT_FDCWD, ".", NULL, 0) < 0 && errno == ENOSYS)
    cr_skip_test ("openat2(2) is not available here");
  cr_assert_not_null (mkdtemp (root));
  policy = hr_policy_load_text (policy_json, strlen (policy_json), "test", &err);
  cr_assert_not_null (policy);
  snprintf (path, sizeof path, "%s/proc", root);
  mkdir (path, 0755);
  snprintf (path, sizeof path, "%s/dir", root);
  mkdir (path, 0755);
  snprintf (path, sizeof path, "%s/up", root);
  mkdir (path, 0755);
  snprintf (path, sizeof path, "%s/app", root);
  cr_assert_eq (symlink ("/proc/self/fd/7", path), 0);
  snprintf (path, sizeof path, "%s/rel", root);
  cr_assert_eq (symlink ("proc/1/cwd", path), 0);
  snprintf (path, sizeof path, "%s/chain", root);
  cr_assert_eq (symlink ("dir/../app", path), 0);
  snprintf (path, sizeof path, "%s/loop", root);
  cr_assert_eq (symlink ("loop", path), 0);
  hr_host_init (&host, NULL);
  for (size_t i = 0; i < HR_ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *resolved = hr_resolve_cwd (&host, root, cases[i][0]);
      char spec[512];
      struct hr_result result = { 0 };
      cleanup_json struct hr_json *doc = NULL;

      cr_assert_str_eq (resolved, cases[i][1], "%s", cases[i][0]);
      snprintf (spec, sizeof spec, "{\"process\":{\"cwd\":\"%s\"},\"root\":{\"path\":\"%s\"}}", cases[i][0], root);
      doc = hr_json_parse (spec, strlen (spec), &err);
      cr_assert_eq (hr_enforce_spec (doc, &policy->profiles[0], false, &host, &result, &err), 0);
      cr_assert_eq (result.n_denied, hr_has_prefix (cases[i][1], "/proc/") ? 1 : 0, "%s", cases[i][0]);
      hr_result_clear (&result);
    }
  snprintf (path, sizeof path, "rm -rf '%s'", root);
  cr_assert_eq (system (path), 0);
}
