/* SPDX-License-Identifier: Apache-2.0 */
/* `hardrun seccomp learn`: a minimal seccomp profile for a workload, from
 * what the kernel logged while it ran under the seccomp rule's "learn" mode
 * (every call outside a small floor allowed and logged, SCMP_ACT_LOG).
 *   hardrun seccomp learn --container ID [--audit-log FILE]
 *                         [--kernel-log FILE] [--output FILE]
 * The kernel's records (type=1326) name the calling process's host uid, not
 * its container: the container's private id range, from its audit line,
 * says which records are its, within its lifetime only: its create bounds
 * them below, and the next create of any container whose range shares an
 * id with it bounds them above (the range was free again by then; the
 * allocator hands a freed range out last).  Only the learn mode's own
 * action counts (SCMP_ACT_LOG): a record of a call another action decided
 * (a kill, an errno the kernel was told to log) says nothing of what the
 * workload needs.  Records come from /dev/kmsg, or from a saved kernel log
 * (dmesg, journalctl -k) with --kernel-log.  The kernel rate-limits these
 * messages: set kernel.printk_ratelimit=0 while learning, or calls are lost.
 * Exit status: 0, 1 when no record of the container was found, 2 on bad
 * input. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit_read.h"
#include "cli.h"
#include "commands.h"
#include "config.h"
#include "files.h"
#include "hardrun/enforce.h"
#include "hardrun/util.h"
#include "log.h"
#include "options.h"
#include "policy_source.h"

#define EXIT_NOTHING 1
#define EXIT_ERROR 2

static const char usage[] = "usage: hardrun seccomp learn --container ID [--audit-log FILE] [--kernel-log FILE] "
                            "[--output FILE]";

/* What the audit log says of the container's last create. */
struct learned_from
{
  const char *id;
  bool found;
  int64_t uid_first, uid_last;
  int64_t created_ms; /* the window, in milliseconds since the epoch */
  int64_t ended_ms;   /* INT64_MAX while no later create reused the range */
};

/* "2026-11-26T13:37:12.123456Z" -> milliseconds, rounded down; -1 when it
 * cannot be read. */
