/* Each rule alone: every other rule off, a small spec, and assertions on
 * both the decisions and the resulting document; then what deny, audit and
 * audit mode do with the same violation. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "fake_host.h"
#include "hardrun/enforce.h"
#include "hardrun/json.h"
#include "hardrun/policy.h"
#include "hardrun/util.h"

struct run
{
  struct hr_policy *policy;
  struct hr_json *doc;
  struct hr_result result;
  char *text; /* the document after enforcement */
  int ret;
  hr_error_t err;
};

static const char *const host_ns[] = { "/proc/1/ns/*", "/var/run/docker/netns/default", NULL };
static const char *const broken_ns[] = { "/proc/999/ns/*", NULL };
static const struct fake_link links[] = { { "/var/run", "/run" }, { "/srv/etc-link", "/etc" }, { NULL, NULL } };
static const char *const missing[] = { "/var/tmp", NULL };
static const struct fake_host_config host_config = { host_ns, broken_ns, links, missing };

/* The policy text: every rule off but `rule`, which gets `rule_json`. */
static char *
policy_text (const char *rule, const char *rule_json)
{
  char *text = xstrdup ("{\"profiles\":{\"default\":{\"rules\":{");
  for (size_t i = 0; i < hr_rule_count (); i++)
    {
      char *next;
      const char *name = hr_rule_name (i);
      xasprintf (&next, "%s%s\"%s\":%s", text, i ? "," : "", name,
                 strcmp (name, rule) == 0 ? rule_json : "{\"action\":\"off\"}");
      free (text);
      text = next;
    }
  char *done;
  xasprintf (&done, "%s}}}}", text);
  free (text);
  return done;
}

static struct run
enforce (const char *rule, const char *rule_json, const char *spec, bool process_only, bool audit_mode)
{
  struct run r = { 0 };
  struct hr_host host;
  char *ptext = policy_text (rule, rule_json);

  r.policy = hr_policy_load_text (ptext, strlen (ptext), "test", &r.err);
  free (ptext);
  cr_assert_not_null (r.policy, "%s", r.err ? r.err->msg : "");
  r.doc = hr_json_parse (spec, strlen (spec), &r.err);
  cr_assert_not_null (r.doc, "%s", r.err ? r.err->msg : "");
  fake_host_init (&host, &host_config);
  r.ret = process_only ? hr_enforce_process (r.doc, &r.policy->profiles[0], audit_mode, &r.result, &r.err)
                       : hr_enforce_spec (r.doc, &r.policy->profiles[0], audit_mode, &host, &r.result, &r.err);
  r.text = hr_json_serialize (r.doc, NULL);
  return r;
}

static void
done (struct run *r)
{
  hr_result_clear (&r->result);
  hr_json_free (r->doc);
  hr_policy_free (r->policy);
  hr_error_free (&r->err);
  free (r->text);
}

static bool
has_decision (const struct run *r, enum hr_outcome outcome, const char *needle)
{
  for (size_t i = 0; i < r->result.len; i++)
    if (r->result.items[i].outcome == outcome && strstr (r->result.items[i].message, needle))
      return true;
  return false;
}

#define FIX "{\"action\":\"fix\"}"
#define DENY "{\"action\":\"deny\"}"
#define AUDIT "{\"action\":\"audit\"}"
#define BASE_PROCESS "\"process\":{\"cwd\":\"/\",\"args\":[\"true\"]}"
#define SPEC(...) "{" BASE_PROCESS ",\"root\":{\"path\":\"rootfs\"}" __VA_ARGS__ "}"

Test (rules, capabilities_cut_to_the_allowlist)
{
  struct run r
      = enforce ("capabilities", FIX,
                 "{\"process\":{\"cwd\":\"/\",\"args\":[\"true\"],\"capabilities\":{"
                 "\"bounding\":[\"CAP_CHOWN\",\"CAP_SYS_ADMIN\",\"CAP_KILL\"],\"effective\":[\"CAP_SYS_ADMIN\"],"
                 "\"permitted\":[\"CAP_KILL\"],\"inheritable\":[\"CAP_KILL\"],\"ambient\":[\"CAP_KILL\"]}}}",
                 false, false);
  cr_assert_eq (r.ret, 0);
  cr_assert_str_eq (r.text, "{\"process\":{\"cwd\":\"/\",\"args\":[\"true\"],\"capabilities\":{\"bounding\":[\"CAP_"
                            "CHOWN\",\"CAP_KILL\"],\"effective\":[],\"permitted\":[\"CAP_KILL\"],\"inheritable\":[],"
                            "\"ambient\":[]}}}");
  cr_assert (has_decision (&r, HR_OUTCOME_CHANGED, "bounding capabilities dropped: CAP_SYS_ADMIN"));
  done (&r);
}

