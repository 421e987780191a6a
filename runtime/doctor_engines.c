/* SPDX-License-Identifier: Apache-2.0 */
/* doctor, engines group: for each engine installed, is hardrun registered,
 * is it the default, does lock-down hold (the `runc` the engine's daemon
 * would run is hardrun), and the daemon settings of the CIS Docker
 * Benchmark (numbering of v1.6.0) that a runtime cannot enforce. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doctor.h"
#include "hardrun/json.h"
#include "hardrun/util.h"

#define DOCKER_CONFIG "/etc/docker/daemon.json"
#define CONTAINERD_CONFIG "/etc/containerd/config.toml"
#define PODMAN_CONFIG "/etc/containers/containers.conf"

/* A string only hardrun's binary holds (cmd_version.c prints it). */
#define HARDRUN_MARK "hardrun real runtime: "

/* path is this hardrun, or another build of it (an installed copy). */
static bool
is_hardrun (const char *path)
{
  struct stat a, b;
  cleanup_close int fd = -1;
  static char buf[1 << 16];
  size_t keep = sizeof HARDRUN_MARK - 1, have = 0;
  ssize_t n;

  if (stat (path, &a) < 0 || !S_ISREG (a.st_mode))
    return false;
  if (stat ("/proc/self/exe", &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
    return true;
  fd = open (path, O_RDONLY | O_CLOEXEC);
  /* the binary is small (~400 KB); runc's is not read past 64 MB */
  for (size_t total = 0; fd >= 0 && total < (64u << 20) && (n = read (fd, buf + have, sizeof buf - have)) > 0;
       total += (size_t)n)
    {
      have += (size_t)n;
      if (memmem (buf, have, HARDRUN_MARK, keep))
        return true;
      if (have > keep)
        {
          memmove (buf, buf + have - keep, keep);
          have = keep;
        }
    }
  return false;
}

/* The pid of the first process whose command is name, or 0. */
static long
find_process (const char *name)
{
  DIR *d = opendir ("/proc");
  struct dirent *e;
  long found = 0;

  while (d && found == 0 && (e = readdir (d)) != NULL)
    {
      char path[300];
      cleanup_free char *comm = NULL;

      if (e->d_name[0] < '1' || e->d_name[0] > '9')
        continue;
      snprintf (path, sizeof path, "/proc/%s/comm", e->d_name);
      comm = hr_doctor_read (path);
      if (comm && strcmp (comm, name) == 0)
        found = strtol (e->d_name, NULL, 10);
    }
  if (d)
    closedir (d);
  return found;
}

/* The PATH in a process's environment, or NULL. */
static char *
process_path (long pid)
{
  char file[64], buf[65536];
  ssize_t n;
  int fd;

  snprintf (file, sizeof file, "/proc/%ld/environ", pid);
  fd = open (file, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return NULL;
  buf[n] = '\0';
  for (char *p = buf; p < buf + n; p += strlen (p) + 1)
    if (strncmp (p, "PATH=", 5) == 0)
      return xstrdup (p + 5);
  return NULL;
}

/* The first runc along a PATH, or NULL. */
static char *
runc_in (const char *path)
{
  cleanup_free char *dirs = xstrdup (path);
  char *save = NULL;

  for (char *d = strtok_r (dirs, ":", &save); d; d = strtok_r (NULL, ":", &save))
    {
      char *candidate;
      xasprintf (&candidate, "%s/runc", d);
      if (access (candidate, X_OK) == 0)
        return candidate;
      free (candidate);
    }
  return NULL;
}

/* Lock-down: the runc the daemon `daemon` would run (its PATH; the runc v2
 * shim inherits containerd's) is hardrun. */
static void
check_lockdown (struct hr_doctor_report *r, const char *id, const char *daemon)
{
  long pid = find_process (daemon);
  cleanup_free char *path = pid ? process_path (pid) : NULL;
  cleanup_free char *runc = path ? runc_in (path) : NULL;
  struct hr_doctor_finding *f = hr_doctor_add (r, id, "engines", HR_SEVERITY_MEDIUM,
                                               "lock-down: the runc the engine runs for --runtime=runc is hardrun");

  if (pid == 0)
    hr_doctor_set (f, HR_DOCTOR_SKIP, "not running", "runc in its PATH is hardrun", "-");
  else if (runc && is_hardrun (runc))
    hr_doctor_set (f, HR_DOCTOR_PASS, runc, "runc in its PATH is hardrun", "-");
  else
    hr_doctor_set (f, HR_DOCTOR_FAIL, runc ? runc : "no runc in its PATH", "runc in its PATH is hardrun",
                   "install -m 0755 $(command -v hardrun) /usr/local/sbin/runc, with /usr/local/sbin first in %s's "
                   "PATH",
                   daemon);
}

static const char *
json_text (const struct hr_json *v)
{
  if (v == NULL)
    return "unset";
  if (v->type == HR_JSON_TRUE)
    return "true";
  if (v->type == HR_JSON_FALSE)
    return "false";
  return hr_json_is_string (v) ? v->text : "set";
}

struct daemon_setting
{
  const char *id;
  const char *key;
  const char *want; /* "true" / "false" */
  enum hr_doctor_severity severity;
  const char *cis;
  const char *title;
};

static const struct daemon_setting docker_settings[] = {
  { "engines.docker.icc", "icc", "false", HR_SEVERITY_MEDIUM, "2.2",
    "containers on the default bridge cannot reach each other" },
  { "engines.docker.live_restore", "live-restore", "true", HR_SEVERITY_LOW, "2.14",
    "containers keep running while dockerd restarts" },
  { "engines.docker.userland_proxy", "userland-proxy", "false", HR_SEVERITY_LOW, "2.15",
    "published ports through iptables, not a root proxy process" },
  { "engines.docker.no_new_privileges", "no-new-privileges", "true", HR_SEVERITY_MEDIUM, "2.18",
    "containers of any runtime cannot gain privileges (hardrun enforces it for its own)" },
};

static void
check_docker_setting (struct hr_doctor_report *r, const struct hr_json *config, const struct daemon_setting *s)
{
  struct hr_doctor_finding *f = hr_doctor_add (r, s->id, "engines", s->severity, s->title);
  const char *have = json_text (config ? hr_json_get_value (config, s->key) : NULL);

  f->cis = s->cis;
  hr_doctor_set (f, strcmp (have, s->want) == 0 ? HR_DOCTOR_PASS : HR_DOCTOR_FAIL, have, s->want,
                 "\"%s\": %s in " DOCKER_CONFIG ", then kill -HUP $(pidof dockerd)", s->key, s->want);
}

/* hosts that listen on TCP without TLS (CIS 2.7) */
static void
check_docker_tls (struct hr_doctor_report *r, const struct hr_json *config)
{
  const struct hr_json *hosts = config ? hr_json_get_value (config, "hosts") : NULL;
  const struct hr_json *tlsverify = config ? hr_json_get_value (config, "tlsverify") : NULL;
  struct hr_doctor_finding *f = hr_doctor_add (r, "engines.docker.tcp_tls", "engines", HR_SEVERITY_CRITICAL,
                                               "the Docker API is not reachable over TCP without TLS");
  bool tcp = false;

  for (size_t i = 0; hosts && hosts->type == HR_JSON_ARRAY && i < hosts->len; i++)
    tcp |= hr_json_is_string (hosts->items[i]) && hr_has_prefix (hosts->items[i]->text, "tcp://");
  f->cis = "2.7";
  if (!tcp || (tlsverify && tlsverify->type == HR_JSON_TRUE))
    hr_doctor_set (f, HR_DOCTOR_PASS, tcp ? "tcp with tlsverify" : "unix socket only", "no TCP without tlsverify", "-");
  else
    hr_doctor_set (f, HR_DOCTOR_FAIL, "tcp without tlsverify", "no TCP without tlsverify",
                   "remove tcp:// from \"hosts\" or set \"tlsverify\": true with certificates");
}

static void
check_file_mode (struct hr_doctor_report *r, const char *id, const char *cis, const char *path, gid_t any_gid,
                 mode_t deny, const char *fix)
{
  struct hr_doctor_finding *f = hr_doctor_add (r, id, "engines", HR_SEVERITY_HIGH, "owner and mode of an engine file");
  cleanup_free char *found = NULL;
  struct stat st;

  f->cis = cis;
  if (stat (path, &st) < 0)
    {
      hr_doctor_set (f, HR_DOCTOR_SKIP, "absent", "root-owned, not writable by others", "-");
      return;
    }
  xasprintf (&found, "%s %u:%u %04o", path, (unsigned)st.st_uid, (unsigned)st.st_gid, (unsigned)(st.st_mode & 07777));
  hr_doctor_set (
      f, st.st_uid == 0 && (any_gid || st.st_gid == 0) && !(st.st_mode & deny) ? HR_DOCTOR_PASS : HR_DOCTOR_FAIL, found,
      "root-owned, not writable by others", "%s", fix);
}

static void
check_docker_registration (struct hr_doctor_report *r, const struct hr_json *config)
{
  const struct hr_json *runtimes = config ? hr_json_get_value (config, "runtimes") : NULL;
  const struct hr_json *def = config ? hr_json_get_value (config, "default-runtime") : NULL;
  struct hr_doctor_finding *reg = hr_doctor_add (r, "engines.docker.registered", "engines", HR_SEVERITY_MEDIUM,
                                                 "hardrun is registered with docker");
  struct hr_doctor_finding *dflt = hr_doctor_add (r, "engines.docker.default_runtime", "engines", HR_SEVERITY_LOW,
                                                  "hardrun is docker's default runtime");
  const char *name = NULL;

  for (size_t i = 0; runtimes && runtimes->type == HR_JSON_OBJECT && i < runtimes->len; i++)
    {
      const struct hr_json *path = hr_json_get_value (runtimes->members[i].value, "path");
      if (hr_json_is_string (path) && is_hardrun (path->text))
        name = runtimes->members[i].key;
    }
  hr_doctor_set (reg, name ? HR_DOCTOR_PASS : HR_DOCTOR_FAIL, name ? name : "not registered",
                 "a runtime whose path is hardrun",
                 "\"runtimes\": {\"hardrun\": {\"path\": \"/usr/local/sbin/hardrun\"}} in " DOCKER_CONFIG);
  hr_doctor_set (dflt,
                 name && hr_json_is_string (def) && strcmp (def->text, name) == 0 ? HR_DOCTOR_PASS : HR_DOCTOR_FAIL,
                 json_text (def), name ? name : "hardrun", "\"default-runtime\": \"%s\" in " DOCKER_CONFIG,
                 name ? name : "hardrun");
}

static void
check_docker (struct hr_doctor_report *r)
{
  cleanup_free char *text = hr_doctor_read (DOCKER_CONFIG);
  cleanup_json struct hr_json *config = NULL;
  hr_error_t err = NULL;

  if (access ("/usr/bin/dockerd", X_OK) < 0 && access ("/usr/sbin/dockerd", X_OK) < 0)
    return;
  if (text)
    config = hr_json_parse (text, strlen (text), &err);
  hr_error_free (&err);
  check_docker_registration (r, config);
  check_lockdown (r, "engines.docker.lockdown", "containerd");
  for (size_t i = 0; i < HR_ARRAY_SIZE (docker_settings); i++)
    check_docker_setting (r, config, &docker_settings[i]);
  check_docker_tls (r, config);
  check_file_mode (r, "engines.docker.socket_mode", "3.15-3.16", "/var/run/docker.sock", 1, S_IWOTH | S_IROTH,
                   "chown root:docker /var/run/docker.sock && chmod 0660 /var/run/docker.sock");
  check_file_mode (r, "engines.docker.config_mode", "3.17-3.18", DOCKER_CONFIG, 0, S_IWGRP | S_IWOTH,
                   "chown root:root " DOCKER_CONFIG " && chmod 0644 " DOCKER_CONFIG);
  check_file_mode (r, "engines.docker.data_root_mode", NULL, "/var/lib/docker", 0, S_IWGRP | S_IWOTH | S_IXOTH,
                   "chown root:root /var/lib/docker && chmod 0710 /var/lib/docker");
}

/* A config file that mentions a path that is hardrun. */
static void
check_registered_in_text (struct hr_doctor_report *r, const char *id, const char *title, const char *file,
                          const char *fix)
{
  cleanup_free char *text = hr_doctor_read (file);
  struct hr_doctor_finding *f = hr_doctor_add (r, id, "engines", HR_SEVERITY_MEDIUM, title);
  bool found = false;

  for (char *p = text; p && !found && (p = strchr (p, '/')) != NULL; p++)
    {
      char path[PATH_MAX];
      size_t n = strcspn (p, "\"' \n,]");
      if (n >= sizeof path)
        continue;
      memcpy (path, p, n);
      path[n] = '\0';
      found = is_hardrun (path);
    }
  hr_doctor_set (f, found ? HR_DOCTOR_PASS : HR_DOCTOR_FAIL,
                 text ? (found ? "names hardrun" : "does not name hardrun") : "absent",
                 "a runtime whose path is hardrun", "%s", fix);
}

void
hr_doctor_engines (struct hr_doctor_report *r)
{
  check_docker (r);
  if (access ("/usr/bin/containerd", X_OK) == 0)
    check_registered_in_text (
        r, "engines.containerd.registered", "hardrun is a containerd runtime handler", CONTAINERD_CONFIG,
        "a runtime handler with options.BinaryName = \"/usr/local/sbin/hardrun\" in " CONTAINERD_CONFIG
        " (examples/containerd/config.toml)");
  if (access ("/usr/bin/podman", X_OK) == 0)
    check_registered_in_text (r, "engines.podman.registered", "hardrun is a podman runtime", PODMAN_CONFIG,
                              "[engine.runtimes] hardrun = [\"/usr/local/sbin/hardrun\"] in " PODMAN_CONFIG
                              " (examples/podman/containers.conf)");
}