static int64_t
parse_rfc3339_ms (const char *text)
{
  struct tm tm = { 0 };
  const char *rest;
  int64_t ms = 0;

  if (text == NULL || (rest = strptime (text, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
    return -1;
  if (*rest == '.')
    for (int digits = 0; digits < 3; digits++)
      ms = ms * 10 + (isdigit ((unsigned char)rest[digits + 1]) ? rest[digits + 1] - '0' : 0);
  return (int64_t)timegm (&tm) * 1000 + ms;
}

static bool
int_member (const struct hr_json *obj, const char *key, int64_t *out)
{
  const struct hr_json *v = obj ? hr_json_get_value (obj, key) : NULL;
  return v && hr_json_number_to_int64 (v, out) == 0;
}

/* A create (run, restore) of the container: its id_range; the last wins.
 * A later create of any container whose range shares an id with it ends
 * the window. */
static bool
take_create (const struct hr_json *record, size_t line, void *data)
{
  struct learned_from *from = data;
  const struct hr_json *container = hr_json_get_value (record, "container");
  const struct hr_json *command = hr_json_get_value (record, "command");
  const struct hr_json *range = hr_json_get_value (record, "id_range");
  const struct hr_json *when = hr_json_get_value (record, "time");
  int64_t uid, size, at;

  if (!hr_json_is_string (container) || !hr_json_is_string (command) || strcmp (command->text, "exec") == 0
      || !int_member (range, "host_uid", &uid) || !int_member (range, "size", &size) || size <= 0)
    return true;
  at = parse_rfc3339_ms (hr_json_is_string (when) ? when->text : NULL);
  if (strcmp (container->text, from->id) == 0)
    {
      from->found = at >= 0;
      from->uid_first = uid;
      from->uid_last = uid + size - 1;
      from->created_ms = at;
      from->ended_ms = INT64_MAX;
    }
  else if (from->found && uid <= from->uid_last && from->uid_first < uid + size && (at < 0 || at >= from->created_ms)
           && at < from->ended_ms)
    from->ended_ms = at < 0 ? from->created_ms : at; /* unreadable time: nothing is certain */
  return true;
}

static int
find_container (const char *audit_log, struct learned_from *from, hr_error_t *err)
{
  long skipped;

  if (hr_audit_read (audit_log, take_create, from, &skipped, err) < 0)
    return -1;
  if (!from->found)
    return hr_error_set (err, 0,
                         "the audit log %s has no create of container %s with a private id range (a container that "
                         "joins another's user namespace is learned through that one)",
                         audit_log, from->id);
  return 0;
}

/* One kernel seccomp record: "... audit(1795643848.971:7): ... uid=100000
 * ... arch=c000003e syscall=257 ...".  Adds the call's name to seen. */
static bool
take_record (const char *text, const struct learned_from *from, struct hr_strv *seen)
{
  const char *audit = strstr (text, "audit("), *uid = strstr (text, " uid="), *arch = strstr (text, " arch=");
  const char *nr = strstr (text, " syscall="), *code = strstr (text, " code=");
  long long when, id, syscall_nr;
  unsigned int arch_token, ms, action;
  int64_t at;
  char *name;

  if (!strstr (text, "type=1326") || !audit || !uid || !arch || !nr || !code
      || sscanf (audit, "audit(%lld.%3u", &when, &ms) != 2 || sscanf (uid, " uid=%lld", &id) != 1
      || sscanf (arch, " arch=%x", &arch_token) != 1 || sscanf (nr, " syscall=%lld", &syscall_nr) != 1
      || sscanf (code, " code=%x", &action) != 1)
    return false;
  at = (int64_t)when * 1000 + ms;
  /* the window is half-open: at the very millisecond the range was handed
   * out again the record may be the next container's */
  if (id < from->uid_first || id > from->uid_last || at < from->created_ms || at >= from->ended_ms
      || (action & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_LOG)
    return false;
  /* the kernel's AUDIT_ARCH_* values are libseccomp's SCMP_ARCH_* tokens */
  name = seccomp_syscall_resolve_num_arch (arch_token, (int)syscall_nr);
  if (name == NULL)
    return false;
  if (!hr_strv_contains (seen, name))
    hr_strv_push (seen, name);
  free (name);
  return true;
}

/* /dev/kmsg: one record a read, from the oldest the kernel still holds. */
static int
read_kmsg (const struct learned_from *from, struct hr_strv *seen, size_t *records, hr_error_t *err)
{
  cleanup_close int fd = open ("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  char buf[8192];
  ssize_t n;

  if (fd < 0)
    return hr_error_set (err, errno, "cannot read the kernel log /dev/kmsg");
  for (;;)
    {
      n = read (fd, buf, sizeof buf - 1);
      if (n < 0 && errno == EPIPE)
        continue; /* overwritten while we read: go on with the next */
      if (n <= 0)
        break;
      buf[n] = '\0';
      *records += take_record (buf, from, seen);
    }
  if (n < 0 && errno != EAGAIN)
    return hr_error_set (err, errno, "cannot read the kernel log /dev/kmsg");
  return 0;
}

static int
read_kernel_log_file (const char *path, const struct learned_from *from, struct hr_strv *seen, size_t *records,
                      hr_error_t *err)
{
  FILE *f = fopen (path, "re");
  char *line = NULL;
  size_t cap = 0;

  if (f == NULL)
    return hr_error_set (err, errno, "cannot read the kernel log %s", path);
  while (getline (&line, &cap, f) >= 0)
    *records += take_record (line, from, seen);
  free (line);
  fclose (f);
  return 0;
}

/* A new file beside output, renamed over it: never written through a
 * symlink or a file someone else planted there. */
static int
write_file_safely (const char *output, const char *text, hr_error_t *err)
{
  cleanup_free char *dir = xstrdup (output);
  char *slash = strrchr (dir, '/');
  const char *name = slash ? slash + 1 : output;
  struct stat mode = { .st_mode = S_IFREG | 0644, .st_uid = geteuid (), .st_gid = getegid () };
  cleanup_close int dirfd = -1;

  if (slash)
    slash[slash == dir ? 1 : 0] = '\0';
  dirfd = open (slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    return hr_error_set (err, errno, "cannot open the directory of %s", output);
  if (*name == '\0')
    return hr_error_set (err, EISDIR, "cannot write %s", output);
  return hr_file_replace (dirfd, name, text, strlen (text), &mode, HR_FILE_DIR_SYNC_NOW, err);
}

static int
write_profile (const char *output, const struct hr_strv *seen, hr_error_t *err)
{
  cleanup_json struct hr_json *profile = hr_seccomp_learned_profile (seen);
  cleanup_free char *text = hr_json_serialize_pretty (profile);

  if (output)
    return write_file_safely (output, text, err);
  if (fputs (text, stdout) < 0 || fflush (stdout) != 0)
    return hr_error_set (err, errno, "cannot write the profile");
  return 0;
}

static int
learn (const struct hr_cli *cli, int argc, char **argv)
{
  cleanup_error hr_error_t err = NULL;
  cleanup_free char *audit_log = NULL;
  const char *id = NULL, *audit_arg = NULL, *kernel_log = NULL, *output = NULL;
  struct learned_from from = { 0 };
  struct hr_strv seen = { 0 };
  size_t records = 0;
  int ret;

  for (int i = 0; i < argc; i++)
    if (!hr_take_option (argc, argv, &i, "--container", &id)
        && !hr_take_option (argc, argv, &i, "--audit-log", &audit_arg)
        && !hr_take_option (argc, argv, &i, "--kernel-log", &kernel_log)
        && !hr_take_option (argc, argv, &i, "--output", &output))
      return hr_error_set (&err, 0, "unexpected argument \"%s\"\n%s", argv[i], usage),
             hr_log_failure (err, "seccomp learn"), EXIT_ERROR;
  if (id == NULL)
    return hr_error_set (&err, 0, "--container is required\n%s", usage), hr_log_failure (err, "seccomp learn"),
           EXIT_ERROR;
  audit_log = audit_arg ? xstrdup (audit_arg) : hr_policy_audit_log (cli);
  from.id = id;
  if (find_container (audit_log, &from, &err) < 0
      || (kernel_log ? read_kernel_log_file (kernel_log, &from, &seen, &records, &err)
                     : read_kmsg (&from, &seen, &records, &err))
             < 0)
    return hr_strv_clear (&seen), hr_log_failure (err, "seccomp learn"), EXIT_ERROR;
  if (records == 0)
    {
      hr_error_set (&err, 0,
                    "no seccomp log record of container %s (host uids %" PRId64 "-%" PRId64
                    "): was it run with the seccomp rule's mode \"learn\"?  The kernel logs them only when "
                    "kernel.seccomp.actions_logged has \"log\", and drops them unless kernel.printk_ratelimit is 0",
                    id, from.uid_first, from.uid_last);
      return hr_strv_clear (&seen), hr_log_failure (err, "seccomp learn"), EXIT_NOTHING;
    }
  ret = write_profile (output, &seen, &err);
  if (ret == 0)
    fprintf (stderr,
             "hardrun: %zu system calls of container %s learned from %zu kernel records (host uids %" PRId64 "-%" PRId64
             ")\n",
             seen.len, id, records, from.uid_first, from.uid_last);
  hr_strv_clear (&seen);
  return ret < 0 ? (hr_log_failure (err, "seccomp learn"), EXIT_ERROR) : 0;
}

int
hr_cmd_seccomp (const struct hr_cli *cli, int argc, char **argv)
{
  cleanup_error hr_error_t err = NULL;

  if (argc >= 1 && strcmp (argv[0], "learn") == 0)
    return learn (cli, argc - 1, argv + 1);
  hr_error_set (&err, 0, "%s", usage);
  hr_log_failure (err, "seccomp");
  return EXIT_ERROR;
}