Test (rules, no_new_privileges_and_cwd_for_exec_processes)
{
  size_t len;
  char *text = fake_read_file (FIXTURES_DIR "/docker-20.10/exec/04-exec.process.json", &len);
  struct run r = enforce ("no_new_privileges", FIX, text, true, false);

  cr_assert (strstr (r.text, "\"noNewPrivileges\":true"));
  done (&r);
  r = enforce ("capabilities", FIX, text, true, false);
  cr_assert_null (strstr (r.text, "CAP_SYS_ADMIN"), "exec --privileged keeps nothing beyond the allowlist");
  cr_assert (strstr (r.text, "\"bounding\":[\"CAP_CHOWN\",\"CAP_DAC_OVERRIDE\",\"CAP_FOWNER\",\"CAP_FSETID\",\"CAP_"
                             "KILL\",\"CAP_SETGID\",\"CAP_SETUID\",\"CAP_NET_BIND_SERVICE\"]"));
  done (&r);
  free (text);
  static const char *const bad_cwd[] = { "/proc/self/fd/7", "/proc/1/cwd", "//proc/./self/fd/../fd/3" };
  static const char *const good_cwd[] = { "/proc", "/work", "/procfs/1/fd" };
  for (size_t i = 0; i < HR_ARRAY_SIZE (bad_cwd); i++)
    {
      char spec[256];
      snprintf (spec, sizeof spec, "{\"cwd\":\"%s\",\"args\":[\"sh\"]}", bad_cwd[i]);
      r = enforce ("process_cwd", DENY, spec, true, false);
      cr_assert_eq (r.result.n_denied, 1, "%s", bad_cwd[i]);
      done (&r);
    }
  for (size_t i = 0; i < HR_ARRAY_SIZE (good_cwd); i++)
    {
      char spec[256];
      snprintf (spec, sizeof spec, "{\"cwd\":\"%s\",\"args\":[\"sh\"]}", good_cwd[i]);
      r = enforce ("process_cwd", DENY, spec, true, false);
      cr_assert_eq (r.result.len, 0, "%s", good_cwd[i]);
      done (&r);
    }
}

Test (rules, readonly_rootfs_and_tmpfs_before_mounts_below)
{
  struct run r = enforce ("readonly_rootfs", FIX,
                          SPEC (",\"mounts\":[{\"destination\":\"/run/secrets\",\"type\":\"bind\",\"source\":\"/s\"}]"),
                          false, false);
  const char *tmpfs_run = strstr (r.text, "\"destination\":\"/run\"");
  const char *secrets = strstr (r.text, "\"destination\":\"/run/secrets\"");

  cr_assert (strstr (r.text, "\"readonly\":true"));
  cr_assert (strstr (r.text, "\"destination\":\"/tmp\",\"type\":\"tmpfs\""));
  cr_assert (tmpfs_run && secrets && tmpfs_run < secrets, "the tmpfs at /run must come before /run/secrets: %s",
             r.text);
  cr_assert_null (strstr (r.text, "/var/tmp"), "no mount point the image lacks");
  done (&r);
}

Test (rules, user_namespace_added_fixed_or_kept)
{
  struct run r = enforce ("user_namespace", FIX,
                          SPEC (",\"linux\":{\"namespaces\":[{\"type\":\"pid\"}],\"sysctl\":{\"net.ipv4.ping_group_"
                                "range\":\"0 2147483647\"}}"),
                          false, false);
  cr_assert (strstr (r.text, "{\"type\":\"user\"}"));
  cr_assert (strstr (r.text, "\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}]"));
  cr_assert (strstr (r.text, "\"gidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}]"));
  cr_assert (strstr (r.text, "\"net.ipv4.ping_group_range\":\"0 65535\""));
  cr_assert (r.result.needs.idmapped_rootfs);
  done (&r);
  r = enforce (
      "user_namespace", FIX,
      SPEC (",\"linux\":{\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":0,\"hostID\":0,"
            "\"size\":65536}],\"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]}"),
      false, false);
  cr_assert (has_decision (&r, HR_OUTCOME_CHANGED, "maps host id 0"));
  cr_assert_null (strstr (r.text, "\"hostID\":0,"));
  done (&r);
  r = enforce ("user_namespace", FIX,
               SPEC (",\"linux\":{\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":0,\"hostID\":"
                     "1000,\"size\":1}],\"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]}"),
               false, false);
  cr_assert_eq (r.result.len, 0, "a rootless engine's own safe mapping is kept");
  done (&r);
  r = enforce ("user_namespace", FIX,
               SPEC (",\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"/proc/4242/ns/net\"}]}"), false,
               false);
  cr_assert (strstr (r.text, "{\"type\":\"user\",\"path\":\"/proc/4242/ns/user\"}"), "%s", r.text);
  cr_assert_str_eq (r.result.needs.join_userns, "/proc/4242/ns/user");
  done (&r);
}

Test (rules, host_namespaces)
{
  struct run r = enforce ("host_namespaces", DENY,
                          SPEC (",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},"
                                "{\"type\":\"mount\"}]}"),
                          false, false);
  cr_assert (has_decision (&r, HR_OUTCOME_DENIED, "no network namespace"));
  cr_assert_eq (r.result.n_denied, 1);
  done (&r);
  r = enforce ("host_namespaces", DENY,
               SPEC (",\"linux\":{\"namespaces\":[{\"type\":\"pid\",\"path\":\"/proc/1/ns/pid\"},{\"type\":\"ipc\"},"
                     "{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"network\",\"path\":\"/proc/999/ns/net\"}]}"),
               false, false);
  cr_assert (has_decision (&r, HR_OUTCOME_DENIED, "pid namespace \"/proc/1/ns/pid\" is the host's"));
  cr_assert (has_decision (&r, HR_OUTCOME_DENIED, "cannot verify"), "unverifiable fails closed");
  done (&r);
  r = enforce ("host_namespaces", "{\"action\":\"deny\",\"allow_host\":[\"network\",\"uts\"]}",
               SPEC (",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"ipc\"},{\"type\":\"mount\"}]}"), false,
               false);
  cr_assert_eq (r.result.len, 0);
  done (&r);
}

struct mount_case
{
  const char *source;
  bool denied;
};

Test (rules, sensitive_mounts)
{
  static const struct mount_case cases[] = {
    { "/var/run/docker.sock", true },
    { "/run/docker.sock", true },
    { "/etc", true },
    { "/etc/shadow", true },
    { "/var", true },
    { "/", true },
    { "/proc/1/root", true },
    { "/srv/etc-link/passwd", true },
    { "/home/x/project", false },
    { "/var/lib/docker/containers/abc/hosts", false },
    { "/var/lib/kubelet/pods/u/volumes/kubernetes.io~empty-dir/data", false },
    { "/var/lib/docker/containers/abc/../../volumes/x", true },
    { "relative/dir", true },
  };
  for (size_t i = 0; i < HR_ARRAY_SIZE (cases); i++)
    {
      char spec[512];
      struct run r;

      snprintf (
          spec, sizeof spec,
          SPEC (",\"mounts\":[{\"destination\":\"/x\",\"type\":\"bind\",\"source\":\"%s\",\"options\":[\"rbind\"]}]"),
          cases[i].source);
      r = enforce ("sensitive_mounts", DENY, spec, false, false);
      cr_assert_eq (r.result.n_denied > 0, cases[i].denied, "%s: %zu denials", cases[i].source, r.result.n_denied);
      done (&r);
    }
  struct run r = enforce ("sensitive_mounts", DENY,
                          SPEC (",\"mounts\":[{\"destination\":\"/d\",\"type\":\"ext4\",\"source\":\"/dev/vda\"}]"),
                          false, false);
  cr_assert (has_decision (&r, HR_OUTCOME_DENIED, "type \"ext4\""));
  done (&r);
  r = enforce ("sensitive_mounts", FIX, "{" BASE_PROCESS ",\"root\":{\"path\":\"/\"}}", false, false);
  cr_assert_eq (r.result.n_denied, 1, "a host-root rootfs cannot be fixed, only refused");
  done (&r);
}

Test (rules, bind_options)
{
  struct run r
      = enforce ("bind_options", FIX,
                 SPEC (",\"mounts\":[{\"destination\":\"/x\",\"type\":\"bind\",\"source\":\"/s\",\"options\":["
                       "\"rbind\",\"dev\",\"suid\",\"rshared\"]}],\"linux\":{\"rootfsPropagation\":\"shared\"}"),
                 false, false);
  cr_assert (strstr (r.text, "\"options\":[\"rbind\",\"nosuid\",\"nodev\"]"), "%s", r.text);
  cr_assert_null (strstr (r.text, "rootfsPropagation"));
  done (&r);
}

Test (rules, masked_paths_pids_sysctls)
{
  struct run r = enforce ("masked_paths", FIX, SPEC (",\"linux\":{\"maskedPaths\":[\"/proc/kcore\"]}"), false, false);
  cr_assert (strstr (r.text, "\"/proc/keys\""));
  cr_assert (strstr (r.text, "\"readonlyPaths\":[\"/proc/bus\""));
  done (&r);
  static const char *const limits[] = { "", ",\"linux\":{\"resources\":{\"pids\":{\"limit\":0}}}",
                                        ",\"linux\":{\"resources\":{\"pids\":{\"limit\":-1}}}" };
  for (size_t i = 0; i < HR_ARRAY_SIZE (limits); i++)
    {
      char spec[512];
      snprintf (spec, sizeof spec, SPEC ("%s"), limits[i]);
      r = enforce ("pids_limit", FIX, spec, false, false);
      cr_assert (strstr (r.text, "\"pids\":{\"limit\":4096}"), "%s", r.text);
      done (&r);
    }
  r = enforce ("pids_limit", FIX, SPEC (",\"linux\":{\"resources\":{\"pids\":{\"limit\":100}}}"), false, false);
  cr_assert_eq (r.result.len, 0);
  done (&r);
  r = enforce ("sysctls", DENY,
               SPEC (",\"linux\":{\"sysctl\":{\"net.ipv4.ip_forward\":\"1\",\"net.ipv4.ping_group_range\":\"0 0\"}}"),
               false, false);
  cr_assert (has_decision (&r, HR_OUTCOME_DENIED, "net.ipv4.ip_forward"));
  cr_assert_eq (r.result.n_denied, 1);
  done (&r);
}

Test (rules, devices_and_privileged)
{
  struct run r = enforce (
      "devices", DENY,
      SPEC (
          ",\"linux\":{\"devices\":[{\"path\":\"/dev/fuse\",\"type\":\"c\",\"major\":10,\"minor\":229},{\"path\":\"/"
          "dev/null\",\"type\":\"c\",\"major\":1,\"minor\":3}],\"resources\":{\"devices\":[{\"allow\":false,\"access\":"
          "\"rwm\"},{\"allow\":true,\"type\":\"c\",\"major\":10,\"minor\":229,\"access\":\"rwm\"},{\"allow\":true,"
          "\"type\":\"c\",\"major\":136,\"minor\":5,\"access\":\"rwm\"}]}}"),
      false, false);
  cr_assert (has_decision (&r, HR_OUTCOME_DENIED, "device /dev/fuse (c 10:229)"));
  cr_assert (has_decision (&r, HR_OUTCOME_DENIED, "c 10:229 rwm"));
  cr_assert_eq (r.result.n_denied, 2, "/dev/null and c 136:5 are engine defaults");
  done (&r);
  r = enforce (
      "privileged", FIX,
      SPEC (",\"mounts\":[{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\",\"options\":["
            "\"rw\"]}],\"linux\":{\"devices\":[{\"path\":\"/dev/kmsg\",\"type\":\"c\",\"major\":1,\"minor\":11}],"
            "\"resources\":{\"devices\":[{\"allow\":true,\"access\":\"rwm\"}]}}"),
      false, false);
  cr_assert (has_decision (&r, HR_OUTCOME_CHANGED, "privileged container"));
  cr_assert_null (strstr (r.text, "/dev/kmsg"));
  cr_assert (strstr (r.text, "\"devices\":[{\"allow\":false,\"access\":\"rwm\"},{\"allow\":true,\"type\":\"c\""));
  cr_assert (strstr (r.text, "\"options\":[\"ro\"]"), "%s", r.text);
  done (&r);
}

Test (rules, seccomp_default_and_existing_profiles)
{
  struct run r = enforce ("seccomp", FIX, SPEC (""), false, false);
  cr_assert (strstr (r.text, "\"defaultAction\":\"SCMP_ACT_ERRNO\""));
  cr_assert (strstr (r.text, "{\"names\":[\"clone3\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38}"));
  static const char *const denied[]
      = { "\"mount\"", "\"unshare\"", "\"keyctl\"", "\"io_uring_setup\"", "\"bpf\"", "requires_capabilities" };
  for (size_t i = 0; i < HR_ARRAY_SIZE (denied); i++)
    cr_assert_null (strstr (r.text, denied[i]), "%s is allowed", denied[i]);
  done (&r);
  r = enforce ("seccomp", FIX, SPEC (",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\"}}"), false, false);
  cr_assert (has_decision (&r, HR_OUTCOME_CHANGED, "replaced by the default profile"));
  done (&r);
  r = enforce ("seccomp", FIX,
               SPEC (",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\","
                     "\"mount\",\"clone\"],\"action\":\"SCMP_ACT_ALLOW\"}]}}"),
               false, false);
  cr_assert (strstr (r.text, "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}"), "%s", r.text);
  cr_assert (strstr (r.text, "\"value\":2114060288"), "clone is masked");
  cr_assert (strstr (r.text, "\"errnoRet\":38"));
  done (&r);
  r = enforce ("seccomp", FIX, SPEC (",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_BOGUS\"}}"), false, false);
  cr_assert_eq (r.ret, -1);
  cr_assert (strstr (r.err->msg, "seccomp"));
  done (&r);
  r = enforce ("seccomp", FIX,
               SPEC (",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_"
                     "NOPE\"]}}"),
               false, false);
  cr_assert_eq (r.ret, -1);
  cr_assert (strstr (r.err->msg, "SCMP_ARCH_NOPE"), "%s", r.err->msg);
  done (&r);
}

Test (rules, hooks)
{
  struct run r = enforce (
      "hooks", DENY, SPEC (",\"hooks\":{\"prestart\":[{\"path\":\"/bin/sh\"}],\"startContainer\":[{\"path\":\"/x\"}]}"),
      false, false);
  cr_assert_eq (r.result.n_denied, 1, "startContainer hooks run inside the container");
  cr_assert (has_decision (&r, HR_OUTCOME_DENIED, "prestart hook \"/bin/sh\""));
  done (&r);
}

Test (rules, deny_audit_and_audit_mode_leave_the_document)
{
  const char *spec = "{\"process\":{\"cwd\":\"/\",\"args\":[\"true\"],\"noNewPrivileges\":false}}";
  struct run r = enforce ("no_new_privileges", DENY, spec, false, false);

  cr_assert_str_eq (r.text, spec);
  cr_assert_eq (r.result.n_denied, 1);
  done (&r);
  r = enforce ("no_new_privileges", AUDIT, spec, false, false);
  cr_assert_str_eq (r.text, spec);
  cr_assert (has_decision (&r, HR_OUTCOME_AUDITED, "noNewPrivileges"));
  cr_assert_eq (r.result.n_denied + r.result.n_changed, 0);
  done (&r);
  r = enforce ("no_new_privileges", FIX, spec, false, true);
  cr_assert_str_eq (r.text, spec, "audit mode changes nothing");
  cr_assert (has_decision (&r, HR_OUTCOME_AUDITED, "noNewPrivileges"));
  done (&r);
  r = enforce ("no_new_privileges", "{\"action\":\"off\"}", spec, false, false);
  cr_assert_eq (r.result.len, 0);
  done (&r);
}

Test (rules, case_variant_keys_are_read_as_go_reads_them)
{
  struct run r = enforce ("no_new_privileges", FIX,
                          "{\"PROCESS\":{\"cwd\":\"/\",\"args\":[\"true\"],\"NoNewPrivileges\":false}}", false, false);
  cr_assert_str_eq (r.text, "{\"PROCESS\":{\"cwd\":\"/\",\"args\":[\"true\"],\"NoNewPrivileges\":true}}");
  done (&r);
}
